"""The quality benchmark's tables: the run's figures, and the `--dry-run` estimate."""

from __future__ import annotations

import argparse
import os
import platform
from typing import Any

from reviewbot import __version__
from reviewbot.config import Config
from reviewbot.providers import Endpoint

SYMBOLS = {"USD": "$", "CNY": "¥"}
LABEL_WIDTH = 40


def options(opts: argparse.Namespace, config: Config, endpoint: Endpoint) -> dict[str, Any]:
    return {
        "datasets": opts.dataset,
        "limit": opts.limit,
        "only": opts.only,
        "provider": endpoint.preset.name,
        "model": endpoint.model,
        "base_url": None if opts.fake else endpoint.base_url,
        "fake": opts.fake,
        "seed": opts.seed if opts.fake == "random" else None,
        "strictness": config.strictness,
        "self_check": config.self_check,
        "concurrency": config.concurrency,
        "jobs": opts.jobs,
        "window": opts.window,
        "config": opts.config,
        "corpus": str(opts.corpus),
        "prices": {
            "input": endpoint.input_price,
            "output": endpoint.output_price,
            "currency": endpoint.currency,
        },
    }


def environment(endpoint: Endpoint) -> dict[str, Any]:
    from reviewbot.tokens import tokenizer_for

    return {
        "reviewbot": __version__,
        "tokenizer": tokenizer_for(endpoint.model, quiet=True).source,
        "tiktoken_cache_dir": os.environ.get("TIKTOKEN_CACHE_DIR"),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def money(value: float | None, currency: str | None) -> str:
    if value is None:
        return "unknown"
    symbol = SYMBOLS.get(currency or "", f"{currency} ")
    return f"{symbol}{value:.4f}" if value < 10 else f"{symbol}{value:,.2f}"


def row(label: str, *cells: str) -> str:
    return f"  {label:<{LABEL_WIDTH}}" + "".join(f"{c:>16}" for c in cells)


def heading(report: dict[str, Any]) -> str:
    o = report["options"]
    model = f"{o['provider']} / {o['model']}"
    if o["fake"]:
        model += f" (fake server: {o['fake']} responder)"
    check = "on" if o["self_check"] else "off"
    return (
        f"reviewbot quality: {model}; strictness {o['strictness']}, self-check {check}, "
        f"window ±{o['window']} lines"
    )


def render(report: dict[str, Any]) -> str:
    out = [heading(report)]
    windows = sorted(report["datasets"][next(iter(report["datasets"]))]["by_window"], key=int)
    head = row("", *[f"±{w} lines" for w in windows])
    for name, ds in report["datasets"].items():
        out.append("")
        out.extend(
            _defects4j(ds, windows, head) if name == "defects4j" else _aacr(ds, windows, head)
        )
        out.extend(_common(ds))
    if report["stopped"]:
        out.append("\n  STOPPED: the model refused the key or the quota is used up (see cases)")
    out.append(f"\n  total wall time {report['total_seconds']:.1f} s")
    return "\n".join(out)


def _cells(ds: dict[str, Any], windows: list[str], key: str, count: str | None = None):
    cells = []
    for w in windows:
        m = ds["by_window"][w]
        cells.append(pct(m[key]) + (f" ({m[count]})" if count else ""))
    return cells


def _defects4j(ds: dict[str, Any], windows: list[str], head: str) -> list[str]:
    return [
        f"defects4j: {ds['cases']} bug-introducing patches",
        head,
        row("bug recall (any finding)", *_cells(ds, windows, "bug_recall", "patches_hit")),
        row(
            f"  of reachable patches ({ds['reachable']})",
            *_cells(ds, windows, "bug_recall_reachable"),
        ),
        row("recall, top-1 finding by score", *_cells(ds, windows, "top1_recall")),
        row("recall, top-3 findings by score", *_cells(ds, windows, "top3_recall")),
        row("precision proxy", *_cells(ds, windows, "precision_proxy", "findings_near_bug")),
        row("findings per patch", f"{ds['findings_per_case'] or 0:.2f} ({ds['findings']})"),
    ]


def _aacr(ds: dict[str, Any], windows: list[str], head: str) -> list[str]:
    nb = ds["noise_basis"]
    out = [
        f"aacr: {ds['cases']} pull requests, {ds['comments']} expert comments",
        head,
        row("comment recall", *_cells(ds, windows, "comment_recall", "comments_matched")),
        row(
            f"  of reachable comments ({ds['reachable']})",
            *_cells(ds, windows, "comment_recall_reachable"),
        ),
    ]
    categories = ds["by_window"][windows[-1]]["recall_by_category"]
    for cat, first in categories.items():
        cells = []
        for w in windows:
            c = ds["by_window"][w]["recall_by_category"][cat]
            cells.append(f"{pct(c['recall'])} ({c['matched']})")
        out.append(row(f"  {cat} ({first['comments']})", *cells))
    out += [
        row("findings matching no comment", *_cells(ds, windows, "unmatched_share")),
        row(
            f"noise rate ({nb['prs']} PRs, {nb['negative_comments']} negatives)",
            *_cells(ds, windows, "noise_rate"),
        ),
        row("  findings matching a negative", *_cells(ds, windows, "negative_match_share")),
        row("findings per PR", f"{ds['findings_per_case'] or 0:.2f} ({ds['findings']})"),
    ]
    return out


def _common(ds: dict[str, Any]) -> list[str]:
    u = ds["usage"]
    failed = (
        f"{ds['reviewed']} reviewed, {ds['partial']} partial, {ds['failed']} failed, "
        f"{ds['nothing_to_review']} nothing to review, {ds['not_run']} not run"
    )
    tokens = (
        f"{u['prompt_tokens_per_case'] or 0:,.0f} prompt + "
        f"{u['completion_tokens_per_case'] or 0:,.0f} completion"
    )
    cost = f"{money(u['cost_per_case'], u['currency'])} each, {money(u['cost'], u['currency'])}"
    seconds = f"{u['seconds_median'] or 0:.2f} s median, {u['seconds_sum']:.1f} s summed"
    return [
        row("cases", failed),
        row("chunks / failed chunks", f"{ds['chunks']} / {ds['failed_chunks']}"),
        row("requests", f"{u['requests']:,}"),
        row("tokens per case", tokens),
        row("cost", cost + " in all"),
        row("wall time per case", seconds),
    ]
