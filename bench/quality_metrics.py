"""Matching findings to labels, and the quality figures (defined in bench/README.md).

A finding (`path`, `line`, `end_line`, `side`, as in reviewbot's JSON output) matches a label
(`path`, `side`, lines lo..hi) when the path and the side are the same and the finding's lines,
widened by `window` on each side, overlap the label's: `line - W <= hi and end + W >= lo`,
with `end = end_line or line`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from statistics import median
from typing import Any

from bench.quality_data import Label
from reviewbot.findings import SEVERITY_RANK

TOP = (1, 3)


def matches(f: dict[str, Any], label: Label, window: int) -> bool:
    end = f.get("end_line") or f["line"]
    return (
        f["path"] == label.path
        and f["side"] == label.side
        and f["line"] - window <= label.hi
        and end + window >= label.lo
    )


def matched(f: dict[str, Any], labels: Iterable[Label], window: int) -> list[int]:
    """Indices of the labels the finding matches."""
    return [n for n, label in enumerate(labels) if matches(f, label, window)]


def by_score(findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Highest score first; then the more severe; then path and line (a stable order)."""
    return sorted(
        findings,
        key=lambda f: (-f["score"], SEVERITY_RANK.get(f["severity"], 9), f["path"], f["line"]),
    )


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


# ---------------------------------------------------------------- one case
def score_defects4j(
    findings: list[dict[str, Any]], labels: Sequence[Label], windows: Sequence[int]
) -> dict[str, Any]:
    """Per window: hit (a finding near a bug line), hit@1, hit@3, findings near a bug line."""
    ranked = by_score(findings)
    out = {}
    for w in windows:
        near = [bool(matched(f, labels, w)) for f in ranked]
        out[str(w)] = {
            "hit": any(near),
            **{f"hit_top{k}": any(near[:k]) for k in TOP},
            "near_bug": sum(near),
        }
    return out


def score_aacr(
    findings: list[dict[str, Any]],
    labels: Sequence[Label],
    negatives: Sequence[Label],
    windows: Sequence[int],
) -> dict[str, Any]:
    """Per window: which expert comments were matched; findings matching none, or a negative."""
    out = {}
    for w in windows:
        hits = [matched(f, labels, w) for f in findings]
        bad = [matched(f, negatives, w) for f in findings]
        out[str(w)] = {
            "matched_labels": sorted({n for h in hits for n in h}),
            "unmatched_findings": sum(1 for h in hits if not h),
            "negative_findings": sum(1 for b in bad if b),
            "negative_only_findings": sum(1 for h, b in zip(hits, bad, strict=True) if b and not h),
        }
    return out


# ---------------------------------------------------------------- the dataset
def _usage(records: list[dict[str, Any]]) -> dict[str, Any]:
    ran = [r for r in records if r.get("usage")]
    prompt = sum(r["usage"]["prompt_tokens"] for r in ran)
    completion = sum(r["usage"]["completion_tokens"] for r in ran)
    costs = [r["usage"]["cost"] for r in ran]
    cost = None if not ran or any(c is None for c in costs) else round(sum(costs), 6)
    n = len(ran)
    seconds = [r["seconds"] for r in records if r.get("seconds") is not None]
    return {
        "requests": sum(r["usage"]["requests"] for r in ran),
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "prompt_tokens_per_case": round(prompt / n, 1) if n else None,
        "completion_tokens_per_case": round(completion / n, 1) if n else None,
        "cost": cost,
        "cost_per_case": round(cost / n, 6) if cost is not None and n else None,
        "currency": ran[0]["usage"]["currency"] if ran else None,
        "seconds_median": round(median(seconds), 3) if seconds else None,
        "seconds_sum": round(sum(seconds), 2),
    }


def _health(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cases": len(records),
        "reviewed": sum(1 for r in records if r["status"] == "reviewed"),
        "partial": sum(1 for r in records if r["status"] == "partial"),
        "failed": sum(1 for r in records if r["status"] in ("failed", "error")),
        "nothing_to_review": sum(1 for r in records if r["status"] == "nothing_to_review"),
        "not_run": sum(1 for r in records if r["status"] == "not_run"),
        "chunks": sum(r.get("chunks", 0) for r in records),
        "failed_chunks": sum(len(r.get("failed_chunks", [])) for r in records),
    }


def reachable(record: dict[str, Any]) -> bool:
    """Whether a label lies in a file reviewbot reviewed (False when the case did not run)."""
    skipped = record.get("labels_on_skipped_files")
    return skipped is not None and skipped < len(record["labels"])


def summarize_defects4j(records: list[dict[str, Any]], windows: Sequence[int]) -> dict[str, Any]:
    """Every case counts in the denominators: one that failed or was not run is a miss."""
    n = len(records)
    findings = sum(len(r.get("findings", [])) for r in records)
    n_reachable = sum(1 for r in records if reachable(r))
    metrics: dict[str, Any] = {}
    for w in map(str, windows):
        scored = [r["score"][w] for r in records if r.get("score")]
        near = sum(s["near_bug"] for s in scored)
        metrics[w] = {
            "bug_recall": ratio(sum(s["hit"] for s in scored), n),
            "bug_recall_reachable": ratio(sum(s["hit"] for s in scored), n_reachable),
            **{f"top{k}_recall": ratio(sum(s[f"hit_top{k}"] for s in scored), n) for k in TOP},
            "precision_proxy": ratio(near, findings),
            "findings_near_bug": near,
            "patches_hit": sum(s["hit"] for s in scored),
        }
    projects: dict[str, list[bool]] = {}
    w = str(windows[-1])
    for r in records:
        hit = bool(r.get("score")) and r["score"][w]["hit"]
        projects.setdefault(r["info"]["project"], []).append(hit)
    return {
        **_health(records),
        "reachable": n_reachable,
        "findings": findings,
        "findings_per_case": ratio(findings, n),
        "by_window": metrics,
        "recall_by_project": {p: ratio(sum(h), len(h)) for p, h in sorted(projects.items())},
        "usage": _usage(records),
    }


def summarize_aacr(
    records: list[dict[str, Any]], labels: dict[str, Sequence[Label]], windows: Sequence[int]
) -> dict[str, Any]:
    """Comment recall over all expert comments; noise over the PRs that have negatives."""
    n = len(records)
    findings = sum(len(r.get("findings", [])) for r in records)
    total = sum(len(labels[r["name"]]) for r in records)
    on_skipped = sum(r.get("labels_on_skipped_files") or 0 for r in records)
    not_run = sum(len(labels[r["name"]]) for r in records if "labels_on_skipped_files" not in r)
    n_reachable = total - on_skipped - not_run
    noisy = [r for r in records if r["negatives"]]
    noisy_findings = sum(len(r.get("findings", [])) for r in noisy)
    metrics: dict[str, Any] = {}
    for w in map(str, windows):
        hit = {r["name"]: set(r["score"][w]["matched_labels"]) for r in records if r.get("score")}
        by_cat: dict[str, list[bool]] = {}
        for r in records:
            for i, label in enumerate(labels[r["name"]]):
                by_cat.setdefault(label.category, []).append(i in hit.get(r["name"], ()))
        scored = [r["score"][w] for r in records if r.get("score")]
        unmatched = sum(s["unmatched_findings"] for s in scored)
        negative = sum(r["score"][w]["negative_findings"] for r in noisy if r.get("score"))
        negative_only = sum(
            r["score"][w]["negative_only_findings"] for r in noisy if r.get("score")
        )
        metrics[w] = {
            "comment_recall": ratio(sum(len(h) for h in hit.values()), total),
            "comment_recall_reachable": ratio(sum(len(h) for h in hit.values()), n_reachable),
            "comments_matched": sum(len(h) for h in hit.values()),
            "recall_by_category": {
                c: {"comments": len(v), "matched": sum(v), "recall": ratio(sum(v), len(v))}
                for c, v in sorted(by_cat.items())
            },
            "unmatched_share": ratio(unmatched, findings),
            "noise_rate": ratio(negative_only, noisy_findings),
            "negative_match_share": ratio(negative, noisy_findings),
        }
    return {
        **_health(records),
        "comments": total,
        "reachable": n_reachable,
        "findings": findings,
        "findings_per_case": ratio(findings, n),
        "noise_basis": {
            "prs": len(noisy),
            "negative_comments": sum(r["negatives"] for r in noisy),
            "findings": noisy_findings,
        },
        "by_window": metrics,
        "usage": _usage(records),
    }
