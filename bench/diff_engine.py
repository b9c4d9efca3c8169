"""The diff-engine benchmark: parse, triage, redact and chunk a large diff; time, memory, coverage,
fill.

    python -m bench.diff_engine                       # synthetic: 500 files, 30,000 changed lines
    python -m bench.diff_engine --diff big.patch      # a real diff
    python -m bench.diff_engine --profile 25          # and where the engine's time goes

Each run is a fresh `python` process, so its memory is its own: the figure is the process's peak
RSS (`VmHWM` from /proc/self/status; `ru_maxrss` where /proc is absent). `ru_maxrss` alone would
not do on Linux: a child started by `subprocess` inherits its parent's peak through exec.
Timings are wall-clock (`time.perf_counter`); the table shows the median and the best of the runs.
Machines are shared and noisy: the figures describe one run of the script, not a guarantee.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
TARGETS = {  # name: (limit, how the value compares, unit)
    "engine_seconds": (1.0, "<", "s"),
    "peak_rss_mb": (200.0, "<", "MB"),
    "coverage_percent": (100.0, ">=", "%"),
    "average_fill_percent": (85.0, ">=", "%"),
}
STEPS = ("import", "tokenizer", "budget", "parse", "triage", "redact", "chunk", "engine")
ENGINE = ("parse", "triage", "redact", "chunk")
NONCE = "0123456789ab"  # fixed, so the system prompt (and the budget) is the same every run


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_once(
    diff_path: str | Path, provider: str = "openai", model: str | None = None, profiler: Any = None
) -> dict[str, Any]:
    """Load reviewbot, then parse, triage, redact and chunk the diff at `diff_path`, timing each.

    Returns `seconds` and `rss_mb` per step and `quality` (coverage, chunk fill, skipped files),
    which is worked out after the measurements so it costs neither time nor memory in them.
    A `cProfile.Profile` given as `profiler` is enabled around the engine steps only.
    """
    seconds: dict[str, float] = {}
    rss: dict[str, float] = {}
    t = time.perf_counter()
    from reviewbot.chunking import plan_chunks
    from reviewbot.config import Config
    from reviewbot.diff import decode, parse_diff
    from reviewbot.plan import request_budget
    from reviewbot.prompts import load_prompts
    from reviewbot.providers import resolve
    from reviewbot.redact import Redactor
    from reviewbot.tokens import tokenizer_for
    from reviewbot.triage import triage

    seconds["import"] = time.perf_counter() - t
    rss["import"] = peak_rss_mb()

    config = Config(provider=provider, model=model)
    endpoint = resolve(config.provider, model=config.model)
    t = time.perf_counter()
    tokenizer = tokenizer_for(endpoint.model, quiet=True)
    tokenizer.count("warm up")
    seconds["tokenizer"] = time.perf_counter() - t
    t = time.perf_counter()
    budget, _ = request_budget(config, endpoint, load_prompts(), tokenizer, NONCE)
    seconds["budget"] = time.perf_counter() - t
    rss["baseline"] = peak_rss_mb()

    data = Path(diff_path).read_bytes()
    if profiler is not None:
        profiler.enable()
    t = time.perf_counter()
    diff = parse_diff(decode(data))
    seconds["parse"] = time.perf_counter() - t
    t = time.perf_counter()
    sorted_out = triage(diff, config)
    seconds["triage"] = time.perf_counter() - t
    t = time.perf_counter()
    redactor = Redactor()
    reviewable = [redactor.redact_file(f) for f in sorted_out.reviewable]
    seconds["redact"] = time.perf_counter() - t
    t = time.perf_counter()
    chunks = plan_chunks(reviewable, budget.body, tokenizer, config.context_lines)
    seconds["chunk"] = time.perf_counter() - t
    if profiler is not None:
        profiler.disable()
    seconds["engine"] = sum(seconds[s] for s in ENGINE)
    rss["peak"] = peak_rss_mb()
    rss["increase"] = rss["peak"] - rss["baseline"]

    quality = {
        "input": _input_figures(diff, data, sorted_out.reviewable),
        "environment": {
            "tokenizer": tokenizer.source,
            "exact_tokens": tokenizer.exact,
            "provider": config.provider,
            "model": endpoint.model,
        },
        "budget": {
            "request": budget.request,
            "system": budget.system,
            "output": budget.output,
            "body": budget.body,
        },
        "coverage": coverage(reviewable, chunks),
        "chunks": chunk_figures(chunks, budget.body, tokenizer),
        "skipped": dict(Counter(s.reason for s in sorted_out.skipped).most_common()),
    }
    return {"seconds": seconds, "rss_mb": rss, "quality": quality}


def _input_figures(diff: Any, data: bytes, reviewable: Any) -> dict[str, Any]:
    added = sum(f.added for f in diff.files)
    removed = sum(f.removed for f in diff.files)
    return {
        "bytes": len(data),
        "files": len(diff.files),
        "hunks": sum(len(f.hunks) for f in diff.files),
        "added": added,
        "removed": removed,
        "changed_lines": added + removed,
        "reviewable_files": len(reviewable),
        "reviewable_changed_lines": sum(f.added + f.removed for f in reviewable),
    }


def coverage(reviewable: Any, chunks: Any) -> dict[str, Any]:
    """How many added and removed lines of the reviewable files are owned by exactly one chunk."""
    from reviewbot.diff import Kind

    def key(file: Any, line: Any) -> tuple[int, str, int | None, int | None]:
        return (id(file), line.kind.value, line.old, line.new)

    owners: Counter[tuple[int, str, int | None, int | None]] = Counter()
    for chunk in chunks:
        for cf in chunk.files:
            owners.update(
                key(cf.file, ln) for ln in cf.owned_lines() if ln.kind is not Kind.CONTEXT
            )
    expected = {
        key(f, ln)
        for f in reviewable
        for h in f.hunks
        for ln in h.lines
        if ln.kind is not Kind.CONTEXT
    }
    once = sum(1 for k in expected if owners.get(k) == 1)
    return {
        "lines": len(expected),
        "owned_once": once,
        "missing": sum(1 for k in expected if k not in owners),
        "owned_twice_or_more": sum(1 for k in expected if owners.get(k, 0) > 1),
        "owned_but_not_changed": sum(1 for k in owners if k not in expected),
        "percent": round(100 * once / len(expected), 3) if expected else 100.0,
    }


def chunk_figures(chunks: Any, budget: int, tokenizer: Any) -> dict[str, Any]:
    """Fill of the chunks (planned tokens / body budget) and a check of their rendered bodies."""
    fills = [c.tokens / budget for c in chunks]
    rendered = [tokenizer.count(c.render()) for c in chunks]
    parts = Counter(cf.path for c in chunks for cf in c.files)
    planned = sum(c.tokens for c in chunks)
    emptiest = min(range(len(fills)), key=fills.__getitem__) if fills else None
    but_emptiest = [f for i, f in enumerate(fills) if i != emptiest]
    changed = sum(
        1 for c in chunks for cf in c.files for ln in cf.owned_lines() if ln.kind.value != " "
    )
    return {
        "count": len(chunks),
        "budget_tokens": budget,
        "planned_tokens": planned,
        "tokens_per_changed_line": round(planned / changed, 2) if changed else None,
        "average_fill": round(statistics.fmean(fills[:-1]), 4) if len(fills) > 1 else None,
        "min_fill": round(min(fills[:-1]), 4) if len(fills) > 1 else None,
        "last_fill": round(fills[-1], 4) if fills else None,
        "average_fill_but_emptiest": round(statistics.fmean(but_emptiest), 4)
        if but_emptiest
        else None,
        "emptiest_index": emptiest,
        "over_budget": sum(1 for c in chunks if c.tokens > budget),
        "rendered_max_fill": round(max(rendered) / budget, 4) if rendered else None,
        "rendered_over_budget": sum(1 for n in rendered if n > budget),
        "rendered_to_planned": round(sum(rendered) / planned, 4) if planned else None,
        "files_split": sum(1 for n in parts.values() if n > 1),
        "most_parts": max(parts.values(), default=0),
    }


def measure(
    diff_path: str | Path,
    repeat: int = 5,
    provider: str = "openai",
    model: str | None = None,
    isolated: bool = True,
) -> dict[str, Any]:
    """Run the engine `repeat` times (each in a fresh process when `isolated`) and summarize."""
    runs = [
        _child_run(diff_path, provider, model) if isolated else run_once(diff_path, provider, model)
        for _ in range(repeat)
    ]
    return summarize(runs, isolated)


def _child_run(diff_path: str | Path, provider: str, model: str | None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.diff_engine", "--child", str(diff_path)]
    cmd += ["--provider", provider] + (["--model", model] if model else [])
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def summarize(runs: list[dict[str, Any]], isolated: bool = True) -> dict[str, Any]:
    """One JSON-ready report from the runs: median/min times, median/max memory, the targets."""
    first = runs[0]["quality"]
    seconds = {
        s: {
            "median": round(statistics.median(r["seconds"][s] for r in runs), 4),
            "min": round(min(r["seconds"][s] for r in runs), 4),
        }
        for s in STEPS
    }
    rss = {
        k: {
            "median": round(statistics.median(r["rss_mb"][k] for r in runs), 1),
            "max": round(max(r["rss_mb"][k] for r in runs), 1),
        }
        for k in ("import", "baseline", "increase", "peak")
    }
    fill = first["chunks"]["average_fill"]
    values = {
        "engine_seconds": seconds["engine"]["median"],
        "peak_rss_mb": rss["peak"]["max"],
        "coverage_percent": first["coverage"]["percent"],
        "average_fill_percent": None if fill is None else round(100 * fill, 1),
    }
    targets = {name: _target(name, value) for name, value in values.items()}
    same = all(r["quality"]["chunks"] == first["chunks"] for r in runs)
    return {
        "version": 1,
        "runs": len(runs),
        "isolated": isolated,
        "deterministic": same,
        **first,
        "environment": {**first["environment"], **_machine()},
        "seconds": seconds,
        "rss_mb": rss,
        "targets": targets,
        "passed": all(t["passed"] is not False for t in targets.values()),
    }


def _target(name: str, value: float | None) -> dict[str, Any]:
    limit, op, unit = TARGETS[name]
    passed: bool | None = None  # not applicable, e.g. the fill of a diff that makes one chunk
    if value is not None:
        passed = value < limit if op == "<" else value >= limit
    return {"value": value, "limit": limit, "op": op, "unit": unit, "passed": passed}


def _machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "tiktoken_cache_dir": os.environ.get("TIKTOKEN_CACHE_DIR"),
        "reviewbot_offline": os.environ.get("REVIEWBOT_OFFLINE"),
    }


def render_table(report: dict[str, Any], label: str) -> str:
    """The report as a plain-text table for the terminal."""
    inp, env, bud = report["input"], report["environment"], report["budget"]
    cov, ch = report["coverage"], report["chunks"]
    sec, rss = report["seconds"], report["rss_mb"]
    out = [
        f"diff-engine benchmark: {label}",
        f"  {inp['files']:,} files, {inp['hunks']:,} hunks, +{inp['added']:,}/-{inp['removed']:,}"
        f" ({inp['changed_lines']:,} changed lines), {inp['bytes'] / 1e6:.1f} MB",
        f"  tokens: {env['tokenizer']}",
        f"  budget: {bud['body']:,} body tokens of a {bud['request']:,}-token request "
        f"({env['provider']} {env['model']}: system {bud['system']:,}, output {bud['output']:,})",
        f"  {report['runs']} runs" + (", each in a fresh process" if report["isolated"] else ""),
        "",
        f"  {'time (s)':<28}{'median':>9}{'min':>9}",
    ]
    names = {
        "import": "import reviewbot",
        "tokenizer": "load tokenizer",
        "budget": "budget (system prompt)",
        "parse": "parse (decode + unidiff)",
        "triage": "triage",
        "redact": "redact (secrets)",
        "chunk": "chunk",
        "engine": "engine = parse..chunk",
    }
    out += [f"  {names[s]:<28}{sec[s]['median']:>9.3f}{sec[s]['min']:>9.3f}" for s in STEPS]
    out += ["", f"  {'memory (MB, peak RSS)':<28}{'median':>9}{'max':>9}"]
    rows = (
        ("import", "after import"),
        ("baseline", "after import + tokenizer"),
        ("increase", "parse .. chunk (+)"),
        ("peak", "peak"),
    )
    out += [f"  {n:<28}{rss[k]['median']:>9.1f}{rss[k]['max']:>9.1f}" for k, n in rows]
    skipped = ", ".join(f"{k} {v}" for k, v in report["skipped"].items()) or "none"
    out += [
        "",
        f"  coverage: {cov['owned_once']:,} of {cov['lines']:,} changed lines of "
        f"{inp['reviewable_files']:,} reviewable files owned by exactly one chunk "
        f"({cov['percent']:.1f}%); missing {cov['missing']}, "
        f"duplicated {cov['owned_twice_or_more']}",
        f"  chunks: {ch['count']:,}; fill (all but last) average {_pct(ch['average_fill'])}, "
        f"min {_pct(ch['min_fill'])}; last {_pct(ch['last_fill'])}",
        f"  fill of all but the emptiest (chunk {ch['emptiest_index']}): "
        f"{_pct(ch['average_fill_but_emptiest'])}; "
        f"files split over chunks: {ch['files_split']} (most parts: {ch['most_parts']})",
        f"  rendered bodies: max {_pct(ch['rendered_max_fill'])} of budget, "
        f"{ch['rendered_over_budget']} over; rendered/planned tokens {ch['rendered_to_planned']}; "
        f"{ch['tokens_per_changed_line']} tokens per changed line",
        f"  skipped: {skipped}",
        f"  deterministic across runs: {'yes' if report['deterministic'] else 'NO'}",
        "",
        "  targets",
    ]
    for name, t in report["targets"].items():
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[t["passed"]]
        digits = 3 if t["unit"] == "s" else 1
        value = "-" if t["value"] is None else f"{t['value']:,.{digits}f}"
        out.append(f"  {name:<22}{value:>10} {t['unit']:<3}{t['op']:>3} {t['limit']:<8}{verdict}")
    return "\n".join(out)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def profile(diff_path: str | Path, provider: str, model: str | None, top: int) -> str:
    """cProfile of one in-process run, engine steps only: the `top` functions by own time."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    run_once(diff_path, provider, model, profiler=profiler)
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def synthetic_diff(files: int, lines: int, seed: int) -> Path:
    from bench.synth import make_diff

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"synth-{files}f-{lines}l-seed{seed}.patch"
    path.write_text(make_diff(files, lines, seed), encoding="utf-8", newline="")
    return path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.diff_engine",
        description="Time and memory of parsing, triaging and chunking a large diff.",
    )
    p.add_argument("--diff", metavar="PATH", help="a diff to measure (default: a synthetic one)")
    p.add_argument("--files", type=int, default=500, help="synthetic diff: files (500)")
    p.add_argument("--lines", type=int, default=30_000, help="synthetic: changed lines (30000)")
    p.add_argument("--seed", type=int, default=1, help="synthetic diff: random seed (1)")
    p.add_argument("--repeat", type=int, default=5, help="runs, each a fresh process (5)")
    p.add_argument("--provider", default="openai", help="provider preset for the budget (openai)")
    p.add_argument("--model", help="model (default: the preset's); picks the tokenizer")
    p.add_argument("--json", metavar="PATH", default=str(OUT / "diff_engine.json"))
    p.add_argument("--profile", type=int, metavar="N", help="also print a cProfile top N")
    p.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    p.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.child:  # one measured run, in this fresh process: JSON on stdout
        print(json.dumps(run_once(args.child, args.provider, args.model)))
        return 0
    if args.diff:
        path, label = Path(args.diff), args.diff
    else:
        path = synthetic_diff(args.files, args.lines, args.seed)
        label = f"synthetic ({args.files} files, {args.lines:,} lines, seed {args.seed})"
    report = measure(path, args.repeat, args.provider, args.model)
    report["input"]["path"] = str(path)
    report["input"]["source"] = "file" if args.diff else "synthetic"
    if not args.diff:
        report["input"]["seed"] = args.seed
    print(render_table(report, label))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\n  JSON written to {args.json}")
    if args.profile:
        print(profile(path, args.provider, args.model, args.profile))
    return 1 if args.check and not report["passed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
