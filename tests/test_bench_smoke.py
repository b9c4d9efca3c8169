"""The diff-engine benchmark runs end to end on small synthetic diffs. No timing assertions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.diff_engine import TARGETS, main, run_once, summarize
from bench.synth import SIZES, make_diff
from reviewbot.config import Config
from reviewbot.diff import parse_diff
from reviewbot.triage import triage

REPORT_KEYS = {
    "version",
    "runs",
    "isolated",
    "deterministic",
    "input",
    "environment",
    "budget",
    "seconds",
    "rss_mb",
    "coverage",
    "chunks",
    "skipped",
    "targets",
    "passed",
}
STEPS = {"import", "tokenizer", "budget", "parse", "triage", "redact", "chunk", "engine"}


@pytest.mark.parametrize("size", ["small", "medium"])
def test_synthetic_diff_has_the_asked_size_and_is_deterministic(size: str) -> None:
    files, lines = SIZES[size]
    text = make_diff(files, lines, seed=7)
    assert text == make_diff(files, lines, seed=7)
    assert text != make_diff(files, lines, seed=8)
    diff = parse_diff(text)
    assert len(diff.files) == files
    assert diff.changed_lines == lines


def test_synthetic_diff_gives_triage_work() -> None:
    skipped = triage(parse_diff(make_diff(*SIZES["medium"], seed=1)), Config()).skipped
    reasons = {s.reason for s in skipped}
    assert {"lockfile", "vendored", "minified", "generated", "binary", "deleted"} <= reasons


def test_report_in_process_covers_every_changed_line(tmp_path: Path) -> None:
    path = tmp_path / "small.patch"
    path.write_text(make_diff(*SIZES["small"], seed=1), encoding="utf-8", newline="")
    report = summarize([run_once(path)], isolated=False)
    json.loads(json.dumps(report))  # JSON-ready
    assert set(report) == REPORT_KEYS
    assert set(report["seconds"]) == STEPS
    assert set(report["targets"]) == set(TARGETS)
    assert report["input"]["changed_lines"] == SIZES["small"][1]
    assert report["coverage"]["percent"] == 100.0
    assert report["coverage"]["missing"] == report["coverage"]["owned_twice_or_more"] == 0
    assert report["targets"]["coverage_percent"]["passed"] is True
    assert report["chunks"]["rendered_over_budget"] == 0


def test_command_line_writes_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diff, out = tmp_path / "small.patch", tmp_path / "out" / "bench.json"
    diff.write_text(make_diff(*SIZES["small"], seed=2), encoding="utf-8", newline="")
    assert main(["--diff", str(diff), "--repeat", "1", "--json", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == REPORT_KEYS
    assert report["isolated"] is True
    assert report["coverage"]["percent"] == 100.0
    assert "targets" in capsys.readouterr().out
