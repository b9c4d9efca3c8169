"""The result cache: never pay twice for the same chunk, and never serve a stale answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewbot.main import main
from tests.conftest import needs_contracts
from tests.fakes.scripted_model import Rule, ScriptedReviewer

pytestmark = needs_contracts
SOURCE = "def f(a):\n    return a / 0\n"


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from tests.fakes.openai_server import FakeOpenAI

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(SOURCE)
    reviewer = ScriptedReviewer([Rule(r"/ 0", "Division by zero")])
    with FakeOpenAI(responder=reviewer) as srv:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        yield srv


def run(capsys, *args: str) -> dict:
    assert main(["-q", "--format", "json", "app.py", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_second_run_makes_no_model_call(model, capsys, tmp_path: Path) -> None:
    first = run(capsys)
    assert first["usage"]["requests"] == 2
    assert first["cached_chunks"] == 0
    second = run(capsys)
    assert second["usage"]["requests"] == 0
    assert second["cached_chunks"] == 1
    assert second["findings"] == first["findings"]
    assert len(model.requests) == 2
    assert any((tmp_path / ".reviewbot-cache").rglob("*.json"))


def test_changed_code_or_settings_miss_the_cache(model, capsys, tmp_path: Path) -> None:
    run(capsys)
    run(capsys, "--language", "zh-CN")  # reaches the prompt: a new answer
    assert len(model.requests) == 4
    (tmp_path / "app.py").write_text(SOURCE + "\nx = 1 / 0\n")
    third = run(capsys)
    assert third["usage"]["requests"] == 2
    assert [f["line"] for f in third["findings"]] == [2, 4]


def test_no_cache_flag_and_damaged_entries(model, capsys, tmp_path: Path) -> None:
    run(capsys)
    assert run(capsys, "--no-cache")["usage"]["requests"] == 2
    for entry in (tmp_path / ".reviewbot-cache").rglob("*.json"):
        entry.write_text("{not json")
    again = run(capsys)
    assert again["usage"]["requests"] == 2  # ignored and rewritten
    assert run(capsys)["usage"]["requests"] == 0


def test_failed_chunks_are_not_cached(model, capsys) -> None:
    from tests.fakes.openai_server import Fault

    model.enqueue(*[Fault(status=500, retry_after="0")] * 5)
    assert main(["-q", "--format", "json", "app.py"]) == 3
    capsys.readouterr()
    assert run(capsys)["usage"]["requests"] == 2
