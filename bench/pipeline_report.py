"""Targets and the printed table of the pipeline benchmark (`python -m bench.pipeline`)."""

from __future__ import annotations

from typing import Any

# name: (limit, how the value compares, unit, scope); scope "large": the large PR only
TARGETS: dict[str, tuple[float, str, str, str]] = {
    "wall_vs_ideal": (1.25, "<=", "x", "large"),
    "overhead_percent": (2.0, "<", "%", "large"),
    "coverage_percent": (100.0, ">=", "%", "all"),
    "prompt_vs_hunks": (1.3, "<=", "x", "large"),
    "self_check_percent": (25.0, "<=", "%", "large"),
    "peak_rss_mb": (250.0, "<", "MB", "large"),
}
TARGET_TEXT = {
    "wall_vs_ideal": "wall time / ideal",
    "overhead_percent": "pipeline overhead",
    "coverage_percent": "changed lines reviewed",
    "prompt_vs_hunks": "prompt tokens / hunk tokens",
    "self_check_percent": "self-check prompt tokens",
    "peak_rss_mb": "peak RSS",
}
MAX_SECONDS = 300.0
COMPLETED = (0, 1)  # reviewbot's exit codes for a finished review (1: a finding at --fail-on)
WIDTH = 36


def _values(report: dict[str, Any]) -> dict[str, float | None]:
    return {
        "wall_vs_ideal": report["time"]["wall_vs_ideal"],
        "overhead_percent": report["time"]["overhead_percent"],
        "coverage_percent": report["coverage"]["percent"],
        "prompt_vs_hunks": report["requests"]["tokens"]["prompt_vs_hunks"],
        "self_check_percent": report["requests"]["tokens"]["self_check_percent"],
        "peak_rss_mb": report["peak_rss_mb"],
    }


def verdicts(report: dict[str, Any], large: bool) -> dict[str, dict[str, Any]]:
    """Each target's value and verdict: None (n/a) where its scope is the large PR only, False
    for every target of a run that did not finish (an exit code other than 0 or 1)."""
    out = {}
    completed = report["exit_code"] in COMPLETED
    for name, value in _values(report).items():
        limit, op, unit, scope = TARGETS[name]
        passed: bool | None = None
        if not (large or scope == "all"):
            pass
        elif not completed:  # a run that stopped meets no target
            passed = False
        elif value is not None:
            passed = {"<=": value <= limit, "<": value < limit, ">=": value >= limit}[op]
        out[name] = {"value": value, "limit": limit, "op": op, "unit": unit, "passed": passed}
    return out


def _n(x: float | int | None, digits: int = 0) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[passed]


def _cells(s: dict[str, Any]) -> list[tuple[str, str]]:
    """The table's rows for one size: (label, value)."""
    inp, req, tok, cov, t = (
        s["input"],
        s["requests"],
        s["requests"]["tokens"],
        s["coverage"],
        s["time"],
    )
    gh, found = s["github"], s["requests"]["findings"]
    return [
        ("input", ""),
        ("  files / changed lines", f"{inp['files']} / {inp['changed_lines']:,}"),
        ("  reviewable files / lines",
         f"{inp['reviewable_files']} / {inp['reviewable_changed_lines']:,}"),
        ("  tokens of the changed hunks", _n(inp["hunk_tokens"])),
        ("  diff from GitHub", "file list (406)" if gh["diff_refused_406"] else "diff"),
        ("model requests", ""),
        ("  review (retries)", f"{req['review']} ({req['retry']})"),
        ("  self-check", str(req["self_check"])),
        ("prompt tokens", _n(tok["prompt"])),
        ("  review", _n(tok["review_prompt"])),
        ("  self-check", _n(tok["self_check_prompt"])),
        ("  review / hunk tokens", f"{_n(tok['prompt_vs_hunks'], 3)}x"),
        ("  self-check / review", f"{_n(tok['self_check_percent'], 1)}%"),
        ("completion tokens", _n(tok["completion"])),
        ("  review", _n(tok["review_completion"])),
        ("  self-check", _n(tok["self_check_completion"])),
        ("findings: candidates/kept/posted",
         f"{found['candidates']}/{found['kept_by_self_check']}/{found['posted_inline']}"),
        ("coverage of changed lines", f"{cov['percent']:.1f}%"),
        ("  lines missing / shown twice", f"{cov['missing']} / {cov['shown_twice_or_more']}"),
        ("time (s)", ""),
        ("  wall (reviewbot process)", _n(t["wall"], 1)),
        ("  ideal (LPT, chains on C)", _n(t["ideal"], 1)),
        ("  ideal in product order", _n(t["in_order"], 1)),
        ("  lower bound / rounds formula", f"{_n(t['bound'], 1)} / {_n(t['rounds'], 1)}"),
        ("  wall / ideal", f"{_n(t['wall_vs_ideal'], 3)}x"),
        ("  model busy (>= 1 in flight)", _n(t["model_busy"], 1)),
        ("  overhead = wall - busy", f"{_n(t['overhead'], 2)} ({_n(t['overhead_percent'], 1)}%)"),
        ("    before 1st request / after last",
         f"{_n(t['before_first_request'], 2)} / {_n(t['after_last_answer'], 2)}"),
        ("    gaps between / imports (in before)",
         f"{_n(t['gaps_between_requests'], 2)} / {_n(t['import'], 2)}"),
        ("peak RSS (MB)", _n(s["peak_rss_mb"], 1)),
        ("GitHub API calls (writes)", f"{gh['calls']} ({gh['writes']})"),
        ("exit code", str(s["exit_code"])),
    ]  # fmt: skip


def _table(sizes: dict[str, dict[str, Any]]) -> list[str]:
    names = list(sizes)
    width = max(16, *(len(n) + 2 for n in names))
    out = [f"  {'':<{WIDTH}}" + "".join(f"{n:>{width}}" for n in names)]
    columns = [_cells(sizes[n]) for n in names]
    for i, (label, _) in enumerate(columns[0]):
        out.append(f"  {label:<{WIDTH}}" + "".join(f"{col[i][1]:>{width}}" for col in columns))
    out += ["", f"  {'targets':<{WIDTH}}" + "".join(f"{n:>{width}}" for n in names)]
    for name, (limit, op, unit, _) in TARGETS.items():
        label = f"  {TARGET_TEXT[name]} {op} {limit:g}{'' if unit == 'x' else ' '}{unit}"
        cells = []
        for n in names:
            t = sizes[n]["targets"][name]
            digits = 2 if unit in ("x", "%") else 1
            value = "" if t["passed"] is None else f"{_n(t['value'], digits)} "
            cells.append(f"{value + _verdict(t['passed']):>{width}}")
        out.append(f"{label:<{WIDTH + 2}}" + "".join(cells))
    return out


def nothing_new(run: dict[str, Any]) -> bool:
    """A re-run that finished with no model request and no new review or comment."""
    return (
        run["exit_code"] in COMPLETED
        and run["requests"] == 0
        and not any(run["github"]["new_posts"].values())
    )


def rerun_ok(extra: dict[str, Any]) -> bool:
    """A finished first run, then a re-run that paid nothing and posted nothing."""
    return extra["first_run_completed"] and nothing_new(extra["rerun"])


def _extras(label: str, extra: dict[str, Any]) -> list[str]:
    out = ["", f"  never pay twice ({label})"]
    if not extra["first_run_completed"]:
        out.append("    the first run did not finish: the figures below mean nothing (FAIL)")
    r = extra["rerun"]
    ok = rerun_ok(extra)
    out.append(
        f"    re-run, unchanged PR: {r['requests']} model requests, {r['github']['calls']} GitHub "
        f"calls ({r['github']['writes']} writes), {sum(r['github']['new_posts'].values())} new "
        f"posts, {r['wall']:.1f} s  {_verdict(ok)}"
    )
    f = extra["full_review"]
    if f["status"] == "measured":
        out.append(
            f"    --full-review re-run (result cache): {f['requests']} model requests "
            f"({f['review_requests']} review), "
            f"{f['prompt_tokens']:,} prompt tokens, {f['github']['calls']} GitHub calls "
            f"({f['github']['writes']} writes), {sum(f['github']['new_posts'].values())} new "
            f"posts, {f['wall']:.1f} s  {_verdict(nothing_new(f))}"
        )
    else:
        out.append(f"    --full-review re-run (result cache): pending: {f['why']}")
    p = extra["push"]
    if p["status"] != "measured":
        return [*out, f"    one-file push: {p['status']}: {p['why']}"]
    tok, push = p["requests"]["tokens"], p["push"]
    file_tokens = push["file_hunk_tokens"] or 0
    ratio = tok["review_prompt"] / file_tokens if file_tokens else None
    out += [
        f"    one-file push ({push['path']}, +{push['lines_added']} lines):",
        f"      requests: {p['requests']['review']} review, {p['requests']['self_check']} "
        f"self-check; prompt tokens {tok['prompt']:,} (review {tok['review_prompt']:,}, "
        f"self-check {tok['self_check_prompt']:,}); completion {tok['completion']:,}",
        f"      the push's hunk tokens {tok['hunks']:,}; the whole file's {file_tokens:,}; "
        f"review prompt / file tokens {_n(ratio, 2)}x; coverage {p['coverage']['percent']:.1f}%",
        f"      wall {p['time']['wall']:.1f} s (ideal {p['time']['ideal']:.1f} s); GitHub calls "
        f"{p['github']['calls']} ({p['github']['writes']} writes)",
    ]
    return out


def render(report: dict[str, Any]) -> str:
    opts, env = report["options"], report["environment"]
    out = [
        "reviewbot pipeline benchmark",
        f"  concurrency {opts['concurrency']}; latency {opts['latency']['text']}; a finding per "
        f"{opts['findings_every']} added lines",
        f"  tokens: {env['tokens']}; {env['cpus']} CPUs; Python {env['python']}",
        "",
        *_table(report["sizes"]),
    ]
    for label, size in report["sizes"].items():
        if size["exit_code"] not in COMPLETED:
            last = (size["stderr_tail"].strip().splitlines() or ["(no message)"])[-1]
            out.append(f"  {label}: reviewbot exited {size['exit_code']}: {last}")
    for label, size in report["sizes"].items():
        if size.get("never_pay_twice"):
            out += _extras(label, size["never_pay_twice"])
    growth = report.get("api_calls_vs_findings")
    if growth:
        runs = growth["runs"]
        cells = "; ".join(
            f"{r['findings_posted']} finding(s) posted: {r['calls']} calls ({r['writes']} writes)"
            for r in runs.values()
        )
        out += ["", "  GitHub API calls vs findings (small PR)", f"    {cells}  "
                f"{_verdict(growth['flat'])}"]  # fmt: skip
    total = report["total_seconds"]
    out += [
        "",
        f"  benchmark time: {total:.0f} s (< {MAX_SECONDS:.0f} s: {_verdict(total < MAX_SECONDS)})",
        f"  overall: {_verdict(report['passed'])}",
    ]
    return "\n".join(out)
