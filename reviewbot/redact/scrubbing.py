"""The placeholder a secret becomes, and scrubbing known secrets out of what goes out.

A masked secret reads `«redacted:KIND»` (PLACEHOLDER), valid code in no language. `scrub`
replaces known secret values in any text going out (findings, summaries, notes, log records,
errors): a second line of defence after masking, and the place for the run's own API keys.
`ScrubFilter` does it for every log record; `has_placeholder` tells a suggested fix that would
write a placeholder into the code. All are thread-safe.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewbot.redact.redactor import Redactor

PLACEHOLDER = "«redacted:{kind}»"
PLACEHOLDER_RE = re.compile(r"«redacted:[^«»\r\n]{1,60}»")
MIN_SCRUB_LENGTH = 4  # shorter values are masked in prompts but not hunted for in outputs


def scrub(text: str, known_secrets: Iterable[str]) -> str:
    """`text` with every known secret value replaced by its placeholder.

    For all text going out: findings, summaries, notes, log records, error messages. Values
    shorter than MIN_SCRUB_LENGTH are left alone, and a value is replaced only where it is not
    part of a longer word (the password `hunter` does not mangle `hunters`). `known_secrets`
    may map each value to its kind, as `Redactor.secrets` does.
    """
    values = frozenset(v for v in known_secrets if len(v) >= MIN_SCRUB_LENGTH)
    if not text or not values:
        return text
    kinds = known_secrets if isinstance(known_secrets, Mapping) else {}
    return _scrub_pattern(values).sub(
        lambda m: PLACEHOLDER.format(kind=kinds.get(m.group(0), "secret")), text
    )


@lru_cache(maxsize=16)
def _scrub_pattern(values: frozenset[str]) -> re.Pattern:
    alternatives = []
    for value in sorted(values, key=len, reverse=True):  # the longest first
        before = r"(?<![A-Za-z0-9])" if value[0].isalnum() else ""
        after = r"(?![A-Za-z0-9])" if value[-1].isalnum() else ""
        alternatives.append(before + re.escape(value) + after)
    return re.compile("|".join(alternatives))


class ScrubFilter(logging.Filter):
    """A logging filter that scrubs each record's message (and its traceback text)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redactor.scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.scrub(record.exc_text)
        return True


def has_placeholder(text: str | None) -> bool:
    """Whether `text` holds a placeholder: a suggested fix that would write one into the code."""
    return bool(text) and PLACEHOLDER_RE.search(text or "") is not None
