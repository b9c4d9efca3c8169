"""What the plugins find in one line: the spans to mask, before key blocks and merging.

detect-secrets' plugins run in-process on single lines through their own `analyze_string` (not
through its global settings: nothing global changes and no verification request can be made).
KeywordDetector gets the rules of the file's type and is asked again after each value it
reports; the entropy plugins also see unquoted values in config files. Each value found is
located in the line, widened to its whole token unless generic (where an unquoted value glued to
`--option=`, or to `NAME=` in a shell script, ends at the first blank), and kept only if it passes
the filters (`filters.keep`).

Speed: a line is scanned only if it passes the gate (`gate`). Each distinct line is scanned
once per kind of file. detect-secrets' patterns take quadratic time on hostile lines, so lines
longer than WINDOW are scanned in windows overlapping by OVERLAP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from detect_secrets.plugins.base import BasePlugin
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
)
from detect_secrets.plugins.keyword import KeywordDetector

from reviewbot.redact.detectors import regex_plugins
from reviewbot.redact.filetypes import Profile
from reviewbot.redact.filters import GENERIC, keep
from reviewbot.redact.gate import Gate, entropy_candidates
from reviewbot.redact.scrubbing import PLACEHOLDER_RE

WINDOW, OVERLAP = 1024, 256  # long lines are scanned in windows overlapping this much
MAX_TOKEN = 4096  # a masked token is widened at most this far each way

_TOKEN_HEAD = re.compile(f"[A-Za-z0-9_]{{0,{MAX_TOKEN}}}")  # a token goes on this way...
_TOKEN_TAIL = re.compile(f"(?:[A-Za-z0-9_+/=]|-(?!-)){{0,{MAX_TOKEN}}}")  # ...base64 this way
_BLANK = re.compile(r"\s")
_MAX_NAME = 128  # how far back `_clip` looks for the name
_ASSIGNED = re.compile(r"(?:^|\s)[\w.\-]+=$")  # `NAME=v` and `--name=v` in a shell script
_OPTION = re.compile(r"(?:^|[\s\"'`])--?[\w.\-]+=$")  # `--password=v`, `-Dx.password=v` anywhere


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    rank: int  # the lower wins where spans overlap: specific formats before generic rules
    kind: str


class LineScanner:
    """Finds the secrets in single lines; caches what the plugins report for each line.

    The constructor compiles patterns and does no I/O. `prefilter=False` runs every plugin on
    every line: slow, for the tests that check that the gate hides nothing.
    """

    def __init__(self, prefilter: bool = True) -> None:
        regex = regex_plugins()
        self._plugins: list[BasePlugin] = [*regex, KeywordDetector()]
        self._entropy = (Base64HighEntropyString(), HexHighEntropyString())
        self._ranked: list[BasePlugin] = [*self._plugins, *self._entropy]  # by precedence
        self._prefilter = prefilter
        self._gate = Gate(regex, self._entropy)
        self._cache: dict[str, dict[str, tuple[tuple[int, str], ...]]] = {}

    def spans(self, profile: Profile, text: str) -> list[Span]:
        """Where `text` holds secrets, each with its kind and rank; overlaps left in."""
        if len(text) <= WINDOW and not self._findings(profile, text):
            return []  # the common case, fast
        masked = [m.span() for m in PLACEHOLDER_RE.finditer(text)] if "«" in text else []
        spans = []
        for offset in range(0, max(1, len(text) - OVERLAP), WINDOW - OVERLAP):
            window = text[offset : offset + WINDOW]
            for rank, value in self._findings(profile, window):
                plugin = self._ranked[rank]
                widen = plugin.secret_type not in GENERIC  # generic values are whole already
                for start, end in _occurrences(text, value, offset, offset + len(window), widen):
                    end = end if widen else _clip(text, start, end, profile.shell)
                    if any(a < end and start < b for a, b in masked):
                        continue  # already masked: masking twice changes nothing
                    if keep(plugin, text, start, end, profile):
                        spans.append(Span(start, end, rank, plugin.secret_type))
        return spans

    def _findings(self, profile: Profile, text: str) -> tuple[tuple[int, str], ...]:
        """(rank, value) of what the plugins report for `text`, before filters; once per text."""
        cache = self._cache.setdefault(profile.name, {})
        found = cache.get(text)
        if found is None:
            may = bool(text) and (not self._prefilter or self._gate.could_match(profile, text))
            found = cache[text] = tuple(dict.fromkeys(self._scan(profile, text))) if may else ()
        return found

    def _scan(self, profile: Profile, text: str) -> Iterable[tuple[int, str]]:
        for rank, plugin in enumerate(self._plugins):
            if isinstance(plugin, KeywordDetector):
                values = _keyword_values(plugin, text, profile.keyword_rules)
            else:
                values = plugin.analyze_string(text)
            yield from ((rank, value) for value in values if value)
        for plugin, value in entropy_candidates(self._entropy, profile, text):
            if plugin.calculate_shannon_entropy(value) > plugin.entropy_limit:
                yield len(self._plugins) + (plugin is self._entropy[1]), value


def _keyword_values(
    plugin: KeywordDetector, text: str, rules: Mapping[re.Pattern, int]
) -> Iterable[str]:
    """KeywordDetector reports the first match of each of its rules: look again after it, so
    that both values of `f(user_password="...", admin_password="...")` are found."""
    start = 0
    for _ in range(16):
        values = [v for v in plugin.analyze_string(text[start:], rules) if v]
        yield from values
        starts = [i for v in values if (i := text.find(v, start)) >= 0]
        if not starts:
            return
        nearest = min(starts)  # a value may hold the next name: `a_pwd="b_pwd"=c`
        start = nearest if nearest > start else start + 1


def _clip(text: str, start: int, end: int, shell: bool) -> int:
    """Where an unquoted value glued to `name=` ends: at the first blank, as a shell splits it,
    after an option (`--password=v rest`) and in shell scripts (`PGPASSWORD=v psql`)."""
    blank = _BLANK.search(text, start, end)
    if blank is None or start == 0 or text[start - 1] != "=":
        return end
    name = _ASSIGNED if shell else _OPTION
    return blank.start() if name.search(text[max(0, start - _MAX_NAME) : start]) else end


def _occurrences(text: str, value: str, lo: int, hi: int, widen: bool) -> Iterable[tuple[int, int]]:
    """Where `value` is in text[lo:hi]; if `widen`, each widened on the whole line to the token
    around it (filters judge the whole token: some patterns capture only a prefix, as `ghp`)."""
    value = value.strip(" \t\"'`").lstrip("=:")  # some patterns match the delimiters too
    start = text.find(value, lo, hi) if value else -1
    while start >= 0:
        end = start + len(value)
        if widen:
            head = _TOKEN_HEAD.match(text[max(0, start - MAX_TOKEN) : start][::-1])
            tail = _TOKEN_TAIL.match(text, end)
            start, end = start - (head.end() if head else 0), tail.end() if tail else end
        yield start, end
        start = text.find(value, end, hi)
