"""`main(argv)` in process against the fake OpenAI server: exit codes, progress, logging."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewbot.main import main
from tests.fakes import openai_server
from tests.fakes.openai_server import FakeOpenAI, Fault
from tests.fakes.scripted_model import Rule, ScriptedReviewer

KEY = "sk-test-cli-0123456789abcdef"
CONTRACT = Path(os.environ.get("OPENAI_CONTRACT_PATH") or openai_server._CONTRACT)
SOURCE = "def ratio(a):\n    return a / 0\n"


@pytest.fixture
def scripted() -> ScriptedReviewer:
    return ScriptedReviewer(rules=[Rule(r"/ 0", "Division by zero")])


@pytest.fixture
def srv(
    scripted: ScriptedReviewer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeOpenAI]:
    if not CONTRACT.is_file():
        pytest.skip(f"the fake OpenAI server needs the contract {CONTRACT} (../shared is absent)")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(SOURCE, encoding="utf-8")
    with FakeOpenAI(responder=scripted, api_key=KEY) as server:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        yield server


def test_a_clean_run_returns_0(srv: FakeOpenAI, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["app.py"]) == 0
    out = capsys.readouterr().out
    assert "        2  MAJOR  score 8/10  bug  Division by zero" in out
    assert len(srv.requests) == 2


def test_verbose_says_each_retry(srv: FakeOpenAI, capsys: pytest.CaptureFixture[str]) -> None:
    srv.enqueue(Fault(status=503, retry_after="0.01"))
    assert main(["app.py", "-v"]) == 0
    err = capsys.readouterr().err
    assert "model request failed (HTTP 503: The engine is currently overloaded" in err
    assert "retry 1 in 0.0s" in err


def test_nothing_usable_for_any_chunk_exits_3(
    srv: FakeOpenAI, scripted: ScriptedReviewer, capsys: pytest.CaptureFixture[str]
) -> None:
    scripted.broken_pattern = "."
    assert main(["app.py"]) == 3
    err = capsys.readouterr().err
    assert "no chunk could be reviewed: unusable answer twice: the reply holds no JSON" in err
    assert len(srv.requests) == 2  # the answer and its one retry


def test_progress_per_chunk_unless_quiet(
    srv: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("one", "two"):
        (tmp_path / f"{name}.py").write_text(SOURCE * 60, encoding="utf-8")
    config = tmp_path / "settings.yml"
    config.write_text("max_output_tokens: 256\n", encoding="utf-8")
    args = ["one.py", "two.py", "--chunk-tokens", "3000", "--config", str(config)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "reviewbot: [1/" in err
    assert " findings" in err
    assert main([*args, "-q"]) == 0
    assert "reviewbot: [" not in capsys.readouterr().err


def test_the_failure_of_one_request_is_one_line(
    srv: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    srv.enqueue(Fault(status=404))
    assert main(["app.py"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "model 'gpt-4.1-mini' or the API at http://127.0.0.1:" in err
    assert "check --model and --base-url" in err


def test_a_bug_exits_70_with_a_scrubbed_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A crash must never read as "findings" (exit 1), nor print the key."""
    import reviewbot.main as entry

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"unexpected state near {KEY}")

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(SOURCE, encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setattr(entry, "run_review", explode)
    assert main(["app.py"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError" in err
    assert KEY not in err
    assert "this is a bug in reviewbot" in err


def test_expected_errors_are_annotated_in_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    assert main([str(tmp_path / "missing.py")]) == 2
    out = capsys.readouterr().out
    assert out.startswith("::error title=reviewbot::")
    assert "missing.py: no such file" in (tmp_path / "summary.md").read_text()
