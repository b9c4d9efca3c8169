"""A fake OpenAI chat-completions server on 127.0.0.1, built from the OpenAI contract.

The contract is ``shared/contracts/openai-chat-openapi.json`` beside the repository (override with
the ``OPENAI_CONTRACT_PATH`` environment variable). Requests are validated against its
``CreateChatCompletionRequest`` schema; :func:`validator` gives the tests the response schemas.

Usage::

    from tests.fakes.openai_server import FakeOpenAI, Fault, Reply, linear_latency

    def responder(request: dict) -> Reply | str:  # the parsed JSON body of one request
        return Reply(content='{"findings": []}', finish_reason="stop")

    with FakeOpenAI(responder=responder, api_key="sk-test", latency=linear_latency()) as srv:
        client = openai.OpenAI(api_key="sk-test", base_url=srv.base_url, max_retries=0)
        srv.enqueue(Fault(status=429, retry_after="1"))  # the next request gets a 429
        ...
        srv.requests  # list[RecordedRequest]: .method .path .headers .body .status .peer
        srv.reset()   # clears the log and the fault queue
        srv.responder = other_responder  # the constructor's arguments are attributes too

``count_tokens(text)``, ``prompt_tokens(messages)``, ``linear_latency(base, prompt_tps,
completion_tps)`` and ``validator(schema_name)`` (a jsonschema validator for the contract's
``schemas``, with OpenAPI's ``nullable`` turned into JSON Schema) are public helpers too.

Endpoints: ``POST /v1/chat/completions`` (JSON or, with ``"stream": true``, SSE in chunked
encoding) and ``GET /v1/models`` (one model). Anything else is a 404 with an OpenAI error body.
Bearer auth is checked when ``api_key`` is not None (401, key masked). A request that violates the
contract is a 400 naming the parameter; ``response_format`` json_schema / json_object is a 400 when
``json_schema_support`` / ``json_object_support`` is False. ``latency(prompt_tokens,
completion_tokens)`` seconds, plus ``Reply.delay``, are slept before answering.

Faults are consumed FIFO, one per request of any kind, before auth, validation and the responder
(a request is checked in this order: fault, auth, route, JSON, contract, response_format).
A ``Fault`` is one dataclass; set exactly one of these kinds (``delay`` may go with any of them,
and alone it delays an otherwise normal answer):

- ``status=429`` (any 4xx/5xx): an OpenAI error body; ``retry_after``, ``headers``, ``message``,
  ``error_type``, ``code``, ``param`` override the defaults.
- ``raw_body=b"..."``: these exact bytes as the body (status 200 unless ``status`` is also given,
  with ``content_type``), e.g. a non-JSON body or a proxy's HTML 502 page.
- ``reset=True``: read the request, then close the socket with a TCP RST, answering nothing.
- ``reset_mid_stream=True``: send the headers and ``after_chunks`` SSE events, then close without
  the end of the chunked body (non-streaming requests: half the JSON body, then close).
- ``empty_choices=True``: a 200 whose ``choices`` is ``[]`` (streaming: one chunk with ``[]``).
- ``delay=2.0`` alone: sleep, then answer normally (client-timeout tests).

Content-level faults (not-JSON content, truncated JSON with ``finish_reason="length"``, wrong
schema, a 2 MB reply, wrong usage) are plain ``Reply`` values.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import secrets
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema

Latency = Callable[[int, int], float]
_CONTRACT = Path(__file__).resolve().parents[3] / "shared/contracts/openai-chat-openapi.json"
_O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_CHAT, _MODELS = "/v1/chat/completions", "/v1/models"
_REQUEST, _WEAK = "CreateChatCompletionRequest", ("type", "enum", "const")
_BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using"
    " your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was"
    " not valid JSON.)"
)


# ---------------------------------------------------------------- contract and token counting
@functools.lru_cache(maxsize=1)
def load_contract() -> dict[str, Any]:
    """The contract JSON (``_provenance``, ``operation``, ``schemas``, ``examples``)."""
    path = Path(os.environ.get("OPENAI_CONTRACT_PATH") or _CONTRACT)
    return json.loads(path.read_text(encoding="utf-8"))


def _to_json_schema(node: Any) -> Any:
    """OpenAPI schema -> JSON Schema: ``nullable: true`` allows null, cycles accept anything."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("x-circular-ref"):
        return {}
    out = {
        key: {name: _to_json_schema(s) for name, s in value.items()}
        if key in _SCHEMA_MAPS and isinstance(value, dict)
        else _to_json_schema(value)
        for key, value in node.items()
        if key != "nullable"
    }
    return {"anyOf": [out, {"type": "null"}]} if node.get("nullable") is True else out


@functools.cache
def validator(schema_name: str) -> jsonschema.Draft202012Validator:
    """A validator for one of the contract's ``schemas`` (e.g. ``CreateChatCompletionResponse``)."""
    schema = _to_json_schema(load_contract()["schemas"][schema_name])
    return jsonschema.Draft202012Validator(schema)


@functools.lru_cache(maxsize=1)
def _encoder() -> Any:
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR")
    blob = hashlib.sha1(_O200K_URL.encode()).hexdigest()
    if not cache_dir or not (Path(cache_dir) / blob).is_file():
        return None  # never let tiktoken reach for the network
    try:
        import tiktoken

        return tiktoken.get_encoding("o200k_base")
    except Exception:  # any failure means the documented fallback below
        return None


def count_tokens(text: str) -> int:
    """o200k_base tokens if tiktoken loads from TIKTOKEN_CACHE_DIR, else ``len(text) // 4 + 1``."""
    enc = _encoder()
    return len(enc.encode(text, disallowed_special=())) if enc else len(text) // 4 + 1


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    """Token count of the messages, with OpenAI's 3 tokens per message and 3 to prime the reply."""
    total = 3
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        total += 3 + count_tokens(content if isinstance(content, str) else "")
    return total


def make_usage(prompt: int, completion: int) -> dict[str, Any]:
    """A usage object shaped like the contract's example: totals plus zeroed details."""
    kinds = ("reasoning", "audio", "accepted_prediction", "rejected_prediction")
    usage = {"prompt_tokens": prompt, "completion_tokens": completion}
    usage["total_tokens"] = prompt + completion
    usage["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
    usage["completion_tokens_details"] = {f"{kind}_tokens": 0 for kind in kinds}
    return usage


def linear_latency(
    base: float = 0.5, prompt_tps: float = 5000, completion_tps: float = 80
) -> Latency:
    """A latency callable: ``base + prompt / prompt_tps + completion / completion_tps`` seconds."""
    return lambda p, c: base + p / prompt_tps + c / completion_tps


# ---------------------------------------------------------------- public value types
@dataclass(frozen=True)
class Reply:
    content: str
    finish_reason: str = "stop"
    usage: dict[str, Any] | None = None  # None: computed with count_tokens
    delay: float = 0.0  # extra seconds before answering, on top of the server's latency
    model: str | None = None  # None: the request's model


@dataclass(frozen=True)
class Fault:
    status: int | None = None
    retry_after: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    message: str | None = None
    error_type: str | None = None
    code: str | None = None
    param: str | None = None
    delay: float = 0.0
    reset: bool = False
    reset_mid_stream: bool = False
    after_chunks: int = 2
    empty_choices: bool = False
    raw_body: bytes | None = None
    content_type: str = "application/json"

    def __post_init__(self) -> None:
        kinds = [self.reset, self.reset_mid_stream, self.empty_choices]
        kinds.append(self.status is not None or self.raw_body is not None)
        if sum(kinds) > 1 or (sum(kinds) == 0 and self.delay <= 0):
            raise ValueError(f"a Fault needs exactly one kind (or only a delay): {self!r}")
        if self.status is not None and self.raw_body is None and not 400 <= self.status <= 599:
            raise ValueError(f"Fault status must be 4xx or 5xx, got {self.status}")

    @property
    def kind(self) -> str:
        for name in ("reset", "reset_mid_stream", "empty_choices"):
            if getattr(self, name):
                return name
        if self.raw_body is not None:
            return "raw_body"
        return "status" if self.status is not None else "delay"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None when absent or not JSON
    status: int | None = None  # None until answered, or when dropped without a status line
    peer: tuple[str, int] = ("", 0)


# ---------------------------------------------------------------- OpenAI error bodies
_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Bad request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to sample from this model.", "invalid_request_error", None),
    404: ("The model does not exist or you do not have access to it.", "invalid_request_error",
          "model_not_found"),
    429: ("Rate limit reached for requests. Please try again later.", "requests",
          "rate_limit_exceeded"),
    500: ("The server had an error while processing your request. Sorry about that!",
          "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}  # fmt: skip


def error_body(message: str, type_: str, param: str | None = None, code: str | None = None):
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _fault_error(fault: Fault) -> dict[str, Any]:
    status = fault.status or 500
    phrase = HTTPStatus(status).phrase + "."
    message, type_, code = _ERRORS.get(status, (phrase, "server_error", None))
    return error_body(
        fault.message or message, fault.error_type or type_, fault.param, fault.code or code
    )


def mask_key(key: str) -> str:
    """Mask a key the way OpenAI does: a few leading characters, stars, the last 4 if long."""
    return key[:3] + "****" + (key[-4:] if len(key) >= 20 else "")


def _auth_error(header: str | None, api_key: str) -> dict[str, Any] | None:
    if not header or not header.startswith("Bearer "):
        return error_body(
            "You didn't provide an API key. You need to provide your API key in an Authorization"
            " header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            "invalid_request_error",
        )
    given = header[len("Bearer ") :].strip()
    if secrets.compare_digest(given.encode(), api_key.encode()):
        return None
    return error_body(
        f"Incorrect API key provided: {mask_key(given)}. You can find your API key at"
        " https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        code="invalid_api_key",
    )


def _branch_error(err: jsonschema.ValidationError) -> jsonschema.ValidationError | None:
    """For a oneOf/anyOf error, the best error of the one branch that fits best, if only one does.

    The best branch is the one with fewest type/enum/const errors (the others picked the wrong
    ``role`` or ``type``), then fewest errors; on a tie, None: ``err`` itself says it best.
    """
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    scores = sorted((sum(e.validator in _WEAK for e in es), len(es)) for es in branches.values())
    if len(scores) > 1 and scores[0] == scores[1]:
        return None
    best = min(branches.values(), key=lambda es: (sum(e.validator in _WEAK for e in es), len(es)))
    return jsonschema.exceptions.best_match(best)


def _schema_error(body: Any) -> dict[str, Any] | None:
    err = jsonschema.exceptions.best_match(validator(_REQUEST).iter_errors(body))
    while err is not None and err.context and (deeper := _branch_error(err)) is not None:
        err = deeper
    if err is None:
        if not body["model"].strip():
            return error_body("you must provide a model parameter", "invalid_request_error")
        return None
    param = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
    if err.validator == "required":
        missing = [k for k in err.validator_value if k not in err.instance]
        param = f"{param}.{missing[0]}" if missing else param
        message, code = (
            f"Missing required parameter: '{param.lstrip('.')}'.",
            "missing_required_parameter",
        )
    else:
        detail = err.message if len(err.message) < 300 else err.message[:300] + "..."
        message = f"Invalid value for '{param.lstrip('.') or 'body'}': {detail}"
        code = "invalid_type" if err.validator == "type" else "invalid_value"
    return error_body(message, "invalid_request_error", param.lstrip(".") or None, code)


def _format_error(body: dict[str, Any], json_schema: bool, json_object: bool):
    kind = (body.get("response_format") or {}).get("type")
    if (kind == "json_schema" and not json_schema) or (kind == "json_object" and not json_object):
        return error_body(
            f"Invalid parameter: 'response_format' of type '{kind}' is not supported with"
            " this model.",
            "invalid_request_error",
            "response_format",
        )
    return None


# ---------------------------------------------------------------- response payloads
def _envelope(obj: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-" + secrets.token_hex(12),
        "object": obj,
        "created": int(time.time()),
        "model": model,
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }


def completion_payload(reply: Reply, model: str, usage: dict, empty: bool = False) -> dict:
    message = {"role": "assistant", "content": reply.content, "refusal": None, "annotations": []}
    choice = {"index": 0, "message": message, "logprobs": None}
    choice["finish_reason"] = reply.finish_reason
    payload = _envelope("chat.completion", model)
    payload.update(choices=[] if empty else [choice], usage=usage)
    return payload


def _pieces(text: str, parts: int = 8) -> list[str]:
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)]


def stream_chunks(reply: Reply, model: str, usage: dict, options: dict, empty: bool = False):
    """The SSE events' JSON objects for one streamed reply, as the contract describes them."""
    base = _envelope("chat.completion.chunk", model)
    if options.get("include_usage"):
        base["usage"] = None  # "All other chunks will also include a usage field ... null"

    def chunk(delta: dict, finish: str | None = None) -> dict:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        out = {**base, "choices": [choice]}
        if options.get("include_obfuscation") is not False:  # on by default, says the contract
            out["obfuscation"] = secrets.token_urlsafe(6)
        return out

    if empty:
        chunks = [{**base, "choices": []}]
    else:
        chunks = [chunk({"role": "assistant", "content": "", "refusal": None})]
        chunks += [chunk({"content": piece}) for piece in _pieces(reply.content)]
        chunks.append(chunk({}, reply.finish_reason))
    if options.get("include_usage"):
        chunks.append({**base, "choices": [], "usage": usage})
    return chunks


def _parse_json(raw: bytes) -> tuple[Any, bool]:
    try:
        return json.loads(raw), True
    except ValueError:
        return None, False


# ---------------------------------------------------------------- HTTP
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version, sys_version = "fake-openai/1.0", ""
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        fake = self.server.fake
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body, parsed = _parse_json(raw) if raw else (None, False)
        self.record = fake._record(self, body)
        fault = fake._next_fault()
        if fault is not None and fault.delay > 0 and not self._sleep(fault.delay):
            return self._drop(rst=True)
        if fault is not None and fault.kind in ("status", "raw_body", "reset"):
            return self._send_fault(fault)
        status, error = fake._gatekeep(self, body, parsed)
        if error is not None:
            return self._send_json(status, error)
        if urlsplit(self.path).path.rstrip("/") == _MODELS:
            return self._send_json(200, fake._models())
        return self._chat(body, fault)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def _chat(self, body: dict[str, Any], fault: Fault | None) -> None:
        fake = self.server.fake
        try:
            reply = fake._respond(body)
        except Exception as exc:  # a responder's bug is a 500 the test can read
            error = error_body(f"fake responder raised {exc!r}", "server_error")
            return self._send_json(500, error)
        usage = reply.usage or make_usage(
            prompt_tokens(body["messages"]), count_tokens(reply.content)
        )
        wait = reply.delay
        if fake.latency is not None:
            wait += fake.latency(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0))
        if wait > 0 and not self._sleep(wait):
            return self._drop(rst=True)
        model = reply.model or body["model"]
        empty = fault is not None and fault.empty_choices
        cut = fault.after_chunks if fault is not None and fault.reset_mid_stream else None
        if body.get("stream"):
            options = body.get("stream_options") or {}
            return self._send_stream(stream_chunks(reply, model, usage, options, empty), cut)
        data = json.dumps(completion_payload(reply, model, usage, empty)).encode()
        self._send_bytes(200, data, "application/json", truncate=cut is not None)

    def _sleep(self, seconds: float) -> bool:
        """Sleep without holding any lock; False if the server is shutting down."""
        return not self.server.fake._stopping.wait(seconds)

    def _send_fault(self, fault: Fault) -> None:
        if fault.kind == "reset":
            return self._drop(rst=True)
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        if fault.raw_body is not None:
            status = fault.status or 200
            return self._send_bytes(status, fault.raw_body, fault.content_type, headers)
        self._send_json(fault.status or 500, _fault_error(fault), headers)

    def _send_json(self, status: int, payload: Any, headers: Mapping[str, str] | None = None):
        self._send_bytes(status, json.dumps(payload).encode(), "application/json", headers)

    def _start(self, status: int, content_type: str, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("x-request-id", "req_" + secrets.token_hex(16))
        self.send_header("openai-version", "2020-10-01")
        for name, value in headers.items():
            self.send_header(name, value)
        self.record.status = status

    def _send_bytes(self, status, data, content_type, headers=None, truncate=False) -> None:
        self._start(status, content_type, headers or {})
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if truncate else data)
        if truncate:
            self._drop(rst=False)

    def _send_stream(self, chunks: list[dict[str, Any]], cut: int | None) -> None:
        self._start(200, "text/event-stream; charset=utf-8", {"Cache-Control": "no-cache"})
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i, chunk in enumerate(chunks):
            if cut is not None and i >= cut:
                return self._drop(rst=False)
            self._write_chunk(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        self._write_chunk(b"data: [DONE]\n\n", end=True)

    def _write_chunk(self, data: bytes, end: bool = False) -> None:
        self.wfile.write(b"%X\r\n%s\r\n%s" % (len(data), data, b"0\r\n\r\n" if end else b""))

    def _drop(self, rst: bool) -> None:
        """Close the connection now: a TCP RST if ``rst``, else a FIN mid-message."""
        self.close_connection = True
        if rst:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()


class _Server(ThreadingHTTPServer):
    """A threading server that tracks its connections so that it can close them all at exit."""

    daemon_threads = True

    def __init__(self, fake: FakeOpenAI) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self._lock = threading.Lock()
        self._live: dict[socket.socket, threading.Thread] = {}

    def process_request(self, request: Any, client_address: Any) -> None:
        args = (request, client_address)
        thread = threading.Thread(target=self._serve, args=args, daemon=True, name="fake-openai")
        with self._lock:
            self._live[request] = thread
        thread.start()

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._live.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that went away is no error
            super().handle_error(request, client_address)

    def close_connections(self, timeout: float) -> None:
        with self._lock:
            live = dict(self._live)
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread in live.values():
            thread.join(max(0.0, deadline - time.monotonic()))


# ---------------------------------------------------------------- the fake
class FakeOpenAI:
    """The fake server; a context manager. The constructor does no I/O: ``start()`` binds."""

    def __init__(
        self,
        responder: Callable[[dict[str, Any]], Reply | str] | None = None,
        *,
        api_key: str | None = "sk-test",
        latency: Latency | None = None,
        json_schema_support: bool = True,
        json_object_support: bool = True,
        model_id: str = "gpt-4o-mini",
    ) -> None:
        self.responder = responder or (lambda request: "ok")
        self.api_key = api_key
        self.latency = latency
        self.json_schema_support = json_schema_support
        self.json_object_support = json_object_support
        self.model_id = model_id
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._log: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeOpenAI:
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.01,), daemon=True, name="fake-openai-accept"
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop accepting, cut in-flight requests (sleeps end at once), join threads (~1 s max)."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.close_connections(timeout=1.0)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(1.0)
        self._server = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not started: use it as a context manager")
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    def enqueue(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._log.clear()

    def _record(self, handler: _Handler, body: Any) -> RecordedRequest:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        rec = RecordedRequest(
            handler.command, handler.path, headers, body, None, handler.client_address
        )
        with self._lock:
            self._log.append(rec)
        return rec

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _gatekeep(self, handler: _Handler, body: Any, parsed: bool) -> tuple[int, Any]:
        """(status, OpenAI error body) for a request that must be refused, else (200, None)."""
        if self.api_key is not None:
            error = _auth_error(handler.headers.get("Authorization"), self.api_key)
            if error is not None:
                return 401, error
        route = (handler.command, urlsplit(handler.path).path.rstrip("/"))
        if route == ("GET", _MODELS):
            return 200, None
        if route != ("POST", _CHAT):
            message = f"Invalid URL ({handler.command} {urlsplit(handler.path).path})"
            return 404, error_body(message, "invalid_request_error")
        if not parsed:
            return 400, error_body(_BAD_JSON, "invalid_request_error")
        error = _schema_error(body) or _format_error(
            body, self.json_schema_support, self.json_object_support
        )
        return (400, error) if error else (200, None)

    def _respond(self, body: dict[str, Any]) -> Reply:
        reply = self.responder(body)
        if isinstance(reply, str):
            return Reply(content=reply)
        if not isinstance(reply, Reply) or not isinstance(reply.content, str):
            raise TypeError(f"responder must return Reply(content=str) or str, not {reply!r:.80}")
        return reply

    def _models(self) -> dict[str, Any]:
        model = {"id": self.model_id, "object": "model", "created": 0, "owned_by": "system"}
        return {"object": "list", "data": [model]}
