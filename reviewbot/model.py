"""The model API: one narrow interface, `Model.complete`, over any OpenAI-compatible server.

Failures, and what happens to them:

    transient   429 (except quota), 5xx, timeout, connection error
                -> retried with exponential backoff and jitter, honouring Retry-After, at most
                   `max_retries` times and `MAX_WAIT` seconds per request; then `CallFailed`
    per-request 400 (e.g. context too long), an answer with no choices
                -> `CallFailed` at once: that chunk fails, the others go on
    fatal       401/403 (bad key), 404 (no such model or URL), 429 insufficient_quota
                -> `ModelAuthError` / `ModelError` at once: the run stops, results kept

A 400 that rejects `response_format` downgrades structured output for the rest of the run:
json_schema -> json_object -> plain text with the schema in the prompt.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from reviewbot.config import Config
from reviewbot.errors import ModelAuthError, ModelError
from reviewbot.limiter import AdaptiveLimiter
from reviewbot.providers import Endpoint

log = logging.getLogger("reviewbot")
MAX_WAIT = 60.0  # seconds: the longest single back-off, Retry-After included
FORMATS = ("json_schema", "json_object", "text")


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    response_format: str
    usage_reported: bool = True


class CallFailed(Exception):
    """This request failed for good; the chunk is reported as failed, the run goes on."""


class Model(Protocol):
    def complete(
        self, messages: list[dict[str, str]], schema: dict[str, Any] | None, max_tokens: int
    ) -> Completion: ...


def _retry_after(err: BaseException) -> float | None:
    response = getattr(err, "response", None)
    if response is None:
        return None
    value = response.headers.get("retry-after-ms")
    if value:
        try:
            return float(value) / 1000
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to the exponential wait


def is_transient(err: BaseException) -> bool:
    if isinstance(err, json.JSONDecodeError):  # a 200 whose JSON body was cut off
        return True
    if isinstance(err, openai.RateLimitError):
        return getattr(err, "code", None) != "insufficient_quota"
    return isinstance(
        err, (openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)
    ) or (isinstance(err, openai.APIStatusError) and err.status_code in (408, 409, 502, 503, 504))


def _backoff(state: RetryCallState) -> float:
    err = state.outcome.exception() if state.outcome else None
    hinted = _retry_after(err) if err else None
    if hinted is not None:
        return min(max(hinted, 0.0), MAX_WAIT)
    base = min(2.0 ** (state.attempt_number - 1), 30.0)
    return min(base / 2 + random.uniform(0, base / 2), MAX_WAIT)


def _describe(err: BaseException) -> str:
    if isinstance(err, openai.APIStatusError):
        message = err.message if isinstance(err.message, str) else str(err)
        return f"HTTP {err.status_code}: {message[:300]}"
    if isinstance(err, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(err, openai.APIConnectionError):
        return f"could not connect ({err.__cause__ or err})"[:300]
    return str(err)[:300]


class OpenAIModel:
    """The model behind the official `openai` SDK. Construction does no I/O."""

    def __init__(
        self,
        endpoint: Endpoint,
        api_key: str | None,
        config: Config,
        client: openai.OpenAI | None = None,
        limiter: AdaptiveLimiter | None = None,
        sleep: Any = None,
    ) -> None:
        self.endpoint = endpoint
        self.config = config
        self.client = client or openai.OpenAI(
            api_key=api_key or "no-key-needed",
            base_url=endpoint.base_url,
            max_retries=0,
            timeout=config.timeout,
        )
        self.limiter = limiter or AdaptiveLimiter(config.concurrency)
        self._sleep = sleep
        first = (
            endpoint.preset.json_mode
            if config.response_format == "auto"
            else (config.response_format)
        )
        self._format_index = FORMATS.index(first)
        self.format_notes: list[str] = []
        self._lock = threading.Lock()

    @property
    def response_format(self) -> str:
        return FORMATS[self._format_index]

    def complete(
        self, messages: list[dict[str, str]], schema: dict[str, Any] | None, max_tokens: int
    ) -> Completion:
        while True:
            fmt = self.response_format
            try:
                return self._with_retries(messages, schema, max_tokens, fmt)
            except openai.BadRequestError as err:
                if not self._downgrade(fmt, err):
                    raise CallFailed(_describe(err)) from None

    def _downgrade(self, fmt: str, err: openai.BadRequestError) -> bool:
        text = str(err).lower()
        if fmt == "text" or not any(w in text for w in ("response_format", "json", "schema")):
            return False
        if self.config.response_format != "auto":
            return False
        with self._lock:
            if self.response_format == fmt:
                self._format_index += 1
                note = f"{fmt} was refused ({_describe(err)[:120]}); using {self.response_format}"
                self.format_notes.append(note)
                log.warning("structured output: %s", note)
        return True

    def _with_retries(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None,
        max_tokens: int,
        fmt: str,
    ) -> Completion:
        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self.config.max_retries + 1),
            wait=_backoff,
            reraise=True,
            before_sleep=self._before_sleep,
            **({"sleep": self._sleep} if self._sleep else {}),
        )
        try:
            return retrying(self._once, messages, schema, max_tokens, fmt)
        except (openai.AuthenticationError, openai.PermissionDeniedError) as err:
            raise ModelAuthError(
                f"the model API at {self.endpoint.base_url} refused the key ({_describe(err)});"
                f" check {self.endpoint.key_env or 'the key'}"
            ) from None
        except openai.NotFoundError as err:
            raise ModelError(
                f"model {self.endpoint.model!r} or the API at {self.endpoint.base_url} was not "
                f"found ({_describe(err)}); check --model and --base-url"
            ) from None
        except openai.RateLimitError as err:
            if getattr(err, "code", None) == "insufficient_quota":
                raise ModelError(
                    f"the provider says the quota is used up ({_describe(err)})"
                ) from None
            raise CallFailed(
                f"rate limited after {self.config.max_retries} retries: {_describe(err)}"
            ) from None
        except openai.BadRequestError:
            raise
        except json.JSONDecodeError as err:
            raise CallFailed(f"the server's answer was not valid JSON ({err.msg})") from None
        except openai.APIError as err:
            raise CallFailed(
                f"{_describe(err)} (after {self.config.max_retries} retries)"
            ) from None

    def _before_sleep(self, state: RetryCallState) -> None:
        err = state.outcome.exception() if state.outcome else None
        if isinstance(err, openai.RateLimitError):
            self.limiter.throttled()
        wait = state.next_action.sleep if state.next_action else 0
        log.info(
            "model request failed (%s); retry %d in %.1fs",
            _describe(err) if err else "?",
            state.attempt_number,
            wait,
        )

    def _once(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None,
        max_tokens: int,
        fmt: str,
    ) -> Completion:
        kwargs = self._request(messages, schema, max_tokens, fmt)
        with self.limiter.slot():
            if self.config.stream:
                completion = self._stream(kwargs, fmt)
            else:
                completion = self._plain(kwargs, fmt)
        self.limiter.succeeded()
        return completion

    def _request(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None,
        max_tokens: int,
        fmt: str,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.config.temperature,
        }
        if self.config.top_p is not None:
            kwargs["top_p"] = self.config.top_p
        if self.config.frequency_penalty is not None:
            kwargs["frequency_penalty"] = self.config.frequency_penalty
        if fmt == "json_schema" and schema is not None:
            kwargs["response_format"] = {"type": "json_schema", "json_schema": schema}
        elif fmt in ("json_schema", "json_object"):
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def _plain(self, kwargs: dict[str, Any], fmt: str) -> Completion:
        response = self.client.chat.completions.create(**kwargs)
        if isinstance(response, str):  # the SDK's result for a 200 that is not JSON
            raise CallFailed(f"the server answered with a body that is not JSON: {response[:80]!r}")
        if not response.choices:
            raise CallFailed("the model answered with no choices")
        choice = response.choices[0]
        usage = response.usage
        return Completion(
            text=choice.message.content or "",
            finish_reason=choice.finish_reason,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            response_format=fmt,
            usage_reported=usage is not None,
        )

    def _stream(self, kwargs: dict[str, Any], fmt: str) -> Completion:
        stream = self.client.chat.completions.create(
            **kwargs, stream=True, stream_options={"include_usage": True}
        )
        parts: list[str] = []
        finish: str | None = None
        usage = None
        saw_choice = False
        for event in stream:
            if event.usage is not None:
                usage = event.usage
            for choice in event.choices:
                saw_choice = True
                if choice.delta and choice.delta.content:
                    parts.append(choice.delta.content)
                if choice.finish_reason:
                    finish = choice.finish_reason
        if not saw_choice:
            raise CallFailed("the model answered with no choices")
        return Completion(
            text="".join(parts),
            finish_reason=finish,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            response_format=fmt,
            usage_reported=usage is not None,
        )
