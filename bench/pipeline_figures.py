"""The figures of the pipeline benchmark, worked out from what the fake servers recorded.

`review_figures(run, ...)` gathers them for one reviewbot run; the building blocks:

- `hunk_tokens`: the tokens of the changed hunks themselves (header and lines, as in the diff).
- `coverage`: which added and removed lines of the reviewable files some review prompt showed.
- `ideal_seconds`: the makespan of the recorded requests on C workers under the latency model.
- `model_busy`: the union of the intervals during which at least one request was in flight.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bench.pipeline_model import CHANGE_END, CHANGE_START, Call
from bench.pipeline_report import COMPLETED
from reviewbot.config import Config
from reviewbot.diff import FileDiff, Kind, parse_diff
from reviewbot.triage import triage
from tests.fakes.scripted_model import FILE_HEADER

WRITES = ("POST", "PATCH", "PUT", "DELETE")
LineKey = tuple[str, str, int]  # (path, "+" or "-", new or old line number)


def hunk_text(file: FileDiff) -> str:
    """A file's hunks as the diff shows them: each `@@` header, then its ` `/`+`/`-` lines."""
    rows: list[str] = []
    for h in file.hunks:
        rows.append(h.header)
        rows.extend(ln.kind.value + ln.text for ln in h.lines)
    return "\n".join(rows) + "\n" if rows else ""


def hunk_tokens(files: Iterable[FileDiff], count: Callable[[str], int]) -> int:
    """Tokens of the hunks of `files`, counted file by file."""
    return sum(count(hunk_text(f)) for f in files if f.hunks)


def changed_lines(files: Iterable[FileDiff]) -> set[LineKey]:
    """The added and removed lines of `files`: what the review must show at least once."""
    out: set[LineKey] = set()
    for f in files:
        for h in f.hunks:
            for ln in h.lines:
                if ln.kind is Kind.ADDED and ln.new is not None:
                    out.add((f.path, "+", ln.new))
                elif ln.kind is Kind.REMOVED and ln.old is not None:
                    out.add((f.path, "-", ln.old))
    return out


def shown_lines(prompt: str) -> list[LineKey]:
    """The added (`12+ code`) and removed (`-12 code`) lines a review prompt shows, by file.

    Only the text between the change delimiters is read; context lines (`12  code`, also the
    repeated context of a split hunk) are not counted.
    """
    body = prompt.split(CHANGE_START, 1)[-1].rsplit(CHANGE_END, 1)[0]
    out: list[LineKey] = []
    path = None
    for row in body.splitlines():
        header = FILE_HEADER.match(row)
        if header:
            path = header.group("path")
            continue
        if path is None or not row:
            continue
        if row[0] == "-":
            number, _, _ = row[1:].partition(" ")
            if number.isdecimal():
                out.append((path, "-", int(number)))
            continue
        number, plus, _ = row.partition("+ ")
        if plus and number.isdecimal():
            out.append((path, "+", int(number)))
    return out


def coverage(expected: set[LineKey], prompts: Sequence[str]) -> dict[str, Any]:
    """How many of the `expected` lines the review prompts showed (retries left out)."""
    seen: Counter[LineKey] = Counter()
    for prompt in prompts:
        seen.update(shown_lines(prompt))
    shown = sum(1 for k in expected if k in seen)
    return {
        "lines": len(expected),
        "shown": shown,
        "missing": len(expected) - shown,
        "shown_twice_or_more": sum(1 for k in expected if seen.get(k, 0) > 1),
        "shown_but_not_changed": sum(1 for k in seen if k not in expected),
        "percent": round(100 * shown / len(expected), 3) if expected else 100.0,
        "example_missing": sorted(k for k in expected if k not in seen)[:5],
    }


def chains(
    calls: Sequence[Call], latency: Callable[[int, int], float]
) -> list[list[tuple[str, float]]]:
    """Per review request (in the order they were sent): (kind, latency) of its chain.

    A chain is the review, its retry if any, and the self-check of its findings, which cannot
    start before the review has answered. Latencies come from the latency model and the
    request's tokens as the server counted them.
    """
    by_chain: dict[int, list[tuple[str, float]]] = {}
    for n, c in enumerate(sorted(calls, key=lambda c: c.start)):
        key = c.chain if c.chain >= 0 else -1 - n  # not linked to a review: a chain of its own
        by_chain.setdefault(key, []).append((c.kind, latency(c.prompt_tokens, c.completion_tokens)))
    return list(by_chain.values())


def makespan(lengths: Iterable[float], workers: int) -> float:
    """Greedy list scheduling: each job in turn goes to the worker that is free first."""
    free = [0.0] * max(1, workers)
    for length in lengths:
        heapq.heappush(free, heapq.heappop(free) + length)
    return max(free)


def ideal_seconds(paths: list[list[tuple[str, float]]], workers: int) -> dict[str, float]:
    """The model time of the chains on `workers` workers, four ways.

    - `ideal`: longest chain first, each to the first free worker (LPT list scheduling);
    - `in_order`: in the order the product sent them, as its thread pool does with no overhead;
    - `bound`: no schedule can beat max(total / workers, the longest chain);
    - `rounds`: the issue's formula, ceil(reviews / C) rounds of the mean review latency plus
      ceil(self-checks / C) rounds of the mean self-check latency (retries count as reviews).
    """
    sums = [sum(x for _, x in p) for p in paths]
    if not sums:
        return {"ideal": 0.0, "in_order": 0.0, "bound": 0.0, "rounds": 0.0}
    rounds = 0.0
    for kinds in (("review", "retry"), ("self_check",)):
        xs = [x for p in paths for kind, x in p if kind in kinds]
        if xs:
            rounds += math.ceil(len(xs) / workers) * sum(xs) / len(xs)
    return {
        "ideal": makespan(sorted(sums, reverse=True), workers),
        "in_order": makespan(sums, workers),
        "bound": max(sum(sums) / workers, max(sums)),
        "rounds": rounds,
    }


def model_busy(calls: Sequence[Call], start: float, end: float) -> dict[str, float]:
    """Seconds of [start, end] during which at least one request was in flight, and the rest:
    before the first request, after the last answer, and in gaps between requests."""
    spans = sorted((max(c.start, start), min(c.end or c.start, end)) for c in calls)
    spans = [(lo, hi) for lo, hi in spans if hi > lo]
    if not spans:
        return {"busy": 0.0, "before_first": end - start, "after_last": 0.0, "gaps": 0.0}
    busy = gaps = 0.0
    cursor = spans[0][0]
    for lo, hi in spans:
        if lo > cursor:
            gaps += lo - cursor
            cursor = lo
        if hi > cursor:
            busy += hi - cursor
            cursor = hi
    return {
        "busy": busy,
        "before_first": spans[0][0] - start,
        "after_last": end - cursor,
        "gaps": gaps,
    }


# ---------------------------------------------------------------- the figures of one run
def github_figures(run: dict[str, Any]) -> dict[str, Any]:
    calls = run["gh_calls"]
    return {
        "calls": len(calls),
        "writes": sum(1 for c in calls if c.method in WRITES),
        "by_method": dict(Counter(c.method for c in calls).most_common()),
        "diff_refused_406": sum(1 for c in calls if c.status == 406),
        "new_posts": run["new_posts"],
    }


def request_figures(run: dict[str, Any], latency: Callable[[int, int], float]) -> dict[str, Any]:
    """Requests and tokens by pass, as the model server counted them."""
    calls = run["calls"]
    kinds = Counter(c.kind for c in calls)
    review = [c for c in calls if c.kind != "self_check"]
    check = [c for c in calls if c.kind == "self_check"]
    return {
        "review": kinds["review"],
        "retry": kinds["retry"],
        "self_check": kinds["self_check"],
        "total": len(calls),
        "http": run["http_requests"],
        "http_failed": run["http_failed"],
        "tokens": {
            "review_prompt": sum(c.prompt_tokens for c in review),
            "review_completion": sum(c.completion_tokens for c in review),
            "self_check_prompt": sum(c.prompt_tokens for c in check),
            "self_check_completion": sum(c.completion_tokens for c in check),
            "prompt": sum(c.prompt_tokens for c in calls),
            "completion": sum(c.completion_tokens for c in calls),
        },
        "model_seconds": {
            "review": round(sum(latency(c.prompt_tokens, c.completion_tokens) for c in review), 2),
            "self_check": round(
                sum(latency(c.prompt_tokens, c.completion_tokens) for c in check), 2
            ),
        },
        "findings": {
            "candidates": sum(c.findings for c in calls if c.kind == "review"),
            "kept_by_self_check": sum(c.findings for c in check),
        },
    }


def time_figures(
    run: dict[str, Any], latency: Callable[[int, int], float], concurrency: int
) -> dict[str, Any]:
    wall = run["end"] - run["start"]
    ideal = ideal_seconds(chains(run["calls"], latency), concurrency)
    busy = model_busy(run["calls"], run["start"], run["end"])
    overhead = wall - busy["busy"]
    return {
        "wall": round(wall, 3),
        "process": round(run["process_seconds"], 3),
        "import": round(run["imported"] - run["start"], 3),
        **{k: round(v, 3) for k, v in ideal.items()},
        "wall_vs_ideal": round(wall / ideal["ideal"], 3) if ideal["ideal"] else None,
        "model_busy": round(busy["busy"], 3),
        "overhead": round(overhead, 3),
        "overhead_percent": round(100 * overhead / wall, 2) if wall else None,
        "before_first_request": round(busy["before_first"], 3),
        "after_last_answer": round(busy["after_last"], 3),
        "gaps_between_requests": round(busy["gaps"], 3),
    }


def input_figures(text: str, count: Callable[[str], int]) -> tuple[dict[str, Any], list]:
    diff = parse_diff(text)
    sorted_out = triage(diff, Config())
    reviewable = list(sorted_out.reviewable)
    figures = {
        "files": len(diff.files),
        "diff_lines": text.count("\n"),
        "added": sum(f.added for f in diff.files),
        "removed": sum(f.removed for f in diff.files),
        "changed_lines": diff.changed_lines,
        "reviewable_files": len(reviewable),
        "reviewable_changed_lines": sum(f.added + f.removed for f in reviewable),
        "hunk_tokens": hunk_tokens(reviewable, count),
        "skipped": dict(Counter(s.reason for s in sorted_out.skipped).most_common()),
    }
    return figures, reviewable


def review_figures(
    run: dict[str, Any],
    files: list[FileDiff],
    hunks: int,
    latency: Callable[[int, int], float],
    concurrency: int,
) -> dict[str, Any]:
    """Everything measured about one review run; `hunks`: tokens of the changed hunks."""
    requests = request_figures(run, latency)
    tokens = requests["tokens"]
    review_prompt = tokens["review_prompt"]
    tokens["hunks"] = hunks
    tokens["prompt_vs_hunks"] = round(review_prompt / hunks, 3) if hunks else None
    tokens["self_check_percent"] = (
        round(100 * tokens["self_check_prompt"] / review_prompt, 2) if review_prompt else None
    )
    prompts = [c.user for c in run["calls"] if c.kind == "review"]
    github = github_figures(run)
    requests["findings"]["posted_inline"] = github["new_posts"]["inline_comments"]
    return {
        "exit_code": run["exit_code"],
        "peak_rss_mb": run["peak_rss_mb"],
        "requests": requests,
        "coverage": coverage(changed_lines(files), prompts),
        "time": time_figures(run, latency, concurrency),
        "github": github,
        "stderr_tail": run["stderr"][-600:] if run["exit_code"] not in COMPLETED else "",
    }
