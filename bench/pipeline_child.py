"""One measured run of reviewbot in this fresh process, for the pipeline benchmark.

    python -m bench.pipeline_child OUT.json --github --repo octo/demo --pr 7 ...

Runs `reviewbot.main.main(ARGS)` and writes to OUT.json its exit code, when it started and ended
on the system-wide monotonic clock (the fake servers in the parent process read the same clock)
and the process's peak resident memory, `VmHWM`, which is the product's own: besides reviewbot
this imports only the standard library. (`ru_maxrss` would not do: a child started by
`subprocess` inherits its parent's peak; see bench/README.md.)

With `REVIEWBOT_BENCH_PROFILE=PATH`, the run's main thread is
profiled (cProfile) and the stats written to PATH.
"""

from __future__ import annotations

import time

START = time.monotonic()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from bench.diff_engine import peak_rss_mb  # noqa: E402  (standard library only)


def main(argv: list[str]) -> int:
    out, args = argv[0], argv[1:]
    from reviewbot.main import main as reviewbot

    imported = time.monotonic()
    profile = os.environ.get("REVIEWBOT_BENCH_PROFILE")
    if profile:  # the main thread only: where the time before the first request goes
        import cProfile

        profiler = cProfile.Profile()
        code = profiler.runcall(reviewbot, args)
        profiler.dump_stats(profile)
    else:
        code = reviewbot(args)
    end = time.monotonic()
    report = {
        "exit_code": code,
        "start": START,
        "imported": imported,
        "end": end,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(report, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
