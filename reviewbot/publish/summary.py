"""Sentences shared by the text and Markdown publishers (and the GitHub summary)."""

from __future__ import annotations

from reviewbot.result import ReviewResult, Usage


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def counts_line(result: ReviewResult) -> str:
    counts = result.counts()
    parts = [f"{n} {sev}" for sev, n in counts.items() if n]
    head = plural(len(result.findings), "finding")
    return f"{head} ({', '.join(parts)})" if parts else head


def money(cost: float | None, currency: str) -> str:
    if cost is None:
        return "cost unknown (no price for this model; set input_price/output_price)"
    symbol = {"USD": "$", "CNY": "¥"}.get(currency, currency + " ")
    return f"≈ {symbol}{cost:.4f}"


def usage_line(usage: Usage, cached: int = 0) -> str:
    est = " (partly estimated)" if usage.review.estimated or usage.self_check.estimated else ""
    reuse = f"; {plural(cached, 'chunk')} from the result cache" if cached else ""
    return (
        f"{plural(usage.requests, 'request')} (review {usage.review.requests}, self-check "
        f"{usage.self_check.requests}), {usage.prompt_tokens:,} prompt + "
        f"{usage.completion_tokens:,} completion tokens{est}, "
        f"{money(usage.cost, usage.currency)}{reuse}"
    )


def dropped_line(result: ReviewResult) -> str | None:
    labels = {
        "self_check": "by the self-check",
        "below_min_score": "below the minimum score",
        "category": "outside the reported categories",
        "severity": "below the reported severity",
        "over_max_findings": "over the maximum number of findings",
        "duplicate": "as duplicates",
        "invalid": "placed off the diff by the model",
    }
    parts = [f"{n} {labels.get(k, k)}" for k, n in result.dropped.items() if n]
    return "Dropped: " + "; ".join(parts) if parts else None
