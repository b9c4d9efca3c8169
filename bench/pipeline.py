"""The pipeline benchmark: whole `reviewbot --github` runs at three PR sizes, against local fakes.

    python -m bench.pipeline                         # small, medium and large synthetic PRs
    python -m bench.pipeline --sizes large --concurrency 8
    python -m bench.pipeline --diff ../shared/corpus/diffs/py-sphinx-pragent-large.patch

For each size a fake GitHub (`tests.fakes.github_server`) serves a pull request with the diff and
a fake model server (`tests.fakes.openai_server`) answers like a model whose latency is
`base + prompt_tokens / prompt_tps + completion_tokens / completion_tps` seconds. reviewbot runs
end to end in a fresh process per run (`bench.pipeline_child`), so its memory is its own. Then,
on the largest size: a re-run on the unchanged PR, a `--full-review` re-run (the result cache),
and a push that touches one file; and on the small size, the GitHub API calls with 1 finding
and with 50. Figures and targets are defined in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import pipeline_figures as fig
from bench.pipeline_model import BenchReviewer, ModelLog
from bench.pipeline_push import one_file_push
from bench.pipeline_report import COMPLETED, nothing_new, render, rerun_ok, verdicts
from reviewbot.diff import FileDiff, parse_diff

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
REPO, NUMBER = "octo/demo", 7
BASE, HEAD, PUSHED = "a" * 40, "b" * 40, "c" * 40
DROPPED_ENV = ("GITHUB_", "OPENAI_", "REVIEWBOT_", "DEEPSEEK_", "DASHSCOPE_", "ARK_", "YI_")
DROPPED_ENV += ("SILICONFLOW_",)
BIG_CONFIG = {"main": {".reviewbot.yml": "max_findings: 100\n"}}


@dataclass(frozen=True)
class Latency:
    """The latency model, times `scale` (a documented way to make the benchmark shorter)."""

    base: float = 0.5
    prompt_tps: float = 5000.0
    completion_tps: float = 80.0
    scale: float = 1.0

    def __call__(self, prompt_tokens: int, completion_tokens: int) -> float:
        seconds = self.base + prompt_tokens / self.prompt_tps
        return self.scale * (seconds + completion_tokens / self.completion_tps)

    def describe(self) -> str:
        text = (
            f"{self.base:g} s + prompt/{self.prompt_tps:g} + completion/{self.completion_tps:g}"
            " tokens/s"
        )
        return text + (f", x {self.scale:g} (time scale)" if self.scale != 1 else "")


NO_LATENCY = Latency(0.0, float("inf"), float("inf"))


@dataclass
class Stage:
    """The two fakes serving one pull request, and the folder reviewbot runs in."""

    gh: Any
    model: Any
    log: ModelLog
    reviewer: BenchReviewer
    work: Path
    latency: Latency


@contextmanager
def stage(
    text: str,
    latency: Latency,
    base_files: dict | None = None,
    **reviewer: Any,
) -> Iterator[Stage]:
    from tests.fakes.github_server import FakeGitHub, PullRequestSpec
    from tests.fakes.openai_server import FakeOpenAI

    log = ModelLog(latency)
    responder = BenchReviewer(log, **reviewer)
    spec = PullRequestSpec(number=NUMBER, diff=text, base_sha=BASE, head_sha=HEAD)
    with (
        tempfile.TemporaryDirectory(prefix="reviewbot-bench-") as work,
        FakeOpenAI(responder=responder, api_key="sk-test", latency=log.latency) as model,
        FakeGitHub(pulls=[spec], base_files=base_files or {}) as gh,
    ):
        yield Stage(gh, model, log, responder, Path(work), latency)


def child_env(st: Stage) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_ENV)}
    env.update(
        GITHUB_TOKEN=st.gh.token,
        GITHUB_API_URL=st.gh.api_url,
        OPENAI_BASE_URL=st.model.base_url,
        OPENAI_API_KEY="sk-test",
        REVIEWBOT_GITHUB_WRITE_INTERVAL="0",
        REVIEWBOT_OFFLINE="1",
        NO_COLOR="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def posted(gh: Any) -> dict[str, int]:
    return {
        "reviews": len(gh.reviews(NUMBER)),
        "inline_comments": len(gh.review_comments(NUMBER)),
        "issue_comments": len(gh.issue_comments(NUMBER)),
    }


def run_product(
    st: Stage, concurrency: int, *extra: str, profile: Path | None = None
) -> dict[str, Any]:
    """One `reviewbot --github` run in a fresh process; what the fakes saw during it."""
    n_gh, n_model, n_http = len(st.gh.calls), len(st.log.calls), len(st.model.requests)
    before = posted(st.gh)
    out = st.work / "child.json"
    argv = [sys.executable, "-m", "bench.pipeline_child", str(out), "--github", "-q"]
    argv += ["--repo", REPO, "--pr", str(NUMBER), "--concurrency", str(concurrency), *extra]
    env = child_env(st)
    if profile is not None:
        env["REVIEWBOT_BENCH_PROFILE"] = str(profile)
    t = time.monotonic()
    done = subprocess.run(argv, cwd=st.work, env=env, capture_output=True, text=True, timeout=900)
    process_seconds = time.monotonic() - t
    if not out.exists():
        raise RuntimeError(f"reviewbot run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    child = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    after = posted(st.gh)
    http = st.model.requests[n_http:]
    return {
        **child,
        "process_seconds": process_seconds,
        "stderr": done.stderr[-2000:],
        "calls": st.log.since(n_model),
        "gh_calls": st.gh.calls[n_gh:],
        "http_requests": len(http),
        "http_failed": sum(1 for r in http if r.status != 200),
        "new_posts": {k: after[k] - before[k] for k in after},
    }


def bench_size(label: str, text: str, opts: argparse.Namespace, extras: bool) -> dict[str, Any]:
    from tests.fakes.openai_server import count_tokens

    inputs, files = fig.input_figures(text, count_tokens)
    latency = opts.latency_model
    profile = OUT / f"pipeline-{label.replace(':', '-')}.prof" if opts.profile else None
    with stage(text, latency, every=opts.findings_every) as st:
        run = run_product(st, opts.concurrency, profile=profile)
        report = fig.review_figures(run, files, inputs["hunk_tokens"], latency, opts.concurrency)
        report["input"] = inputs
        report["targets"] = verdicts(report, label in opts.large_labels)
        if extras:
            report["never_pay_twice"] = never_pay_twice(st, report, text, files, opts)
    if profile is not None:
        report["profile"] = {"path": str(profile), "top": profile_text(profile, opts.profile)}
    return report


def profile_text(path: Path, top: int) -> str:
    """The `top` functions of the profiled run's main thread, by cumulative and by own time."""
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def cache_available() -> bool:
    """Whether this reviewbot has the result cache (its `--no-cache` switch)."""
    from reviewbot.main import build_parser

    return "--no-cache" in build_parser().format_help()


def never_pay_twice(
    st: Stage, first: dict[str, Any], text: str, files: list[FileDiff], opts: argparse.Namespace
) -> dict[str, Any]:
    """Re-runs on the unchanged PR, then a push that touches one file."""
    from tests.fakes.openai_server import count_tokens

    rerun = run_product(st, opts.concurrency)
    out: dict[str, Any] = {
        "first_run_completed": first["exit_code"] in COMPLETED,
        "rerun": _rerun_figures(rerun),
    }
    if cache_available():
        full = run_product(st, opts.concurrency, "--full-review")
        out["full_review"] = {**_rerun_figures(full), "status": "measured"}
    else:
        out["full_review"] = {
            "status": "pending",
            "why": "this reviewbot has no result cache yet (no --no-cache switch); not run",
        }
    push = one_file_push(text, files, lines=opts.push_lines, seed=opts.seed)
    if push is None:
        out["push"] = {"status": "skipped", "why": "the diff has no new text file to extend"}
        return out
    st.gh.update_pull(NUMBER, diff=push.full_diff, head_sha=PUSHED, keep_old_commits=True)
    st.gh.add_commit_range(NUMBER, HEAD, PUSHED, push.push_diff)
    run = run_product(st, opts.concurrency)
    pushed = parse_diff(push.push_diff).files
    after = parse_diff(push.full_diff).file(push.path)
    figures = fig.review_figures(
        run, list(pushed), fig.hunk_tokens(pushed, count_tokens), st.latency, opts.concurrency
    )
    figures["push"] = {
        "path": push.path,
        "lines_added": push.lines,
        "file_hunk_tokens": fig.hunk_tokens([after], count_tokens) if after else None,
    }
    out["push"] = {"status": "measured", **figures}
    return out


def _rerun_figures(run: dict[str, Any]) -> dict[str, Any]:
    calls = run["calls"]
    return {
        "exit_code": run["exit_code"],
        "requests": len(calls),
        "review_requests": sum(1 for c in calls if c.kind != "self_check"),
        "prompt_tokens": sum(c.prompt_tokens for c in calls),
        "wall": round(run["end"] - run["start"], 3),
        "github": fig.github_figures(run),
    }


def api_calls_vs_findings(opts: argparse.Namespace) -> dict[str, Any]:
    """The small PR reviewed twice, with 1 finding and with up to 50: GitHub API calls."""
    from bench.synth import make_sized

    text = make_sized("small", opts.seed)
    runs = {}
    for name, options in (("one", {"cap": 1}), ("fifty", {"cap": 60, "per_line": 2})):
        with stage(text, NO_LATENCY, BIG_CONFIG, every=1, drop_every=10**9, **options) as st:
            run = run_product(st, opts.concurrency)
            runs[name] = {"findings_posted": run["new_posts"]["inline_comments"]}
            runs[name].update(fig.github_figures(run))
    counts = {r["calls"] for r in runs.values()}
    return {"runs": runs, "flat": len(counts) == 1}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.pipeline",
        description="Whole reviewbot --github runs against local fake GitHub and model servers.",
    )
    p.add_argument("--sizes", default="small,medium,large", help="synthetic sizes (all three)")
    p.add_argument("--diff", metavar="PATH", help="a real diff instead of the synthetic sizes")
    p.add_argument("--concurrency", type=int, default=4, help="reviewbot's --concurrency (4)")
    p.add_argument(
        "--latency",
        default="0.5,5000,80",
        metavar="BASE,PROMPT_TPS,COMPLETION_TPS",
        help="seconds = BASE + prompt/PROMPT_TPS + completion/COMPLETION_TPS (0.5,5000,80)",
    )
    p.add_argument("--time-scale", type=float, default=1.0, help="multiply all latencies (1)")
    p.add_argument("--findings-every", type=int, default=200, help="a finding per N added lines")
    p.add_argument("--push-lines", type=int, default=40, help="lines the one-file push adds (40)")
    p.add_argument("--seed", type=int, default=1, help="synthetic diffs' seed (1)")
    p.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="profile each size's first run (main thread) and print the top N functions",
    )
    p.add_argument("--skip-extras", action="store_true", help="no re-runs, push, API-call test")
    p.add_argument("--json", metavar="PATH", default=str(OUT / "pipeline.json"))
    p.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return p


def inputs_from(opts: argparse.Namespace) -> list[tuple[str, str]]:
    from bench.synth import SIZES, make_sized

    if opts.diff:
        data = Path(opts.diff).read_bytes().decode("utf-8", errors="replace")
        return [(f"diff:{Path(opts.diff).name}", data)]
    sizes = [s.strip() for s in opts.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    return [(s, make_sized(s, opts.seed)) for s in sizes]


def main(argv: list[str] | None = None) -> int:
    opts = build_parser().parse_args(argv)
    base, prompt_tps, completion_tps = (float(x) for x in opts.latency.split(","))
    opts.latency_model = Latency(base, prompt_tps, completion_tps, opts.time_scale)
    inputs = inputs_from(opts)
    opts.large_labels = {label for label, _ in inputs if label == "large" or ":" in label}
    started = time.monotonic()
    sizes = {}
    for n, (label, text) in enumerate(inputs):
        extras = not opts.skip_extras and n == len(inputs) - 1
        sizes[label] = bench_size(label, text, opts, extras)
        print(f"  {label}: done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    report: dict[str, Any] = {"version": 1, "options": _options(opts), "sizes": sizes}
    if not opts.skip_extras:
        report["api_calls_vs_findings"] = api_calls_vs_findings(opts)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    report["environment"] = _environment()
    report["passed"] = _passed(report)
    print(render(report))
    for label, size in sizes.items():
        if "profile" in size:
            print(f"\n  profile of the {label} run's main thread ({size['profile']['path']})")
            print(size["profile"]["top"])
    path = Path(opts.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\n  JSON written to {path}")
    return 1 if opts.check and not report["passed"] else 0


def _options(opts: argparse.Namespace) -> dict[str, Any]:
    lat = opts.latency_model
    return {
        "sizes": opts.sizes if not opts.diff else None,
        "diff": opts.diff,
        "concurrency": opts.concurrency,
        "latency": {
            "base": lat.base,
            "prompt_tps": lat.prompt_tps,
            "completion_tps": lat.completion_tps,
            "time_scale": lat.scale,
            "text": lat.describe(),
        },
        "findings_every": opts.findings_every,
        "push_lines": opts.push_lines,
        "seed": opts.seed,
    }


def _environment() -> dict[str, Any]:
    import platform

    from tests.fakes.openai_server import _encoder

    return {
        "tokens": "tiktoken o200k_base" if _encoder() else "estimate: len(text) // 4 + 1",
        "tiktoken_cache_dir": os.environ.get("TIKTOKEN_CACHE_DIR"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def _passed(report: dict[str, Any]) -> bool:
    ok = all(
        t["passed"] is not False for s in report["sizes"].values() for t in s["targets"].values()
    )
    for s in report["sizes"].values():
        extra = s.get("never_pay_twice")
        if extra:
            ok = ok and rerun_ok(extra)
            if extra["full_review"]["status"] == "measured":
                ok = ok and nothing_new(extra["full_review"])
    growth = report.get("api_calls_vs_findings")
    return ok and (growth is None or growth["flat"]) and report["total_seconds"] < 300


if __name__ == "__main__":
    raise SystemExit(main())
