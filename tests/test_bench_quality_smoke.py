"""The quality benchmark's harness, proved with the fake model: an oracle scores 100%, silence 0.

No real model: `--fake` answers from a local OpenAI-compatible server. No timing assertions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.quality import main
from bench.quality_data import AACR_LABELS, CORPUS, DEFECTS4J, Label, bug_locations
from bench.quality_metrics import matches
from reviewbot.diff import parse_diff
from tests.conftest import CONTRACTS

needs_corpus = pytest.mark.skipif(
    not (CORPUS / DEFECTS4J / "index.jsonl").is_file() or not (CORPUS / AACR_LABELS).is_file(),
    reason=f"the labelled benchmark data in {CORPUS} (../shared/corpus) is absent",
)
needs_contracts = pytest.mark.skipif(
    not (CONTRACTS / "openai-chat-openapi.json").is_file(),
    reason="the fake model server is built from ../shared/contracts/openai-chat-openapi.json "
    "(absent)",
)
# Patches whose bug lines reviewbot reviews (it skips files that only delete lines), and two
# small pull requests of which one has low-value (negative) comments.
CASES = "Chart-1,Lang-1,Math-2,aacr-ts-cline-pr5177,aacr-ts-cline-pr1808"
REPORT_KEYS = {"version", "options", "environment", "datasets", "stopped", "total_seconds"}
REPORT_KEYS.add("cases")
HEALTH_KEYS = {"cases", "reviewed", "partial", "failed", "nothing_to_review", "not_run"}
HEALTH_KEYS |= {"chunks", "failed_chunks", "reachable", "findings", "findings_per_case"}
HEALTH_KEYS |= {"by_window", "usage"}
D4J_WINDOW = {"bug_recall", "bug_recall_reachable", "top1_recall", "top3_recall"}
D4J_WINDOW |= {"precision_proxy", "findings_near_bug", "patches_hit"}
AACR_WINDOW = {"comment_recall", "comment_recall_reachable", "comments_matched"}
AACR_WINDOW |= {"recall_by_category", "unmatched_share", "noise_rate", "negative_match_share"}
USAGE_KEYS = {"requests", "prompt_tokens", "completion_tokens", "prompt_tokens_per_case"}
USAGE_KEYS |= {"completion_tokens_per_case", "cost", "cost_per_case", "currency"}
USAGE_KEYS |= {"seconds_median", "seconds_sum"}
CASE_KEYS = {"dataset", "name", "patch", "info", "files", "changed_lines", "labels", "negatives"}
CASE_KEYS |= {"status", "findings", "score", "chunks", "failed_chunks", "skipped", "usage"}
CASE_KEYS |= {"labels_on_skipped_files", "stopped", "seconds"}
FINDING_KEYS = {"path", "line", "end_line", "side", "severity", "category", "score", "title"}
FINDING_KEYS |= {"body", "suggestion", "inline", "note", "checked", "fingerprint", "matches"}


def run(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "quality.json"
    assert main([*args, "-q", "--json", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


@needs_corpus
@needs_contracts
def test_the_oracle_finds_every_label(tmp_path: Path) -> None:
    report = run(tmp_path, "--fake", "oracle", "--only", CASES)
    d4j, aacr = report["datasets"]["defects4j"], report["datasets"]["aacr"]
    assert d4j["cases"] == d4j["reviewed"] == d4j["reachable"] == 3
    for window in ("0", "3"):
        m = d4j["by_window"][window]
        assert m["bug_recall"] == m["top1_recall"] == m["top3_recall"] == 1.0
        assert m["precision_proxy"] == 1.0
        a = aacr["by_window"][window]
        assert a["comment_recall"] == 1.0 and a["comments_matched"] == aacr["comments"] == 5
        assert a["unmatched_share"] == 0.0 and a["noise_rate"] == 0.0
    assert aacr["noise_basis"]["prs"] == 1  # cline PR 1808 has two negative comments
    assert d4j["usage"]["requests"] == 6  # a review and a self-check per patch
    assert d4j["usage"]["prompt_tokens"] > 0 and d4j["usage"]["cost"] > 0


@needs_corpus
@needs_contracts
def test_a_silent_model_finds_nothing(tmp_path: Path) -> None:
    report = run(tmp_path, "--fake", "silent", "--only", CASES)
    d4j, aacr = report["datasets"]["defects4j"], report["datasets"]["aacr"]
    assert d4j["findings"] == aacr["findings"] == 0
    assert d4j["by_window"]["3"]["bug_recall"] == 0.0
    assert d4j["by_window"]["3"]["precision_proxy"] is None  # no findings: undefined
    assert aacr["by_window"]["3"]["comment_recall"] == 0.0
    assert d4j["usage"]["requests"] == 3  # no findings: no self-check


@needs_corpus
@needs_contracts
def test_the_report_has_the_documented_keys(tmp_path: Path) -> None:
    report = run(tmp_path, "--fake", "noise", "--only", CASES, "--window", "2")
    assert set(report) == REPORT_KEYS
    assert report["options"]["fake"] == "noise" and report["options"]["window"] == 2
    d4j, aacr = report["datasets"]["defects4j"], report["datasets"]["aacr"]
    assert HEALTH_KEYS | {"recall_by_project"} == set(d4j)
    assert HEALTH_KEYS | {"comments", "noise_basis"} == set(aacr)
    assert set(d4j["by_window"]) == set(aacr["by_window"]) == {"0", "2"}
    assert set(d4j["by_window"]["2"]) == D4J_WINDOW
    assert set(aacr["by_window"]["2"]) == AACR_WINDOW
    assert set(d4j["usage"]) == set(aacr["usage"]) == USAGE_KEYS
    for case in report["cases"]:
        assert set(case) == CASE_KEYS
        assert all(set(f) == FINDING_KEYS for f in case["findings"])
    # the noise responder reports exactly the low-value comments: every finding is noise
    assert aacr["findings"] > 0 and aacr["by_window"]["0"]["negative_match_share"] == 1.0


@needs_corpus
@needs_contracts
def test_the_random_reviewer_is_the_same_every_run(tmp_path: Path) -> None:
    first = run(tmp_path, "--fake", "random", "--only", "Lang-1,aacr-ts-cline-pr5177")
    again = run(tmp_path, "--fake", "random", "--only", "Lang-1,aacr-ts-cline-pr5177")
    spots = [[(f["path"], f["line"]) for f in c["findings"]] for c in first["cases"]]
    assert spots == [[(f["path"], f["line"]) for f in c["findings"]] for c in again["cases"]]
    assert all(spots)


@needs_corpus
def test_dry_run_prices_the_plan(tmp_path: Path) -> None:
    report = run(tmp_path, "--dry-run", "--provider", "deepseek", "--only", "Lang-1")
    row = report["datasets"]["all"]["providers"]["deepseek/deepseek-chat"]
    assert report["dry_run"] and report["datasets"]["defects4j"]["chunks"] == 1
    assert row["prompt_tokens"] > 0 and row["cost"] > 0 and row["currency"] == "USD"


def test_bug_locations_are_runs_of_changed_lines_and_gaps() -> None:
    diff = parse_diff(
        "diff --git a/A.java b/A.java\n--- a/A.java\n+++ b/A.java\n"
        "@@ -10,6 +10,4 @@\n a\n-b\n c\n-d\n-e\n+E\n f\n"
    )
    assert bug_locations(diff) == [
        Label("A.java", "LEFT", 11, 11, kind="removed"),
        Label("A.java", "RIGHT", 10, 11, kind="gap"),  # the lines around the deleted one
        Label("A.java", "RIGHT", 12, 12, kind="added"),
        Label("A.java", "LEFT", 13, 14, kind="removed"),
    ]


def test_a_finding_matches_within_the_window_on_the_same_side() -> None:
    label = Label("a.py", "RIGHT", 20, 22)
    near = {"path": "a.py", "line": 14, "end_line": 17, "side": "RIGHT"}
    assert matches(near, label, 3) and not matches(near, label, 2)
    assert not matches({**near, "side": "LEFT"}, label, 3)
    assert not matches({**near, "path": "b.py"}, label, 3)
    assert matches({"path": "a.py", "line": 25, "end_line": None, "side": "RIGHT"}, label, 3)
