"""The quality benchmark: how well reviewbot finds known problems in labelled public patches.

    python -m bench.quality --fake                        # the harness against an oracle model
    python -m bench.quality --fake random --limit 10      # a random reviewer, 10 of each dataset
    DEEPSEEK_API_KEY=... python -m bench.quality --provider deepseek
    python -m bench.quality --dry-run --provider deepseek # tokens and price of a real run

Each patch is reviewed in-process as `reviewbot --diff PATCH --no-cache` would review it
(`plan_review`, then `run_review` with no result cache); its findings are matched against the
labels (`bench.quality_data`) and the figures are computed (`bench.quality_metrics`). With
`--fake`, a local OpenAI-compatible server (`tests/fakes/openai_server.py`) answers with a
deterministic reviewer (`bench.quality_fake`). Metrics are defined in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench import quality_estimate, quality_report
from bench.quality_data import CORPUS, DATASETS, ROOT, Case, DataMissing, load
from bench.quality_fake import FAKE_KEY, RESPONDERS, check_contract, fake_server
from bench.quality_metrics import (
    matched,
    score_aacr,
    score_defects4j,
    summarize_aacr,
    summarize_defects4j,
)
from reviewbot.config import Config, build_config, read_config_text
from reviewbot.errors import ReviewbotError, UsageError
from reviewbot.main import setup_logging
from reviewbot.pipeline import endpoint_for, plan_review, run_review
from reviewbot.providers import PRESETS, Endpoint, api_key
from reviewbot.publish.jsondoc import finding_dict
from reviewbot.result import ReviewResult

OUT = ROOT / "bench" / "out"
VERSION = 1
EXIT_OK, EXIT_USAGE, EXIT_STOPPED = 0, 2, 3


@dataclass
class Run:
    """What every case of one benchmark run shares."""

    config: Config
    endpoint: Endpoint
    key: str | None
    fake: str | None
    seed: int
    windows: tuple[int, ...]
    quiet: bool
    stop: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.quality",
        description="Review labelled public patches and measure how many known problems "
        "reviewbot finds (defined in bench/README.md).",
    )
    p.add_argument("--dataset", choices=[*DATASETS, "all"], default="all", help="(all)")
    p.add_argument("--limit", type=int, metavar="N", help="the first N cases of each dataset")
    p.add_argument("--only", metavar="NAMES", help="only these cases: Lang-1,aacr-ts-cline-pr5177")
    p.add_argument("--provider", choices=sorted(PRESETS), help="provider preset (openai)")
    p.add_argument("--model", help="model name (the preset's)")
    p.add_argument("--base-url", help="OpenAI-compatible API base URL (the preset's)")
    p.add_argument("--config", metavar="PATH", help="a reviewbot config file (.reviewbot.yml)")
    p.add_argument("--concurrency", type=int, metavar="N", help="reviewbot's chunk concurrency")
    p.add_argument("--jobs", type=int, default=4, metavar="N", help="patches at a time (4)")
    p.add_argument("--strictness", choices=["relaxed", "balanced", "strict"], help="(balanced)")
    p.add_argument(
        "--no-self-check",
        dest="self_check",
        action="store_false",
        default=None,
        help="skip reviewbot's second pass",
    )
    p.add_argument("--window", type=int, default=3, metavar="W", help="line tolerance (3)")
    p.add_argument(
        "--fake",
        nargs="?",
        const="oracle",
        choices=RESPONDERS,
        metavar="RESPONDER",
        help=f"a local fake model: {', '.join(RESPONDERS)} (oracle); no key, no network",
    )
    p.add_argument("--seed", type=int, default=1, help="the random responder's seed (1)")
    p.add_argument("--dry-run", action="store_true", help="plan only: tokens and price, no calls")
    p.add_argument("--corpus", type=Path, default=CORPUS, help=f"the shared corpus ({CORPUS})")
    p.add_argument("--json", metavar="PATH", help="report (bench/out/quality.json)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    opts = build_parser().parse_args(argv)
    setup_logging(verbose=False)
    if opts.quiet:
        logging.getLogger("reviewbot").setLevel(logging.ERROR)
    try:
        return run(opts)
    except (DataMissing, ReviewbotError) as err:
        print(f"bench.quality: error: {err}", file=sys.stderr)
        return EXIT_USAGE


def run(opts: argparse.Namespace) -> int:
    if opts.window < 0 or (opts.limit is not None and opts.limit < 1) or opts.jobs < 1:
        raise UsageError("--window must be 0 or more, --limit and --jobs 1 or more")
    datasets = list(DATASETS) if opts.dataset == "all" else [opts.dataset]
    only = [n.strip() for n in opts.only.split(",") if n.strip()] if opts.only else None
    cases = load(datasets, opts.limit, opts.corpus, only)
    config = make_config(opts)
    endpoint = endpoint_for(config)
    started = time.monotonic()
    if opts.dry_run:
        return dry_run(cases, config, endpoint, opts)
    if opts.fake:
        check_contract()
        os.environ.setdefault("REVIEWBOT_OFFLINE", "1")  # no network here: never try tiktoken's
    key = FAKE_KEY if opts.fake else api_key(endpoint)
    windows = tuple(sorted({0, opts.window}))
    ctx = Run(config, endpoint, key, opts.fake, opts.seed, windows, opts.quiet, total=len(cases))
    with ThreadPoolExecutor(max_workers=opts.jobs, thread_name_prefix="case") as pool:
        records = list(pool.map(lambda case: review_case(case, ctx), cases))
    report = build_report(cases, records, ctx, opts, time.monotonic() - started)
    print(quality_report.render(report))
    code = write(report, opts.json or OUT / "quality.json")
    return EXIT_STOPPED if ctx.stop.is_set() else code


def dry_run(cases: list[Case], config: Config, endpoint: Endpoint, opts: argparse.Namespace) -> int:
    report = {
        "version": VERSION,
        "dry_run": True,
        "options": quality_report.options(opts, config, endpoint),
        "environment": quality_report.environment(endpoint),
        "datasets": quality_estimate.estimate(cases, config, endpoint),
    }
    print(quality_estimate.render(report))
    return write(report, opts.json or OUT / "quality-dry-run.json")


def make_config(opts: argparse.Namespace) -> Config:
    values: dict[str, Any] = {}
    if opts.config:
        path = Path(opts.config)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise UsageError(f"config file {path}: cannot read it ({err.strerror})") from None
        values = read_config_text(path.name, text)
    cli = {
        "provider": opts.provider,
        "model": opts.model,
        "base_url": opts.base_url,
        "concurrency": opts.concurrency,
        "strictness": opts.strictness,
        "self_check": opts.self_check,
    }
    return build_config(values, cli, opts.config or "bench.quality")


def write(report: dict[str, Any], path: str | Path) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\n  JSON written to {path}")
    return EXIT_OK


# ---------------------------------------------------------------- one case
def review_case(case: Case, ctx: Run) -> dict[str, Any]:
    record = base_record(case)
    if ctx.stop.is_set():
        record["status"] = "not_run"
        return record
    started = time.perf_counter()
    try:
        result = review(case, ctx)
    except ReviewbotError as err:
        record.update(status="error", error=str(err))
    else:
        record.update(outcome(case, result, ctx.windows))
        if result.stopped:
            ctx.stop.set()  # the key was refused or the quota is used up: the rest would fail
    record["seconds"] = round(time.perf_counter() - started, 3)
    progress(case, record, ctx)
    return record


def review(case: Case, ctx: Run) -> ReviewResult:
    plan, prompts = plan_review(case.diff, ctx.config, ctx.endpoint, None, quiet=True)
    server = fake_server(ctx.fake, case, ctx.seed) if ctx.fake else nullcontext(None)
    with server as url:
        endpoint = replace(ctx.endpoint, base_url=url) if url else ctx.endpoint
        return run_review(plan, prompts, ctx.config, endpoint, ctx.key, quiet=True)


def base_record(case: Case) -> dict[str, Any]:
    return {
        "dataset": case.dataset,
        "name": case.name,
        "patch": case.patch,
        "info": case.info,
        "files": len(case.diff.files),
        "changed_lines": case.diff.changed_lines,
        "labels": [vars(label) for label in case.labels],
        "negatives": len(case.negatives),
        "status": "not_run",
    }


def outcome(case: Case, result: ReviewResult, windows: tuple[int, ...]) -> dict[str, Any]:
    findings = []
    for f in result.findings:
        doc = finding_dict(f)
        doc["matches"] = matched(doc, case.labels, windows[-1])
        findings.append(doc)
    if case.dataset == "defects4j":
        score = score_defects4j(findings, case.labels, windows)
    else:
        score = score_aacr(findings, case.labels, case.negatives, windows)
    skipped = {s.path for s in result.skipped}
    return {
        "status": status(result),
        "findings": findings,
        "score": score,
        "chunks": result.chunks,
        "failed_chunks": [{"chunk": c.index, "reason": c.reason} for c in result.failed],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
        "labels_on_skipped_files": sum(1 for label in case.labels if label.path in skipped),
        "usage": result.usage.as_dict(),
        "stopped": result.stopped,
    }


def status(result: ReviewResult) -> str:
    if result.chunks == 0:
        return "nothing_to_review"
    if result.all_failed or result.stopped:
        return "failed"
    return "partial" if result.failed else "reviewed"


def progress(case: Case, record: dict[str, Any], ctx: Run) -> None:
    with ctx.lock:
        ctx.done += 1
        done = ctx.done
    if ctx.quiet:
        return
    w = str(ctx.windows[-1])
    found = len(record.get("findings", []))
    if record["status"] == "error":
        what = f"error: {record['error']}"
    elif record["status"] == "failed":
        what = f"failed: {record['stopped'] or record['failed_chunks'][0]['reason']}"
    elif case.dataset == "defects4j" and "score" in record:
        what = f"{found} findings, {'hit' if record['score'][w]['hit'] else 'miss'}"
    elif "score" in record:
        hit = len(record["score"][w]["matched_labels"])
        what = f"{found} findings, {hit}/{len(case.labels)} comments matched"
    else:
        what = record["status"]
    width = len(str(ctx.total))
    print(f"  [{done:>{width}}/{ctx.total}] {case.name}: {what}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the report
def build_report(
    cases: list[Case],
    records: list[dict[str, Any]],
    ctx: Run,
    opts: argparse.Namespace,
    seconds: float,
) -> dict[str, Any]:
    datasets: dict[str, Any] = {}
    for name in DATASETS:
        mine = [r for r in records if r["dataset"] == name]
        if not mine:
            continue
        if name == "defects4j":
            datasets[name] = summarize_defects4j(mine, ctx.windows)
        else:
            labels = {c.name: c.labels for c in cases if c.dataset == name}
            datasets[name] = summarize_aacr(mine, labels, ctx.windows)
    return {
        "version": VERSION,
        "options": quality_report.options(opts, ctx.config, ctx.endpoint),
        "environment": quality_report.environment(ctx.endpoint),
        "datasets": datasets,
        "stopped": ctx.stop.is_set(),
        "total_seconds": round(seconds, 2),
        "cases": records,
    }


if __name__ == "__main__":
    raise SystemExit(main())
