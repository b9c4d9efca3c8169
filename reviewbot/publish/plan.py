"""`--dry-run`: the review's plan and price, before any model call."""

from __future__ import annotations

import json
from typing import Any

from reviewbot.plan import SELFCHECK_INPUT_SHARE, Plan
from reviewbot.providers import PRESETS, PRICES_AS_OF, Endpoint, resolve
from reviewbot.publish.summary import plural

SELFCHECK_OUTPUT = 150  # tokens per self-check answer, estimated


def estimates(plan: Plan, self_check: bool) -> dict[str, int]:
    review_in, review_out = plan.prompt_tokens, plan.expected_output
    check_in = int(review_in * SELFCHECK_INPUT_SHARE) if self_check else 0
    check_out = SELFCHECK_OUTPUT * len(plan.chunks) if self_check else 0
    return {
        "review_prompt": review_in,
        "review_completion": review_out,
        "self_check_prompt": check_in,
        "self_check_completion": check_out,
    }


def price_table(plan: Plan, self_check: bool, current: Endpoint) -> list[dict[str, Any]]:
    est = estimates(plan, self_check)
    prompt = est["review_prompt"] + est["self_check_prompt"]
    completion = est["review_completion"] + est["self_check_completion"]
    rows = []
    endpoints = [current] + [
        resolve(name)
        for name, p in PRESETS.items()
        if p.input_price and name != current.preset.name
    ]
    for ep in endpoints:
        cost = ep.cost(prompt, completion)
        share = ep.cost(est["self_check_prompt"], est["self_check_completion"])
        rows.append(
            {
                "provider": ep.preset.name,
                "model": ep.model,
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "cost": cost,
                "self_check_cost": share,
                "currency": ep.currency,
            }
        )
    return rows


def document(plan: Plan, self_check: bool, current: Endpoint) -> dict[str, Any]:
    return {
        "dry_run": True,
        "tokenizer": plan.tokenizer.source,
        "budget": vars(plan.budget),
        "chunks": [
            {
                "chunk": pc.chunk.index + 1,
                "prompt_tokens": pc.prompt_tokens,
                "files": [
                    {"path": cf.path, "part": cf.part, "lines": cf.span(), "tokens": cf.tokens}
                    for cf in pc.chunk.files
                ],
            }
            for pc in plan.chunks
        ],
        "skipped": [{"path": s.path, "reason": s.reason, "detail": s.detail} for s in plan.skipped],
        "estimate": estimates(plan, self_check),
        "prices": price_table(plan, self_check, current),
        "prices_as_of": PRICES_AS_OF,
    }


def render_json(plan: Plan, self_check: bool, current: Endpoint) -> str:
    return json.dumps(document(plan, self_check, current), indent=2, ensure_ascii=False) + "\n"


def _span(span: tuple[int, int] | None) -> str:
    return f"lines {span[0]}-{span[1]}" if span else "deleted lines"


def render_text(plan: Plan, self_check: bool, current: Endpoint) -> str:
    out = [
        f"Plan: {plural(len(plan.reviewed_files), 'file')} in "
        f"{plural(len(plan.chunks), 'chunk')}, {len(plan.skipped):,} skipped "
        f"(request budget {plan.budget.request:,} tokens: system {plan.budget.system:,}, "
        f"code up to {plan.budget.body:,}, output {plan.budget.output:,})"
    ]
    for pc in plan.chunks:
        out.append(f"  chunk {pc.chunk.index + 1}: {pc.prompt_tokens:,} prompt tokens")
        for cf in pc.chunk.files:
            part = f" (part {cf.part})" if cf.part > 1 else ""
            out.append(f"    {cf.path}{part}: {_span(cf.span())}, {cf.tokens:,} tokens")
    if plan.skipped:
        out.append("Skipped:")
        out.extend(f"  {s}" for s in plan.skipped)
    est = estimates(plan, self_check)
    out.append(
        f"Tokens: review {est['review_prompt']:,} prompt + ~{est['review_completion']:,}"
        f" completion; self-check ~{est['self_check_prompt']:,} + "
        f"~{est['self_check_completion']:,}"
    )
    out.append(f"Token counts by {plan.tokenizer.source}.")
    out.append(f"Estimated cost (prices of {PRICES_AS_OF}, per run):")
    out.append(f"  {'provider':<12} {'model':<28} {'cost':>12} {'self-check':>12}")
    for row in price_table(plan, self_check, current):
        symbol = {"USD": "$", "CNY": "¥"}.get(row["currency"], row["currency"] + " ")
        cost = "unknown" if row["cost"] is None else f"{symbol}{row['cost']:.4f}"
        share = "" if row["self_check_cost"] is None else f"{symbol}{row['self_check_cost']:.4f}"
        out.append(f"  {row['provider']:<12} {row['model']:<28} {cost:>12} {share:>12}")
    return "\n".join(out) + "\n"
