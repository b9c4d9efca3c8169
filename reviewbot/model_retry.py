"""When a model request is tried again, how long to wait, and how a failure is described.

transient   429 (except `insufficient_quota`), 408/409, 5xx, timeouts, connection errors, a 200
            whose JSON body was cut off: retried, waiting `Retry-After` (seconds, milliseconds
            or an HTTP date, plus up to 10% jitter) or an exponential back-off with jitter; a
            `Retry-After` over MAX_WAIT ends the retries at once
everything else is final for the request (see `reviewbot.model` for what each one means).
"""

from __future__ import annotations

import email.utils
import json
import random
from datetime import UTC, datetime

import openai
from tenacity import RetryCallState

from reviewbot.config import Config

MAX_WAIT = 60.0  # seconds: the longest single back-off; a longer Retry-After ends the retries


def request_budget(config: Config) -> float:
    """Seconds one request may take in all, retries and back-off included.

    The time its attempts would take if each used its full `timeout`; back-off comes out of it.
    A chunk makes at most three requests (the review, one retry of an unusable answer, the
    self-check), so it takes at most three times this.
    """
    return config.timeout * (config.max_retries + 1)


def retry_after(err: BaseException) -> float | None:
    response = getattr(err, "response", None)
    if response is None:
        return None
    value = response.headers.get("retry-after-ms")
    if value:
        try:
            return float(value) / 1000
        except ValueError:
            pass
    value = (response.headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:  # an HTTP date
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


def is_transient(err: BaseException) -> bool:
    if isinstance(err, json.JSONDecodeError):  # a 200 whose JSON body was cut off
        return True
    if isinstance(err, openai.RateLimitError):
        return getattr(err, "code", None) != "insufficient_quota"
    return isinstance(
        err, (openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)
    ) or (isinstance(err, openai.APIStatusError) and err.status_code in (408, 409, 502, 503, 504))


def backoff(state: RetryCallState) -> float:
    """Retry-After when the server gives one (plus up to 10% jitter), else exponential."""
    err = state.outcome.exception() if state.outcome else None
    hinted = retry_after(err) if err else None
    if hinted is not None:
        hinted = max(hinted, 0.0)
        return min(hinted + random.uniform(0, hinted / 10), MAX_WAIT)
    base = min(2.0 ** (state.attempt_number - 1), 30.0)
    return min(base / 2 + random.uniform(0, base / 2), MAX_WAIT)


def asks_too_long(state: RetryCallState) -> bool:
    """A Retry-After beyond MAX_WAIT (an hourly or daily limit): retrying soon is pointless."""
    err = state.outcome.exception() if state.outcome else None
    hinted = retry_after(err) if err else None
    return hinted is not None and hinted > MAX_WAIT


def describe(err: BaseException) -> str:
    if isinstance(err, openai.APIStatusError):
        body = err.body
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            message = body["message"]
        elif isinstance(body, str) and body.strip():
            message = " ".join(body.split())[:120]
        else:
            message = ""
        return f"HTTP {err.status_code}" + (f": {message[:300]}" if message else "")
    if isinstance(err, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(err, openai.APIConnectionError):
        return f"could not connect ({err.__cause__ or err})"[:300]
    return str(err)[:300]


def rejects_format(err: openai.BadRequestError) -> bool:
    """Whether a 400 is about `response_format` (the providers word it differently)."""
    param = getattr(err, "param", None) or ""
    text = str(err).lower()
    return param.startswith("response_format") or any(
        word in text for word in ("response_format", "json_schema", "json_object", "json mode")
    )
