"""OpenAIModel against the fake OpenAI server: retries, fatal errors, formats, usage, cassettes."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import openai
import pytest
import vcr

from reviewbot.config import Config
from reviewbot.errors import ModelAuthError, ModelError
from reviewbot.limiter import AdaptiveLimiter
from reviewbot.model import CallFailed, OpenAIModel
from reviewbot.model_retry import MAX_WAIT, request_budget
from reviewbot.model_retry import retry_after as _retry_after
from reviewbot.providers import resolve
from reviewbot.replies import parse_reply
from reviewbot.reply_schema import response_schema, selfcheck_schema
from tests.fakes import openai_server
from tests.fakes.openai_server import FakeOpenAI, Fault, Reply, count_tokens, make_usage

KEY = "sk-test-model-0123456789abcdef"
CONTRACT = Path(os.environ.get("OPENAI_CONTRACT_PATH") or openai_server._CONTRACT)
ANSWER = json.dumps(
    {
        "score": 7,
        "summary": "One bug.",
        "findings": [
            {
                "path": "app.py",
                "line": 2,
                "end_line": None,
                "side": "RIGHT",
                "severity": "major",
                "category": "bug",
                "score": 8,
                "title": "Division by zero",
                "body": "b may be 0.",
                "suggestion": None,
            }
        ],
    }
)
MESSAGES = [
    {"role": "system", "content": "You review code. Answer with one JSON object."},
    {"role": "user", "content": "=== FILE: app.py (whole file) ===\n1+ def f(a, b):\n2+ a / b\n"},
]
SCHEMA = response_schema()


def needs_contract() -> None:
    if not CONTRACT.is_file():
        pytest.skip(f"the fake OpenAI server needs the contract {CONTRACT} (../shared is absent)")


@pytest.fixture
def srv() -> Iterator[FakeOpenAI]:
    needs_contract()
    with FakeOpenAI(responder=lambda request: ANSWER, api_key=KEY) as server:
        yield server


@pytest.fixture
def slept() -> list[float]:
    return []


@contextmanager
def model_for(
    server: FakeOpenAI | str, slept: list[float] | None = None, key: str = KEY, **settings: Any
) -> Iterator[OpenAIModel]:
    base_url = server if isinstance(server, str) else server.base_url
    endpoint = resolve("openai", base_url=base_url, model="gpt-4o-mini", env={})
    config = Config(**{"max_retries": 3, "timeout": 5.0, **settings})
    sleep = slept.append if slept is not None else None
    with OpenAIModel(endpoint, key, config, limiter=AdaptiveLimiter(4), sleep=sleep) as model:
        yield model


def statuses(server: FakeOpenAI) -> list[int | None]:
    return [r.status for r in server.requests]


# -- a normal answer -------------------------------------------------------------------------


def test_plain_answer_and_its_usage(srv: FakeOpenAI) -> None:
    with model_for(srv) as model:
        done = model.complete(MESSAGES, SCHEMA, 512)
    assert done.text == ANSWER
    assert (done.finish_reason, done.response_format, done.usage_reported) == (
        "stop",
        "json_schema",
        True,
    )
    assert done.prompt_tokens == openai_server.prompt_tokens(MESSAGES)
    assert done.completion_tokens == count_tokens(ANSWER)
    [request] = srv.requests
    assert request.body["response_format"] == {"type": "json_schema", "json_schema": SCHEMA}
    assert (request.body["max_tokens"], request.body["temperature"]) == (512, 0.2)
    assert "stream" not in request.body
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers.get("x-stainless-retry-count", "0") == "0"


def test_streamed_answer_takes_usage_from_the_last_event(srv: FakeOpenAI) -> None:
    srv.responder = lambda request: Reply(ANSWER, usage=make_usage(1234, 56))
    with model_for(srv, stream=True) as model:
        done = model.complete(MESSAGES, SCHEMA, 512)
    assert done.text == ANSWER
    assert (done.prompt_tokens, done.completion_tokens, done.usage_reported) == (1234, 56, True)
    assert done.finish_reason == "stop"
    body = srv.requests[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_a_server_that_ignores_stream_is_read_whole(srv: FakeOpenAI) -> None:
    payload = openai_server.completion_payload(Reply(ANSWER), "gpt-4o-mini", make_usage(9, 8))
    srv.enqueue(Fault(raw_body=json.dumps(payload).encode()))
    with model_for(srv, stream=True) as model:
        done = model.complete(MESSAGES, SCHEMA, 512)
    assert (done.text, done.prompt_tokens, done.completion_tokens) == (ANSWER, 9, 8)
    assert len(srv.requests) == 1


def test_truncated_answer_keeps_its_finish_reason(srv: FakeOpenAI) -> None:
    srv.responder = lambda request: Reply(ANSWER[:60], finish_reason="length")
    for stream in (False, True):
        with model_for(srv, stream=stream) as model:
            done = model.complete(MESSAGES, SCHEMA, 512)
        assert (done.text, done.finish_reason) == (ANSWER[:60], "length")


# -- transient faults: retried ----------------------------------------------------------------

TRANSIENT = {
    "429 Retry-After": Fault(status=429, retry_after="0.01"),
    "429 no Retry-After": Fault(status=429),
    "429 retry-after-ms": Fault(status=429, headers={"retry-after-ms": "20"}),
    "500": Fault(status=500),
    "502": Fault(status=502),
    "503": Fault(status=503, retry_after="0.01"),
    "502 proxy page": Fault(raw_body=b"<html>Bad gateway</html>", status=502,
                            content_type="text/html"),
    "reset": Fault(reset=True),
    "reset mid-body": Fault(reset_mid_stream=True),
    "cut-off JSON 200": Fault(raw_body=b'{"id": "chatcmpl-1", "choi'),
}  # fmt: skip


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("fault", TRANSIENT.values(), ids=TRANSIENT.keys())
def test_transient_fault_is_retried(
    srv: FakeOpenAI, slept: list[float], fault: Fault, stream: bool
) -> None:
    srv.enqueue(fault)
    with model_for(srv, slept, stream=stream) as model:
        done = model.complete(MESSAGES, SCHEMA, 512)
    assert done.text == ANSWER
    assert len(srv.requests) == 2
    assert statuses(srv)[-1] == 200
    assert len(slept) == 1
    hinted = _retry_after_of(fault)
    if hinted is not None:
        assert hinted <= slept[0] <= hinted * 1.1 + 1e-9
    else:
        assert 0.5 <= slept[0] <= 1.0  # first exponential back-off, with jitter
    throttled = fault.status == 429
    assert model.limiter.lowest == (2 if throttled else 4)


def _retry_after_of(fault: Fault) -> float | None:
    if fault.retry_after is not None:
        return float(fault.retry_after)
    if "retry-after-ms" in fault.headers:
        return float(fault.headers["retry-after-ms"]) / 1000
    return None


def test_reset_in_the_middle_of_a_stream_is_retried(srv: FakeOpenAI, slept: list[float]) -> None:
    srv.enqueue(Fault(reset_mid_stream=True, after_chunks=3))
    with model_for(srv, slept, stream=True) as model:
        done = model.complete(MESSAGES, SCHEMA, 512)
    assert done.text == ANSWER  # the partial answer was dropped, not glued to the next one
    assert len(srv.requests) == 2


def test_timeout_is_retried(srv: FakeOpenAI, slept: list[float]) -> None:
    srv.enqueue(Fault(delay=5.0))
    started = time.monotonic()
    with model_for(srv, slept, timeout=1.0) as model:  # roomy: a loaded machine answers slowly
        done = model.complete(MESSAGES, SCHEMA, 512)
    assert done.text == ANSWER
    assert time.monotonic() - started < 4.0
    assert [r.status for r in srv.requests] == [None, 200]  # the first never got an answer
    assert any("1 request timed out or lost the connection" in n for n in model.notes())


def test_retries_stop_after_max_retries(srv: FakeOpenAI, slept: list[float]) -> None:
    srv.enqueue(*[Fault(status=500)] * 5)
    with model_for(srv, slept, max_retries=2) as model, pytest.raises(CallFailed) as info:
        model.complete(MESSAGES, SCHEMA, 512)
    assert statuses(srv) == [500, 500, 500]
    assert len(slept) == 2
    assert slept[1] >= 1.0  # the back-off grows: 1-2 s for the second retry
    assert "HTTP 500" in str(info.value)
    assert "after 3 attempts" in str(info.value)


def test_persistent_429_fails_the_call_and_lowers_the_limit(
    srv: FakeOpenAI, slept: list[float]
) -> None:
    srv.enqueue(*[Fault(status=429, retry_after="0.01")] * 4)
    with model_for(srv, slept, max_retries=3) as model:
        with pytest.raises(CallFailed, match="rate limited"):
            model.complete(MESSAGES, SCHEMA, 512)
        assert model.limiter.lowest == 1
        assert any("rate-limited" in note for note in model.notes())


def test_retry_after_longer_than_the_budget_stops_at_once(
    srv: FakeOpenAI, slept: list[float]
) -> None:
    srv.enqueue(Fault(status=503, retry_after="30"))
    with model_for(srv, slept, timeout=1.0, max_retries=4) as model:
        assert request_budget(model.config) == 5.0
        with pytest.raises(CallFailed, match="HTTP 503"):
            model.complete(MESSAGES, SCHEMA, 512)
    assert (len(srv.requests), slept) == (1, [])


def test_a_retry_after_of_an_hour_is_not_waited_for(srv: FakeOpenAI, slept: list[float]) -> None:
    srv.enqueue(Fault(status=429, retry_after="3600"))
    with (
        model_for(srv, slept, timeout=600.0) as model,
        pytest.raises(CallFailed, match="asks to wait 3600 s"),
    ):
        model.complete(MESSAGES, SCHEMA, 512)
    assert (len(srv.requests), slept) == (1, [])


def test_total_time_per_request_is_bounded(srv: FakeOpenAI) -> None:
    """Real sleeps: budget 0.55 s, Retry-After 0.2 s; at most three attempts fit."""
    srv.enqueue(*[Fault(status=429, retry_after="0.2")] * 10)
    started = time.monotonic()
    with model_for(srv, timeout=0.05, max_retries=10) as model, pytest.raises(CallFailed):
        model.complete(MESSAGES, SCHEMA, 512)
    assert 2 <= len(srv.requests) <= 3
    assert time.monotonic() - started < 3.0


def test_a_stream_slower_than_the_budget_fails() -> None:
    """A server that trickles events never trips the read timeout; the budget still ends it."""
    httpx2 = pytest.importorskip("httpx2", reason="the openai SDK of this test uses httpx2")
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": None}],
    }

    class Trickle(httpx2.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for _ in range(100):
                time.sleep(0.02)
                yield b"data: " + json.dumps(chunk).encode() + b"\n\n"

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=Trickle())

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    client = openai.OpenAI(api_key=KEY, base_url="http://fake.invalid/v1", max_retries=0,
                           http_client=http)  # fmt: skip
    endpoint = resolve("openai", base_url="http://fake.invalid/v1", env={})
    config = Config(timeout=0.1, max_retries=1, stream=True)
    started = time.monotonic()
    with client, pytest.raises(CallFailed, match="took longer than"):
        OpenAIModel(endpoint, KEY, config, client=client).complete(MESSAGES, SCHEMA, 64)
    assert time.monotonic() - started < 1.5  # 100 events would take 2 s


# -- per-request failures: no retry, the chunk fails ------------------------------------------

PER_REQUEST = {
    "400": (Fault(status=400), "HTTP 400"),
    "400 context": (
        Fault(status=400, message="This model's maximum context length is 128000 tokens."),
        "maximum context length",
    ),
    "422": (Fault(status=422), "HTTP 422"),
    "empty choices": (Fault(empty_choices=True), "no choices"),
    "non-JSON 200": (Fault(raw_body=b"<html>Welcome</html>", content_type="text/html"), "JSON"),
}


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize(("fault", "message"), PER_REQUEST.values(), ids=PER_REQUEST.keys())
def test_per_request_failure_is_not_retried(
    srv: FakeOpenAI, slept: list[float], fault: Fault, message: str, stream: bool
) -> None:
    srv.enqueue(fault)
    with model_for(srv, slept, stream=stream) as model, pytest.raises(CallFailed) as info:
        model.complete(MESSAGES, SCHEMA, 512)
    assert message in str(info.value)
    assert (len(srv.requests), slept) == (1, [])
    assert model.response_format == "json_schema"  # not a format problem: no downgrade


# -- fatal failures: the run stops ------------------------------------------------------------


def test_wrong_key_stops_at_once_with_a_clear_message(srv: FakeOpenAI, slept: list[float]) -> None:
    wrong = "sk-wrong-0123456789abcdefghijkl"
    with model_for(srv, slept, key=wrong) as model, pytest.raises(ModelAuthError) as info:
        model.complete(MESSAGES, SCHEMA, 512)
    message = str(info.value)
    assert "refused the key" in message
    assert "OPENAI_API_KEY" in message
    assert "REVIEWBOT_API_KEY" in message
    assert wrong not in message
    assert (statuses(srv), slept) == ([401], [])


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        (Fault(status=401), ModelAuthError, "refused the key"),
        (Fault(status=403), ModelAuthError, "refused access"),
        (Fault(status=404), ModelError, "'gpt-4o-mini'"),
        (Fault(status=429, code="insufficient_quota"), ModelError, "quota"),
    ],
    ids=["401", "403", "404", "429 quota"],
)
def test_fatal_status_is_not_retried(
    srv: FakeOpenAI, slept: list[float], fault: Fault, error: type[Exception], words: str
) -> None:
    srv.enqueue(fault)
    with model_for(srv, slept) as model, pytest.raises(error) as info:
        model.complete(MESSAGES, SCHEMA, 512)
    assert type(info.value) is error
    assert words in str(info.value)
    assert (len(srv.requests), slept) == (1, [])
    assert model.limiter.lowest == 4  # a quota error is no reason to slow down


def test_nothing_listening_is_a_connection_failure(slept: list[float]) -> None:
    with (
        model_for("http://127.0.0.1:9/v1", slept, max_retries=2) as model,
        pytest.raises(CallFailed, match="could not connect") as info,
    ):
        model.complete(MESSAGES, SCHEMA, 512)
    assert "after 3 attempts" in str(info.value)
    assert len(slept) == 2


# -- structured output: json_schema -> json_object -> text ------------------------------------


def _formats(server: FakeOpenAI) -> list[str | None]:
    return [(r.body.get("response_format") or {}).get("type") for r in server.requests]


def test_json_schema_refused_falls_back_to_json_object() -> None:
    needs_contract()
    with (
        FakeOpenAI(lambda r: ANSWER, api_key=KEY, json_schema_support=False) as server,
        model_for(server) as model,
    ):
        first = model.complete(MESSAGES, SCHEMA, 512)
        second = model.complete(MESSAGES, selfcheck_schema(), 512)
        notes = model.notes()
    assert (first.text, first.response_format, second.response_format) == (
        ANSWER,
        "json_object",
        "json_object",
    )
    assert _formats(server) == ["json_schema", "json_object", "json_object"]
    assert statuses(server) == [400, 200, 200]
    [note] = notes
    assert "json_schema was refused" in note
    assert "using json_object" in note


def test_both_json_modes_refused_fall_back_to_text() -> None:
    needs_contract()
    flags = {"json_schema_support": False, "json_object_support": False}
    with FakeOpenAI(lambda r: ANSWER, api_key=KEY, **flags) as server, model_for(server) as model:
        done = model.complete(MESSAGES, SCHEMA, 512)
        notes = model.notes()
    assert (done.text, done.response_format) == (ANSWER, "text")
    assert _formats(server) == ["json_schema", "json_object", None]
    assert len(notes) == 2
    assert "using text" in notes[1]


def test_concurrent_refusals_downgrade_once() -> None:
    needs_contract()
    with (
        FakeOpenAI(lambda r: ANSWER, api_key=KEY, json_schema_support=False) as server,
        model_for(server) as model,
        ThreadPoolExecutor(4) as pool,
    ):
        done = list(pool.map(lambda _: model.complete(MESSAGES, SCHEMA, 512), range(4)))
        notes = model.notes()
    assert {d.response_format for d in done} == {"json_object"}
    assert len(notes) == 1


def test_a_chosen_format_is_not_downgraded() -> None:
    needs_contract()
    with (
        FakeOpenAI(lambda r: ANSWER, api_key=KEY, json_schema_support=False) as server,
        model_for(server, response_format="json_schema") as model,
        pytest.raises(CallFailed, match="response_format to auto"),
    ):
        model.complete(MESSAGES, SCHEMA, 512)
    assert len(server.requests) == 1


def test_text_format_sends_no_response_format(srv: FakeOpenAI) -> None:
    with model_for(srv, response_format="text") as model:
        assert model.complete(MESSAGES, SCHEMA, 512).response_format == "text"
    assert "response_format" not in srv.requests[0].body


def test_a_400_naming_the_parameter_downgrades(srv: FakeOpenAI) -> None:
    srv.enqueue(Fault(status=400, param="response_format", message="Invalid schema for function"))
    with model_for(srv) as model:
        assert model.complete(MESSAGES, SCHEMA, 512).response_format == "json_object"


# -- small parts -----------------------------------------------------------------------------


class _Headers:
    def __init__(self, **headers: str) -> None:
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}


class _Err(Exception):
    def __init__(self, **headers: str) -> None:
        self.response = _Headers(**headers)


def test_retry_after_forms() -> None:
    assert _retry_after(_Err(retry_after="2")) == 2.0
    assert _retry_after(_Err(retry_after_ms="250")) == 0.25
    assert _retry_after(_Err(retry_after="soon")) is None
    assert _retry_after(_Err()) is None
    assert _retry_after(ValueError()) is None
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 28 <= _retry_after(_Err(retry_after=when)) <= 30  # type: ignore[operator]


def test_http_date_retry_after_is_honoured(srv: FakeOpenAI, slept: list[float]) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    srv.enqueue(Fault(status=503, retry_after=when))
    with model_for(srv, slept) as model:
        model.complete(MESSAGES, SCHEMA, 512)
    assert 3 <= slept[0] <= min(5.6, MAX_WAIT)


def test_limiter_halves_and_recovers() -> None:
    limiter = AdaptiveLimiter(8, recover_after=2)
    limiter.throttled()
    limiter.throttled()
    assert (limiter.limit, limiter.lowest) == (2, 2)
    for _ in range(4):
        limiter.succeeded()
    assert limiter.limit == 4
    for _ in range(20):
        limiter.succeeded()
    assert (limiter.limit, limiter.lowest) == (8, 2)
    for _ in range(5):
        limiter.throttled()
    assert limiter.limit == 1


def test_a_burst_of_429s_halves_the_limit_once() -> None:
    limiter = AdaptiveLimiter(8)
    with limiter.slot() as a, limiter.slot() as b, limiter.slot() as c:
        for epoch in (a, b, c):  # three requests in flight together all get a 429
            limiter.throttled(since=epoch)
    assert limiter.limit == 4
    with limiter.slot() as later:
        limiter.throttled(since=later)  # a request sent after the halving: halves again
    assert (limiter.limit, limiter.lowest) == (2, 2)


def test_limiter_holds_requests_beyond_the_limit() -> None:
    limiter = AdaptiveLimiter(2)
    limiter.throttled()  # limit 1
    inside: list[int] = []
    peak = 0
    lock = threading.Lock()

    def work(_: int) -> None:
        nonlocal peak
        with limiter.slot():
            with lock:
                inside.append(1)
                peak = max(peak, len(inside))
            time.sleep(0.01)
            with lock:
                inside.pop()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(8)))
    assert peak == 1


# -- cassettes: recorded exchanges replayed without a server ----------------------------------

CASSETTES = Path(__file__).parent / "cassettes" / "test_model"
REPLAY_URL = "http://127.0.0.1:9/v1"  # nothing listens there: a replay that leaks fails
RECORD = os.environ.get("REVIEWBOT_RECORD", "").strip().lower()
RECORD_MODE = {"1": "once", "once": "once", "all": "all"}.get(RECORD, "none")
SECRET_RESPONSE_HEADERS = ("set-cookie", "openai-organization", "openai-project")


def _chat_path(r1: Any, r2: Any) -> None:
    assert r1.path.endswith("/chat/completions") and r2.path.endswith("/chat/completions")


def _same_mode(r1: Any, r2: Any) -> None:
    """Same streaming and response_format: the replayed answer fits the request's kind."""

    def mode(request: Any) -> tuple[bool, str | None]:
        body = json.loads(request.body or b"{}")
        return bool(body.get("stream")), (body.get("response_format") or {}).get("type")

    assert mode(r1) == mode(r2), f"{mode(r1)} != {mode(r2)}"


def _scrub(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_RESPONSE_HEADERS:
            del headers[name]
    return response


def recorder() -> vcr.VCR:
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=RECORD_MODE,
        match_on=("method", "chat_path", "same_mode"),
        filter_headers=["authorization", "api-key", "cookie"],
        before_record_response=_scrub,
        decode_compressed_response=True,
    )
    recorder.register_matcher("chat_path", _chat_path)
    recorder.register_matcher("same_mode", _same_mode)
    return recorder


@contextmanager
def cassette(name: str, **settings: Any) -> Iterator[OpenAIModel]:
    """A model whose HTTP goes through cassette `name`: replayed, or recorded when asked.

    REVIEWBOT_RECORD=1 records missing cassettes (=all: every one) against the fake server, or
    against a real provider given REVIEWBOT_RECORD_BASE_URL, _API_KEY and _MODEL.
    """
    path = CASSETTES / f"{name}.yaml"
    recording = RECORD_MODE == "all" or (RECORD_MODE == "once" and not path.exists())
    if not recording and not path.exists():
        pytest.fail(f"cassette {path} is missing: record it with REVIEWBOT_RECORD=1")
    real_url = os.environ.get("REVIEWBOT_RECORD_BASE_URL")
    with _server_for(recording and not real_url) as server:
        url = (real_url or (server.base_url if server else REPLAY_URL)) if recording else REPLAY_URL
        key = os.environ.get("REVIEWBOT_RECORD_API_KEY", KEY) if recording else KEY
        model = os.environ.get("REVIEWBOT_RECORD_MODEL", "gpt-4o-mini")
        endpoint = resolve("openai", base_url=url, model=model, env={})
        config = Config(**{"max_retries": 0, "timeout": 60.0, **settings})
        with recorder().use_cassette(path.name), OpenAIModel(endpoint, key, config) as llm:
            yield llm


@contextmanager
def _server_for(needed: bool) -> Iterator[FakeOpenAI | None]:
    if not needed:
        yield None
        return
    needs_contract()
    with FakeOpenAI(lambda request: Reply(ANSWER, usage=make_usage(321, 54)), api_key=KEY) as s:
        yield s


def _check_recorded(done: Any, fmt: str) -> None:
    assert done.finish_reason == "stop"
    assert done.response_format == fmt
    assert done.usage_reported
    assert done.prompt_tokens > 0 and done.completion_tokens > 0
    reply = parse_reply(done.text)
    assert isinstance(reply.findings, list)


def test_cassette_plain_json_schema() -> None:
    with cassette("test_cassette_plain_json_schema") as model:
        done = model.complete(MESSAGES, SCHEMA, 512)
    _check_recorded(done, "json_schema")


def test_cassette_streaming() -> None:
    with cassette("test_cassette_streaming", stream=True) as model:
        done = model.complete(MESSAGES, SCHEMA, 512)
    _check_recorded(done, "json_schema")


def test_cassette_json_object_mode() -> None:
    with cassette("test_cassette_json_object_mode", response_format="json_object") as model:
        done = model.complete(MESSAGES, SCHEMA, 512)
    _check_recorded(done, "json_object")


def test_cassettes_hold_no_credentials() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "authorization" not in text.lower(), path
        assert "Bearer" not in text, path
        assert KEY not in text, path
        secret = os.environ.get("REVIEWBOT_RECORD_API_KEY")
        assert not secret or secret not in text, path
