"""The fake OpenAI server, driven by the real openai SDK and checked against the contract."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai
import pytest

from tests.fakes.openai_server import (
    FakeOpenAI,
    Fault,
    Reply,
    count_tokens,
    linear_latency,
    load_contract,
    mask_key,
    validator,
)

KEY = "sk-test-0123456789abcdef"
USER = [{"role": "user", "content": "Review this diff, please."}]
SCHEMA_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "findings",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"findings": {"type": "array", "items": {"type": "string"}}},
            "required": ["findings"],
            "additionalProperties": False,
        },
    },
}


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def srv():
    with FakeOpenAI(responder=lambda request: "Looks good to me.", api_key=KEY) as server:
        yield server


def make_client(server: FakeOpenAI, **kwargs: Any) -> openai.OpenAI:
    kwargs = {"api_key": KEY, "max_retries": 0, **kwargs}
    return openai.OpenAI(base_url=server.base_url, **kwargs)


@pytest.fixture
def client(srv: FakeOpenAI):
    with make_client(srv) as sdk:
        yield sdk


def create(client: openai.OpenAI, **kwargs: Any) -> Any:
    return client.chat.completions.create(model="gpt-4o-mini", messages=USER, **kwargs)


def http(server: FakeOpenAI, path: str, body: bytes | None = None, key: str = KEY):
    """A raw request with urllib: (status, headers, body bytes)."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    method = "GET" if body is None else "POST"
    request = urllib.request.Request(server.base_url + path, body, headers, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, err.read()


def sse_events(raw: bytes) -> list[str]:
    return [line[len("data: ") :] for line in raw.decode().split("\n\n") if line]


def test_plain_reply_matches_the_contract(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=USER)
    payload = raw.http_response.json()
    validator("CreateChatCompletionResponse").validate(payload)
    assert raw.headers["content-type"] == "application/json"
    assert raw.headers["x-request-id"].startswith("req_")
    completion = raw.parse()
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == "gpt-4o-mini"
    assert completion.choices[0].message.content == "Looks good to me."
    assert completion.choices[0].finish_reason == "stop"
    usage = completion.usage
    assert usage.completion_tokens == count_tokens("Looks good to me.")
    assert usage.prompt_tokens == 3 + 3 + count_tokens(USER[0]["content"])
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    [recorded] = srv.requests
    assert (recorded.method, recorded.path, recorded.status) == (
        "POST",
        "/v1/chat/completions",
        200,
    )
    assert recorded.headers["authorization"] == f"Bearer {KEY}"
    assert recorded.body == {"model": "gpt-4o-mini", "messages": USER}


def test_reply_fields_are_honoured() -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    reply = Reply('{"findings": [', finish_reason="length", usage=usage, model="other-model")
    with FakeOpenAI(lambda request: reply) as server, make_client(server, api_key="sk-test") as c:
        completion = create(c)
    assert completion.choices[0].finish_reason == "length"
    assert completion.choices[0].message.content == '{"findings": ['
    assert completion.model == "other-model"
    assert (completion.usage.prompt_tokens, completion.usage.total_tokens) == (1, 3)


def test_json_mode(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    srv.responder = lambda request: json.dumps({"findings": []})
    completion = create(client, response_format={"type": "json_object"})
    assert json.loads(completion.choices[0].message.content) == {"findings": []}
    assert srv.requests[0].body["response_format"] == {"type": "json_object"}


def test_json_schema_accepted(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    srv.responder = lambda request: '{"findings": ["x"]}'
    completion = create(client, response_format=SCHEMA_FORMAT)
    assert json.loads(completion.choices[0].message.content) == {"findings": ["x"]}
    assert srv.requests[0].body["response_format"] == SCHEMA_FORMAT


@pytest.mark.parametrize(
    ("flags", "response_format"),
    [
        ({"json_schema_support": False}, SCHEMA_FORMAT),
        ({"json_object_support": False}, {"type": "json_object"}),
    ],
)
def test_unsupported_response_format_is_a_400(flags: dict, response_format: dict) -> None:
    with FakeOpenAI(api_key=None, **flags) as server, make_client(server) as sdk:
        with pytest.raises(openai.BadRequestError) as info:
            create(sdk, response_format=response_format)
        assert create(sdk).choices[0].message.content == "ok"  # without it, fine
    assert info.value.status_code == 400
    assert info.value.param == "response_format"
    assert response_format["type"] in info.value.message
    validator("ErrorResponse").validate(info.value.response.json())


def test_streaming_with_usage(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    text = "A long enough reply to be split into several deltas."
    srv.responder = lambda request: text
    options = {"include_usage": True}
    with create(client, stream=True, stream_options=options) as stream:
        chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) > 3
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == text
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == count_tokens(text)
    assert chunks[-1].usage.total_tokens == chunks[-1].usage.prompt_tokens + count_tokens(text)


def test_stream_chunks_match_the_contract(srv: FakeOpenAI) -> None:
    body = {
        "model": "m",
        "messages": USER,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    status, headers, raw = http(srv, "/chat/completions", json.dumps(body).encode())
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    *events, done = sse_events(raw)
    assert done == "[DONE]"
    chunks = [json.loads(event) for event in events]
    for chunk in chunks:
        validator("CreateChatCompletionStreamResponse").validate(chunk)
    assert all(chunk["usage"] is None for chunk in chunks[:-1])
    assert chunks[-1]["usage"]["total_tokens"] > 0
    assert chunks[0]["choices"][0]["finish_reason"] is None


def test_stream_without_usage_has_no_usage_chunk(srv: FakeOpenAI) -> None:
    body = {"model": "m", "messages": USER, "stream": True}
    _, _, raw = http(srv, "/chat/completions", json.dumps(body).encode())
    chunks = [json.loads(event) for event in sse_events(raw)[:-1]]
    assert all("usage" not in chunk and chunk["choices"] for chunk in chunks)


def test_wrong_key_is_a_401_that_masks_the_key(srv: FakeOpenAI) -> None:
    wrong = "sk-wrong-key-that-is-quite-long-1234"
    with make_client(srv, api_key=wrong) as sdk, pytest.raises(openai.AuthenticationError) as info:
        create(sdk)
    error = info.value.response.json()
    validator("ErrorResponse").validate(error)
    assert error["error"]["code"] == "invalid_api_key"
    assert error["error"]["type"] == "invalid_request_error"
    assert wrong not in error["error"]["message"]
    assert mask_key(wrong) in error["error"]["message"]
    assert KEY not in json.dumps(error)
    assert srv.requests[0].status == 401


def test_missing_key_is_a_401(srv: FakeOpenAI) -> None:
    request = urllib.request.Request(srv.base_url + "/models")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as info:
        opener.open(request, timeout=5)
    with info.value as err:
        assert err.code == 401
        assert "didn't provide an API key" in json.loads(err.read())["error"]["message"]


@pytest.mark.parametrize("retry_after", ["1", None])
def test_429_retry_after_reaches_the_exception(
    srv: FakeOpenAI, client: openai.OpenAI, retry_after: str | None
) -> None:
    srv.enqueue(Fault(status=429, retry_after=retry_after))
    with pytest.raises(openai.RateLimitError) as info:
        create(client)
    assert info.value.response.headers.get("retry-after") == retry_after
    assert info.value.code == "rate_limit_exceeded"
    validator("ErrorResponse").validate(info.value.response.json())
    assert create(client).choices[0].message.content == "Looks good to me."  # queue consumed
    assert [r.status for r in srv.requests] == [429, 200]


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
        (404, openai.NotFoundError),
        (500, openai.InternalServerError),
        (502, openai.InternalServerError),
        (503, openai.InternalServerError),
    ],
)
def test_status_faults(
    srv: FakeOpenAI, client: openai.OpenAI, status: int, exception: type[Exception]
) -> None:
    srv.enqueue(Fault(status=status, headers={"x-fault": "yes"}))
    with pytest.raises(exception) as info:
        create(client)
    assert info.value.status_code == status
    assert info.value.response.headers["x-fault"] == "yes"
    validator("ErrorResponse").validate(info.value.response.json())


def test_sdk_retries_through_faults(srv: FakeOpenAI) -> None:
    srv.enqueue(Fault(status=503, retry_after="0.01"), Fault(status=429, retry_after="0.01"))
    with make_client(srv, max_retries=2) as sdk:
        assert create(sdk).choices[0].message.content == "Looks good to me."
    assert [r.status for r in srv.requests] == [503, 429, 200]


def test_empty_choices(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    srv.enqueue(Fault(empty_choices=True))
    raw = client.chat.completions.with_raw_response.create(model="m", messages=USER)
    validator("CreateChatCompletionResponse").validate(raw.http_response.json())
    assert raw.parse().choices == []


def test_raw_body_fault(srv: FakeOpenAI) -> None:
    srv.enqueue(
        Fault(raw_body=b"<html>upstream error</html>", status=502, content_type="text/html")
    )
    status, headers, body = http(srv, "/chat/completions", json.dumps({}).encode())
    assert (status, headers["content-type"], body) == (
        502,
        "text/html",
        b"<html>upstream error</html>",
    )
    srv.enqueue(Fault(raw_body=b'{"id": "chatcmpl-'))
    status, headers, body = http(srv, "/chat/completions", b"anything")
    assert (status, body) == (200, b'{"id": "chatcmpl-')


def test_client_timeout(srv: FakeOpenAI) -> None:
    srv.enqueue(Fault(delay=2.0))
    started = time.monotonic()
    with make_client(srv, timeout=0.2) as sdk, pytest.raises(openai.APITimeoutError):
        create(sdk)
    assert time.monotonic() - started < 1.5


def test_reset_is_a_connection_error(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    srv.enqueue(Fault(reset=True))
    with pytest.raises(openai.APIConnectionError) as info:
        create(client)
    assert not isinstance(info.value, openai.APITimeoutError)
    assert srv.requests[0].status is None
    assert create(client).choices[0].message.content == "Looks good to me."


def test_reset_mid_stream_raises_during_iteration(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    srv.enqueue(Fault(reset_mid_stream=True, after_chunks=2))
    received = []
    with pytest.raises(openai.APIConnectionError), create(client, stream=True) as stream:
        received.extend(stream)
    assert len(received) == 2
    assert received[0].choices[0].delta.role == "assistant"


def test_reset_mid_body_for_non_streaming(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    srv.enqueue(Fault(reset_mid_stream=True))
    with pytest.raises(openai.APIConnectionError):
        create(client)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "m", "messages": []}, "messages"),
        ({"messages": USER}, "model"),
        ({"model": "m", "messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        ({"model": "m", "messages": USER, "temperature": 7}, "temperature"),
        ({"model": "m", "messages": USER, "response_format": {"type": "json_schema"}},
         "response_format.json_schema"),
    ],
)  # fmt: skip
def test_schema_violation_is_a_400(srv: FakeOpenAI, body: dict, param: str) -> None:
    status, _, raw = http(srv, "/chat/completions", json.dumps(body).encode())
    error = json.loads(raw)
    validator("ErrorResponse").validate(error)
    assert (status, error["error"]["param"]) == (400, param)
    assert error["error"]["type"] == "invalid_request_error"
    assert srv.requests[0].status == 400


@pytest.mark.parametrize("payload", [b"{not json", b""])
def test_unparsable_body_is_a_400(srv: FakeOpenAI, payload: bytes) -> None:
    status, _, raw = http(srv, "/chat/completions", payload)
    assert status == 400
    assert "could not parse the JSON body" in json.loads(raw)["error"]["message"]


def test_empty_model_is_a_400(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="must provide a model"):
        client.chat.completions.create(model="", messages=USER)


def test_models_and_unknown_paths(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["gpt-4o-mini"]
    status, _, raw = http(srv, "/embeddings", b"{}")
    assert status == 404
    assert json.loads(raw)["error"]["message"] == "Invalid URL (POST /v1/embeddings)"


def test_responder_error_is_a_500(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    srv.responder = lambda request: 42
    with pytest.raises(openai.InternalServerError, match="responder must return"):
        create(client)


def test_latency_callable_gets_token_counts() -> None:
    seen: list[tuple[int, int]] = []

    def latency(prompt: int, completion: int) -> float:
        seen.append((prompt, completion))
        return 0.3

    with FakeOpenAI(latency=latency) as server, make_client(server, api_key="sk-test") as sdk:
        started = time.monotonic()
        usage = create(sdk).usage
        elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 2.0
    assert seen == [(usage.prompt_tokens, usage.completion_tokens)]
    assert linear_latency(base=0.5, prompt_tps=1000, completion_tps=10)(1000, 20) == 3.5


def test_concurrent_requests_overlap() -> None:
    with (
        FakeOpenAI(latency=lambda p, c: 0.3) as server,
        make_client(server, api_key="sk-test") as sdk,
    ):
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            replies = list(pool.map(lambda _: create(sdk), range(8)))
        elapsed = time.monotonic() - started
    assert [r.choices[0].message.content for r in replies] == ["ok"] * 8
    assert elapsed < 1.2  # serially it would be 2.4 s
    assert len(server.requests) == 8


def test_keep_alive_reuses_the_connection(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    for _ in range(3):
        create(client)
    with create(client, stream=True) as stream:
        list(stream)  # the SDK stops reading at [DONE], so it may not reuse this connection
    create(client)
    peers = [r.peer for r in srv.requests]
    assert len(set(peers[:4])) == 1
    assert srv.requests[-1].status == 200


def test_two_mb_reply(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    big = "x" * (2 * 1024 * 1024)
    usage = {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}  # skip counting
    srv.responder = lambda request: Reply(big, usage=usage)
    assert create(client).choices[0].message.content == big
    with create(client, stream=True) as stream:
        assert "".join(c.choices[0].delta.content or "" for c in stream) == big


def test_close_is_prompt_with_a_slow_request_in_flight() -> None:
    outcome: list[BaseException] = []
    server = FakeOpenAI(api_key=None).start()
    server.enqueue(Fault(delay=30))

    def call() -> None:
        with make_client(server) as sdk:
            try:
                create(sdk)
            except openai.APIConnectionError as exc:
                outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    while not server.requests:
        time.sleep(0.01)
    started = time.monotonic()
    server.close()
    assert time.monotonic() - started < 1.5
    caller.join(5)
    assert not caller.is_alive()
    assert len(outcome) == 1
    assert not [t for t in threading.enumerate() if t.name.startswith("fake-openai")]


def test_reset_clears_log_and_queue(srv: FakeOpenAI, client: openai.OpenAI) -> None:
    srv.enqueue(Fault(status=500))
    srv.reset()
    create(client)
    srv.reset()
    assert srv.requests == []


def test_fault_needs_one_kind() -> None:
    with pytest.raises(ValueError, match="exactly one kind"):
        Fault()
    with pytest.raises(ValueError, match="exactly one kind"):
        Fault(status=500, reset=True)
    with pytest.raises(ValueError, match="4xx or 5xx"):
        Fault(status=200)
    assert Fault(delay=1).kind == "delay"
    assert Fault(status=429, delay=1).kind == "status"


def test_contract_examples_validate() -> None:
    """The nullable -> null translation is what lets the contract's own examples pass."""
    examples = {e["title"]: e for e in load_contract()["examples"]}
    validator("CreateChatCompletionResponse").validate(examples["Default"]["response_body"])
    for chunk in examples["Streaming"]["response_stream_chunks"]:
        if isinstance(chunk, dict):
            validator("CreateChatCompletionStreamResponse").validate(chunk)
    for example in examples.values():
        validator("CreateChatCompletionRequest").validate(example["request_body"])


def test_count_tokens_is_deterministic() -> None:
    assert count_tokens("hello world") == count_tokens("hello world") > 0
    assert count_tokens("") in (0, 1)
