"""The publishers: the same result as SARIF, Markdown, text and JSON."""

from __future__ import annotations

import json

from reviewbot.anchors import Anchor
from reviewbot.findings import Finding
from reviewbot.main import main
from reviewbot.publish import jsondoc, markdown, sarif, text
from reviewbot.result import FailedChunk, ReviewResult, Usage
from reviewbot.triage import Skipped
from tests.conftest import needs_contracts
from tests.fakes.scripted_model import Rule, ScriptedReviewer


def finding(**changes: object) -> Finding:
    base = {
        "path": "src/app.py",
        "line": 12,
        "end_line": 14,
        "side": "RIGHT",
        "severity": "major",
        "category": "bug",
        "score": 8,
        "title": "Off by one",
        "body": "The loop skips the last.",
        "suggestion": "for i in range(n + 1):",
        "anchor": Anchor("src/app.py", 14, "RIGHT", start_line=12, start_side="RIGHT"),
    }
    return Finding(**{**base, **changes})  # type: ignore[arg-type]


def result(*findings: Finding) -> ReviewResult:
    return ReviewResult(
        findings=list(findings),
        skipped=[Skipped("yarn.lock", "lockfile", "lockfile")],
        failed=[FailedChunk(2, ("big.py",), "HTTP 500 after 4 retries")],
        usage=Usage(),
        chunks=2,
        files_reviewed=["src/app.py"],
        score=6.5,
        summaries=["Mostly fine."],
    )


def test_sarif_2_1_0() -> None:
    minor = finding(
        severity="minor",
        category="performance",
        line=3,
        end_line=None,
        anchor=Anchor("src/app.py", 3),
    )
    doc = json.loads(sarif.render(result(finding(), minor)))
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    assert run["tool"]["driver"]["name"] == "reviewbot"
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["bug", "performance"]
    first, second = run["results"]
    assert first["level"] == "error" and second["level"] == "warning"
    assert first["ruleIndex"] == 0 and second["ruleIndex"] == 1
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 12, "endLine": 14}
    assert "endLine" not in second["locations"][0]["physicalLocation"]["region"]
    assert first["partialFingerprints"]["reviewbot/v1"] == finding().fingerprint


def test_markdown_fence_outgrows_backticks_in_the_code() -> None:
    assert markdown.fence("a ``` b") == "````\na ``` b\n````"
    assert markdown.fence("x", "suggestion") == "```suggestion\nx\n```"
    body = markdown.finding_markdown(finding(suggestion="s = '```'"), suggestion_block=True)
    assert "````suggestion\ns = '```'\n````" in body


def test_suggestion_block_only_for_exactly_the_anchored_lines() -> None:
    moved = finding(
        anchor=Anchor(
            "src/app.py",
            14,
            "RIGHT",
            start_line=13,
            start_side="RIGHT",
            moved="lines 12-14 reach outside the hunk",
        )
    )
    assert "```suggestion" in markdown.finding_markdown(finding(), suggestion_block=True)
    assert "```suggestion" not in markdown.finding_markdown(moved, suggestion_block=True)
    assert "```suggestion" not in markdown.finding_markdown(
        finding(side="LEFT", anchor=Anchor("src/app.py", 14, "LEFT")), suggestion_block=True
    )


def test_text_and_markdown_name_skipped_and_failed_parts() -> None:
    plain = text.render(result(finding()))
    assert "src/app.py" in plain and "12-14" in plain and "MAJOR" in plain
    assert "yarn.lock: lockfile" in plain
    assert "chunk 2 (big.py): HTTP 500 after 4 retries" in plain
    assert "\x1b[" not in plain
    assert "\x1b[" in text.render(result(finding()), color=True)
    md = markdown.render(result(finding()))
    assert "### `src/app.py` line 12-14" in md and "Skipped files (1)" in md


def test_json_document_is_stable() -> None:
    doc = jsondoc.document(result(finding()))
    assert doc["version"] == 1
    assert list(doc["findings"][0]) == [
        "path",
        "line",
        "end_line",
        "side",
        "severity",
        "category",
        "score",
        "title",
        "body",
        "suggestion",
        "inline",
        "note",
        "checked",
        "fingerprint",
    ]
    assert doc["failed_chunks"] == [
        {"chunk": 2, "paths": ["big.py"], "reason": "HTTP 500 after 4 retries"}
    ]
    assert doc["skipped"] == [{"path": "yarn.lock", "reason": "lockfile", "detail": "lockfile"}]


@needs_contracts
def test_a_review_writes_sarif_and_a_dry_run_does_not(tmp_path, monkeypatch, capsys) -> None:
    from tests.fakes.openai_server import FakeOpenAI

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("x = 1\ny = x / 0\n")
    assert main(["--dry-run", "--sarif", "out.sarif", "a.py"]) == 0
    assert not (tmp_path / "out.sarif").exists()
    with FakeOpenAI(responder=ScriptedReviewer([Rule(r"/ 0", "Division by zero")])) as srv:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        assert main(["-q", "--sarif", "out.sarif", "a.py"]) == 0
    (only,) = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"]
    assert only["message"]["text"].startswith("Division by zero")
    assert only["locations"][0]["physicalLocation"]["region"] == {"startLine": 2}
