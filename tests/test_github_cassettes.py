"""A whole `--github` run replayed from a cassette: no server, no network, a second or less.

The cassette holds the HTTP traffic of one run against the local GitHub and model servers (both
APIs: PyGithub's `requests` and the openai SDK's `httpx2`). Replay points both base URLs at a
port where nothing listens, so a request the cassette does not hold fails the test.

Re-record with `REVIEWBOT_RECORD=1 python -m pytest tests/test_github_cassettes.py` (missing
cassettes) or `REVIEWBOT_RECORD=all` (all of them); the `Authorization` header is never saved.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import vcr

from reviewbot.main import main
from tests.conftest import needs_contracts
from tests.fakes.scripted_model import ScriptedReviewer
from tests.test_github_e2e import BASE, DIFF, HEAD, RULES

CASSETTES = Path(__file__).parent / "cassettes" / "test_github_cassettes"
NOWHERE = "http://127.0.0.1:9"
RECORD = os.environ.get("REVIEWBOT_RECORD", "").strip().lower()
RECORD_MODE = {"1": "once", "once": "once", "all": "all"}.get(RECORD, "none")
TOKEN, KEY = "ghs_test", "sk-test"


def _accept(r1: Any, r2: Any) -> None:
    """The pull request is asked for twice: as JSON and as a diff."""

    def kind(request: Any) -> bool:
        return "diff" in (request.headers.get("Accept") or "")

    assert kind(r1) == kind(r2)


LOCAL_URL = re.compile(rb"http://127\.0\.0\.1:\d+")


def _portable(response: dict[str, Any]) -> dict[str, Any]:
    """URLs in recorded bodies point at the replay address: PyGithub follows them (a PR's
    `url`, `Link` pages) and refuses a host that is not its base URL."""
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        response["body"]["string"] = LOCAL_URL.sub(NOWHERE.encode(), body)
    for name, values in response.get("headers", {}).items():
        if name.lower() == "link":
            response["headers"][name] = [
                LOCAL_URL.sub(NOWHERE.encode(), v.encode()).decode() for v in values
            ]
    return response


RUN_MARKER = re.compile(r"<!-- reviewbot:run=\w+ -->")


def _same_post(r1: Any, r2: Any) -> None:
    """What is posted to GitHub must be what was recorded (this run's marker aside)."""
    if r1.method == "POST" and "/repos/" in r1.path:
        assert _posted(r1) == _posted(r2), "the review or summary differs from the recording"


def _posted(request: Any) -> Any:
    return json.loads(RUN_MARKER.sub("", (request.body or b"{}").decode()))


def recorder() -> vcr.VCR:
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=RECORD_MODE,
        match_on=("method", "path", "query", "accept", "same_post"),
        filter_headers=["authorization", "cookie"],
        before_record_response=_portable,
        decode_compressed_response=True,
    )
    recorder.register_matcher("accept", _accept)
    recorder.register_matcher("same_post", _same_post)
    return recorder


@contextmanager
def servers(recording: bool, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The fakes when recording; a closed port for both APIs when replaying."""
    if not recording:
        yield NOWHERE, f"{NOWHERE}/v1"
        return
    if needs_contracts.args[0]:  # the skip condition: recording needs the fake servers
        pytest.skip(needs_contracts.kwargs["reason"])
    from tests.fakes.github_server import FakeGitHub, PullRequestSpec
    from tests.fakes.openai_server import FakeOpenAI

    pr = PullRequestSpec(number=7, diff=DIFF, base_sha=BASE, head_sha=HEAD)
    with (
        FakeOpenAI(responder=ScriptedReviewer(list(RULES)), api_key=KEY) as model,
        FakeGitHub(pulls=[pr], token=TOKEN) as gh,
    ):
        yield gh.api_url, model.base_url


def replay(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[int, list[Any]]:
    """Run `--github` through cassette `name`; the exit code and the requests it holds."""
    path = CASSETTES / f"{name}.yaml"
    recording = RECORD_MODE == "all" or (RECORD_MODE == "once" and not path.exists())
    if not recording and not path.exists():
        pytest.fail(f"cassette {path} is missing: record it with REVIEWBOT_RECORD=1")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    monkeypatch.chdir(tmp_path)
    with servers(recording, tmp_path) as (api_url, model_url):
        for name_, value in {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": "octo/demo",
            "GITHUB_API_URL": api_url,
            "GITHUB_EVENT_PATH": str(event),
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": model_url,
            "REVIEWBOT_GITHUB_WRITE_INTERVAL": "0",
        }.items():
            monkeypatch.setenv(name_, value)
        with recorder().use_cassette(path.name) as tape:
            code = main(["--github", "-q", "--no-cache"])
            if not recording:
                assert tape.all_played, "the run made fewer requests than the recording"
            requests = list(tape.requests)
    return code, requests


def body(request: Any) -> dict[str, Any]:
    return json.loads(request.body or b"{}")


def test_replayed_pull_request_review(monkeypatch, tmp_path) -> None:
    code, sent = replay("test_replayed_pull_request_review", monkeypatch, tmp_path)
    assert code == 0
    (review,) = [r for r in sent if r.method == "POST" and r.path.endswith("/pulls/7/reviews")]
    comments = body(review)["comments"]
    assert sorted((c["path"], c["line"], c["side"]) for c in comments) == [
        ("app.py", 2, "RIGHT"),
        ("app.py", 3, "RIGHT"),
    ]
    assert body(review)["event"] == "COMMENT"
    assert "```suggestion\n    x = a\n```" in next(c["body"] for c in comments if c["line"] == 2)
    (summary,) = [r for r in sent if r.method == "POST" and r.path.endswith("/issues/7/comments")]
    assert body(summary)["body"].startswith("<!-- reviewbot:summary -->")
    chats = [r for r in sent if r.path.endswith("/chat/completions")]
    assert len(chats) == 2  # review and self-check


def test_cassettes_hold_no_credentials() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "authorization" not in text.lower(), path
        assert TOKEN not in text and KEY not in text, path
