"""`python -m bench.quality --dry-run`: what a real run would cost, by reviewbot's own estimate.

Each case is planned exactly as a review plans it (`reviewbot.pipeline.plan_review`, no model
call) and priced with `reviewbot.publish.plan.price_table`, the table `reviewbot --dry-run`
prints: the planned prompt tokens, the expected completion tokens, and with the self-check its
estimated share, at every priced preset's prices.
"""

from __future__ import annotations

from typing import Any

from bench.quality_data import Case
from bench.quality_report import money
from reviewbot.config import Config
from reviewbot.pipeline import plan_review
from reviewbot.providers import Endpoint
from reviewbot.publish.plan import price_table


def estimate(cases: list[Case], config: Config, endpoint: Endpoint) -> dict[str, Any]:
    """Per dataset (and "all"): cases, chunks and, per provider/model, tokens and cost."""
    out: dict[str, Any] = {}
    for case in cases:
        plan, _ = plan_review(case.diff, config, endpoint, None, quiet=True)
        rows = price_table(plan, config.self_check, endpoint)
        for name in (case.dataset, "all"):
            ds = out.setdefault(name, {"cases": 0, "chunks": 0, "providers": {}})
            ds["cases"] += 1
            ds["chunks"] += len(plan.chunks)
            for row in rows:
                _add(ds["providers"], row)
    if "all" in out:
        out["all"] = out.pop("all")  # last
    return out


def _add(providers: dict[str, Any], row: dict[str, Any]) -> None:
    key = f"{row['provider']}/{row['model']}"
    acc = providers.setdefault(
        key,
        {"prompt_tokens": 0, "completion_tokens": 0, "cost": 0.0, "currency": row["currency"]},
    )
    acc["prompt_tokens"] += row["prompt_tokens"]
    acc["completion_tokens"] += row["completion_tokens"]
    known = row["cost"] is not None and acc["cost"] is not None
    acc["cost"] = round(acc["cost"] + row["cost"], 6) if known else None


def render(report: dict[str, Any]) -> str:
    o = report["options"]
    check = "with" if o["self_check"] else "without"
    out = [
        f"reviewbot quality, dry run: reviewbot's own estimate ({check} the self-check), "
        f"planned for {o['provider']} / {o['model']}; no model called"
    ]
    for name, ds in report["datasets"].items():
        out.append(f"\n{name}: {ds['cases']} cases, {ds['chunks']} chunks")
        out.append(f"  {'provider / model':<40}{'prompt':>12}{'completion':>12}{'cost':>14}")
        for key, p in ds["providers"].items():
            cost = money(p["cost"], p["currency"])
            out.append(
                f"  {key:<40}{p['prompt_tokens']:>12,}{p['completion_tokens']:>12,}{cost:>14}"
            )
    return "\n".join(out)
