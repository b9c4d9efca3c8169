"""The model API: one narrow interface, `Model.complete`, over any OpenAI-compatible server.

Failures, and what happens to them:

    transient   429 (except quota), 408/409, 5xx, timeout, connection error (a reset, also in
                the middle of a stream), a 200 whose JSON body was cut off
                -> retried with exponential backoff and jitter, honouring Retry-After (none
                   when it asks for more than MAX_WAIT), at most `max_retries` times and within
                   `request_budget` seconds; then `CallFailed`
    per-request 400 (e.g. context too long), an answer with no choices, a 200 that is not JSON,
                any other refused request, a stream slower than the whole budget
                -> `CallFailed` at once: that chunk fails, the others go on
    fatal       401/403 (bad key), 404 (no such model or URL), 429 insufficient_quota
                -> `ModelAuthError` / `ModelError` at once: the run stops, results kept

A 400 that rejects `response_format` downgrades structured output for the rest of the run:
json_schema -> json_object -> plain text (the system prompt describes the JSON either way).
Every 429 halves the shared `AdaptiveLimiter`; successes grow it back.
The SDK's own retries are off (`max_retries=0`): this module is the one place that retries.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import openai
from openai.types.chat import ChatCompletion
from pydantic import ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    stop_before_delay,
)

from reviewbot.config import Config
from reviewbot.errors import ModelAuthError, ModelError
from reviewbot.limiter import AdaptiveLimiter
from reviewbot.model_retry import (
    asks_too_long,
    backoff,
    describe,
    is_transient,
    rejects_format,
    request_budget,
    retry_after,
)
from reviewbot.providers import KEY_OVERRIDE_ENV, Endpoint

log = logging.getLogger("reviewbot")
MIN_ATTEMPT = 1.0  # seconds: the shortest timeout given to a last attempt near the deadline
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


class OpenAIModel:
    """The model behind the official `openai` SDK. Construction does no I/O.

    `sleep` replaces `time.sleep` between retries (tests); `limiter` is shared by all requests.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        api_key: str | None,
        config: Config,
        client: openai.OpenAI | None = None,
        limiter: AdaptiveLimiter | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.config = config
        self._own_client = client is None
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
            else config.response_format
        )
        self._format_index = FORMATS.index(first)
        self.format_notes: list[str] = []
        self.lost = 0  # attempts that timed out or lost their connection: maybe billed
        self._lock = threading.Lock()

    def __enter__(self) -> OpenAIModel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections of a client this model created."""
        if self._own_client:
            self.client.close()

    @property
    def response_format(self) -> str:
        return FORMATS[self._format_index]

    def notes(self) -> list[str]:
        """What the run should tell the user about the model: downgrades, rate limiting."""
        out = list(self.format_notes)
        if self.lost:
            out.append(
                f"{self.lost} request{'s' * (self.lost != 1)} timed out or lost the connection; "
                "a provider may bill them, and the usage above does not count them"
            )
        if self.limiter.lowest < self.limiter.maximum:
            out.append(
                f"the provider rate-limited requests; concurrency went down to "
                f"{self.limiter.lowest} of {self.limiter.maximum}"
            )
        return out

    def complete(
        self, messages: list[dict[str, str]], schema: dict[str, Any] | None, max_tokens: int
    ) -> Completion:
        while True:
            fmt = self.response_format
            try:
                return self._with_retries(messages, schema, max_tokens, fmt)
            except openai.BadRequestError as err:
                if not self._downgrade(fmt, err):
                    hint = ""
                    if rejects_format(err) and self.config.response_format != "auto":
                        hint = "; set response_format to auto (or text) in the config"
                    raise CallFailed(describe(err) + hint) from None

    def _downgrade(self, fmt: str, err: openai.BadRequestError) -> bool:
        if fmt == "text" or self.config.response_format != "auto" or not rejects_format(err):
            return False
        with self._lock:
            if self.response_format == fmt:
                self._format_index += 1
                note = (
                    f"structured output: {fmt} was refused ({describe(err)[:120]}); "
                    f"using {self.response_format}"
                )
                self.format_notes.append(note)
                log.warning("%s", note)
        return True

    def _with_retries(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None,
        max_tokens: int,
        fmt: str,
    ) -> Completion:
        budget = request_budget(self.config)
        deadline = time.monotonic() + budget
        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_any(
                stop_after_attempt(self.config.max_retries + 1),
                stop_before_delay(budget),
                asks_too_long,
            ),
            wait=backoff,
            reraise=True,
            before_sleep=self._before_sleep,
            **({"sleep": self._sleep} if self._sleep else {}),
        )
        try:
            return retrying(self._once, messages, schema, max_tokens, fmt, deadline)
        except (openai.AuthenticationError, openai.PermissionDeniedError) as err:
            raise ModelAuthError(self._auth_message(err)) from None
        except openai.NotFoundError as err:
            raise ModelError(
                f"model {self.endpoint.model!r} or the API at {self.endpoint.base_url} was not "
                f"found ({describe(err)}); check --model and --base-url"
            ) from None
        except openai.RateLimitError as err:
            if getattr(err, "code", None) == "insufficient_quota":
                raise ModelError(
                    f"the provider says the quota is used up ({describe(err)}); "
                    "check the account's billing"
                ) from None
            hinted = retry_after(err)
            wait = f"; the server asks to wait {hinted:.0f} s" if hinted and hinted > 1 else ""
            raise CallFailed(f"rate limited: {describe(err)}{_tries(retrying)}{wait}") from None
        except openai.BadRequestError:
            raise
        except json.JSONDecodeError as err:
            raise CallFailed(
                f"the server's answer was not valid JSON ({err.msg}){_tries(retrying)}"
            ) from None
        except openai.APIError as err:
            raise CallFailed(f"{describe(err)}{_tries(retrying)}") from None

    def _auth_message(self, err: openai.APIStatusError) -> str:
        where = f"the model API at {self.endpoint.base_url}"
        env = self.endpoint.key_env
        check = f"check {env} (or {KEY_OVERRIDE_ENV}, which wins when set)" if env else ""
        if isinstance(err, openai.PermissionDeniedError):
            return (
                f"{where} refused access ({describe(err)}): the key may not have access to "
                f"model {self.endpoint.model!r}; {check or 'check the key'}"
            )
        return f"{where} refused the key ({describe(err)}); {check or 'check the key'}"

    def _before_sleep(self, state: RetryCallState) -> None:
        err = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.info(
            "model request failed (%s); retry %d in %.1fs",
            describe(err) if err else "?",
            state.attempt_number,
            wait,
        )

    def _once(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None,
        max_tokens: int,
        fmt: str,
        deadline: float,
    ) -> Completion:
        kwargs = self._request(messages, schema, max_tokens, fmt)
        with self.limiter.slot() as epoch:
            left = deadline - time.monotonic()
            kwargs["timeout"] = min(self.config.timeout, max(left, MIN_ATTEMPT))
            try:
                if self.config.stream:
                    completion = self._stream(kwargs, fmt, deadline)
                else:
                    completion = self._plain(kwargs, fmt)
            except openai.RateLimitError as err:
                if getattr(err, "code", None) != "insufficient_quota":
                    self.limiter.throttled(since=epoch)
                raise
            except (openai.APITimeoutError, openai.APIConnectionError):
                with self._lock:  # the server may have done (and billed) the work
                    self.lost += 1
                raise
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
        return _completion(response, fmt)

    def _stream(self, kwargs: dict[str, Any], fmt: str, deadline: float) -> Completion:
        """Read a streamed answer; usage comes in the last event (`include_usage`)."""
        stream = self.client.chat.completions.create(
            **kwargs, stream=True, stream_options={"include_usage": True}
        )
        with stream:
            if "text/event-stream" not in stream.response.headers.get("content-type", ""):
                return _unstreamed(stream.response.read(), fmt)
            return self._events(stream, fmt, deadline)

    def _events(self, stream: Any, fmt: str, deadline: float) -> Completion:
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
            if time.monotonic() > deadline:
                raise CallFailed(
                    f"the streamed answer took longer than {request_budget(self.config):.0f} s"
                    " (timeout x (max_retries + 1))"
                )
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


def _unstreamed(body: bytes, fmt: str) -> Completion:
    """The answer of a server that ignored `stream: true`: one JSON body, or something else."""
    text = body.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        if text.lstrip().startswith("{"):
            raise  # a JSON body cut off: transient, like a plain request's
        raise CallFailed(
            f"the server answered with a body that is not JSON: {text[:80]!r}"
        ) from None
    try:
        response = ChatCompletion.model_validate(data)
    except ValidationError as err:
        raise CallFailed(
            f"the server's answer is not a chat completion ({err.error_count()} problems)"
        ) from None
    return _completion(response, fmt)


def _completion(response: ChatCompletion, fmt: str) -> Completion:
    if not response.choices:
        raise CallFailed("the model answered with no choices")
    choice = response.choices[0]
    refusal = getattr(choice.message, "refusal", None)
    if choice.message.content is None and refusal:
        raise CallFailed(f"the model refused: {refusal[:200]}")
    usage = response.usage
    return Completion(
        text=choice.message.content or "",
        finish_reason=choice.finish_reason,
        prompt_tokens=usage.prompt_tokens if usage else 0,
        completion_tokens=usage.completion_tokens if usage else 0,
        response_format=fmt,
        usage_reported=usage is not None,
    )


def _tries(retrying: Retrying) -> str:
    attempts = retrying.statistics.get("attempt_number", 1)
    return f" (after {attempts} attempts)" if attempts > 1 else ""
