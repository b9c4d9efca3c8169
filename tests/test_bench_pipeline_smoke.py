"""The pipeline benchmark runs end to end on the small PR with no latency. No timing assertions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import pipeline_figures as fig
from bench.pipeline import main
from bench.pipeline_model import Call, candidates
from bench.pipeline_push import one_file_push
from bench.pipeline_report import TARGETS
from bench.synth import make_sized
from reviewbot.config import Config
from reviewbot.diff import parse_diff
from reviewbot.triage import triage
from tests.conftest import SHARED

needs_contracts = pytest.mark.skipif(
    not (SHARED / "contracts" / "github-pulls-openapi.json").exists(),
    reason="the API contracts in ../shared/contracts are needed by the fake servers",
)
SIZE_KEYS = {
    "exit_code",
    "peak_rss_mb",
    "requests",
    "coverage",
    "time",
    "github",
    "stderr_tail",
    "input",
    "targets",
    "never_pay_twice",
}


@needs_contracts
def test_small_pull_request_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "pipeline.json"
    assert main(["--sizes", "small", "--latency", "0,1e12,1e12", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert {"version", "options", "sizes", "environment", "passed", "total_seconds"} <= set(report)
    small = report["sizes"]["small"]
    assert set(small) == SIZE_KEYS
    assert small["exit_code"] == 0
    assert set(small["targets"]) == set(TARGETS)
    assert small["coverage"]["percent"] == 100.0
    assert small["coverage"]["missing"] == 0
    assert small["coverage"]["lines"] == small["input"]["reviewable_changed_lines"] > 0
    assert small["requests"]["review"] >= 1
    assert small["requests"]["tokens"]["prompt"] > small["input"]["hunk_tokens"] > 0
    assert small["github"]["calls"] > 0 and small["peak_rss_mb"] > 0
    assert {"wall", "ideal", "model_busy", "overhead", "wall_vs_ideal"} <= set(small["time"])
    extra = small["never_pay_twice"]
    assert extra["rerun"]["requests"] == 0
    assert not any(extra["rerun"]["github"]["new_posts"].values())
    assert extra["full_review"]["status"] in ("measured", "pending")
    push = extra["push"]
    assert push["status"] == "measured"
    assert push["requests"]["review"] == 1 and push["coverage"]["percent"] == 100.0
    growth = report["api_calls_vs_findings"]
    assert growth["runs"]["one"]["findings_posted"] == 1
    assert growth["runs"]["fifty"]["findings_posted"] > 10
    assert growth["flat"]


def test_coverage_reads_added_and_removed_lines_of_the_prompt() -> None:
    prompt = (
        "Review the following change.\n\n<<<CHANGE 0a>>>\n=== FILE: a.py (modified) ===\n"
        "@@ -1,3 +1,3 @@\n1  keep\n-2 old\n2+ new\n3  keep\n<<<END CHANGE 0a>>>\n"
    )
    assert fig.shown_lines(prompt) == [("a.py", "-", 2), ("a.py", "+", 2)]
    expected = {("a.py", "-", 2), ("a.py", "+", 2), ("b.py", "+", 1)}
    cov = fig.coverage(expected, [prompt, prompt])
    assert (cov["shown"], cov["missing"], cov["shown_twice_or_more"]) == (2, 1, 2)


def test_schedule_and_busy_time() -> None:
    assert fig.makespan([3, 3, 2, 2, 2], 2) == 7  # greedy, not optimal (6)
    ideal = fig.ideal_seconds([[("review", 4.0), ("self_check", 1.0)], [("review", 2.0)]], 2)
    assert ideal["ideal"] == ideal["bound"] == 5.0
    calls = [Call("review", 1.0, 3.0), Call("review", 2.0, 4.0), Call("self_check", 5.0, 6.0)]
    busy = fig.model_busy(calls, 0.0, 7.0)
    assert busy == {"busy": 4.0, "before_first": 1.0, "after_last": 1.0, "gaps": 1.0}


def test_self_check_candidates_are_parsed() -> None:
    user = "--- candidate 2: src/a b.py line 12-14 (major, score 7, bug)\nTitle\n"
    assert candidates(user) == [(2, "src/a b.py", 12, "major", 7)]


def test_one_file_push_extends_a_new_file() -> None:
    text = make_sized("medium")
    files = list(triage(parse_diff(text), Config()).reviewable)
    push = one_file_push(text, files, lines=10)
    assert push is not None
    before = parse_diff(text).file(push.path)
    after = parse_diff(push.full_diff).file(push.path)
    assert after.added == before.added + 10
    (pushed,) = parse_diff(push.push_diff).files
    assert pushed.path == push.path and pushed.added == 10 and pushed.removed == 0
    assert len(parse_diff(push.full_diff).files) == len(parse_diff(text).files)
