"""The `Redactor`: masks the secrets in hunks and files, counts them, and remembers them.

Each line's secrets (`scan`) and private-key blocks (`keyblocks`) become spans; overlapping
spans merge (the lower rank names the kind) and each is replaced by its placeholder, keeping any
line break inside it, so lines are never added, removed or split. The values masked are kept
for `scrub`, never logged. One `Redactor` per run, used from one thread.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Mapping, Sequence

from reviewbot.diff import FileDiff
from reviewbot.redact.filetypes import profile_for
from reviewbot.redact.keyblocks import PRIVATE_KEY, Range, key_markers, key_spans
from reviewbot.redact.scan import LineScanner, Span
from reviewbot.redact.scrubbing import MIN_SCRUB_LENGTH, PLACEHOLDER, scrub

_NOT_BREAKS = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")  # str.splitlines'


class Redactor:
    """Masks secrets line by line and counts them per file. One per run; not thread-safe.

    The constructor compiles patterns and does no I/O. `prefilter=False` runs every plugin on
    every line: slow, for the tests that check that the gate hides nothing.
    """

    def __init__(self, prefilter: bool = True) -> None:
        self._scanner = LineScanner(prefilter)
        self._counts: dict[str, Counter[str]] = {}
        self._secrets: dict[str, str] = {}  # value -> kind, for scrub(); never logged

    def __repr__(self) -> str:  # never the values
        return f"Redactor({sum(self.total().values())} secrets masked)"

    # -- masking ----------------------------------------------------------------------------------

    def redact_line(self, path: str, text: str) -> tuple[str, list[str]]:
        """`text` masked, and the kinds masked. A lone line: key blocks need `redact_lines`."""
        lines, kinds = self.redact_lines(path, [text])
        return lines[0], kinds

    def redact_lines(self, path: str, lines: Sequence[str]) -> tuple[list[str], list[str]]:
        """Consecutive lines of one file (a hunk) masked, as many; and the kinds masked."""
        profile = profile_for(path)
        spans_of = self._scanner.spans
        key_ranges: dict[int, list[Range]] = {}
        keys = 0
        keyish = profile.key_file or any("PRIVATE KEY" in t or "PuTTY-User" in t for t in lines)
        if keyish:
            key_ranges, keys = key_spans(lines, profile.key_file)
        kinds = [PRIVATE_KEY] * keys  # a key counts once, not once per line
        out = []
        for i, text in enumerate(lines):
            spans = spans_of(profile, text)
            if keyish and spans and (markers := key_markers(text)):
                # BEGIN and END lines stay as the key blocks saw them
                spans = [s for s in spans if not any(a < s.end and s.start < b for a, b in markers)]
            spans += [Span(a, b, -1, PRIVATE_KEY) for a, b in key_ranges.get(i, ())]
            masked, found = self._apply(text, spans)
            kinds.extend(k for k in found if k != PRIVATE_KEY)
            out.append(masked)
        if kinds:
            self._counts.setdefault(path, Counter()).update(kinds)
        return out, kinds

    def redact_file(self, file: FileDiff) -> FileDiff:
        """The file with its hunks' lines and section headers masked; the same object if clean."""
        hunks, changed = [], False
        for hunk in file.hunks:
            texts, _ = self.redact_lines(file.path, [ln.text for ln in hunk.lines])
            section = self.redact_line(file.path, hunk.section)[0] if hunk.section else ""
            if section == hunk.section and texts == [ln.text for ln in hunk.lines]:
                hunks.append(hunk)
                continue
            changed = True
            lines = tuple(
                ln if t == ln.text else dataclasses.replace(ln, text=t)
                for t, ln in zip(texts, hunk.lines, strict=True)
            )
            hunks.append(dataclasses.replace(hunk, lines=lines, section=section))
        return dataclasses.replace(file, hunks=tuple(hunks)) if changed else file

    # -- what was masked --------------------------------------------------------------------------

    def counts(self) -> dict[str, dict[str, int]]:
        """Secrets masked so far, by path and kind."""
        return {path: dict(c) for path, c in self._counts.items()}

    def total(self) -> Counter[str]:
        return sum(self._counts.values(), Counter())

    def summary(self) -> str | None:
        """One line for the run's notes (paths and kinds, never values), or None."""
        if not self._counts:
            return None
        n = sum(self.total().values())
        files = ", ".join(
            f"{path} ({', '.join(f'{k} {kind}' for kind, k in sorted(c.items()))})"
            for path, c in sorted(self._counts.items())
        )
        return f"masked {n} secret{'s' * (n != 1)} before review in {files}"

    @property
    def secrets(self) -> Mapping[str, str]:
        """The values masked so far (value -> kind), for `scrub`. Never log it."""
        return dict(self._secrets)

    def add_secret(self, value: str, kind: str = "secret") -> None:
        """Have `scrub` hunt for a value the diff did not show, e.g. the run's own API key."""
        if len(value.strip()) >= MIN_SCRUB_LENGTH:
            self._secrets.setdefault(value.strip(), kind)

    def scrub(self, text: str) -> str:
        return scrub(text, dict(self._secrets))  # a copy: other threads may log meanwhile

    # -- one line ---------------------------------------------------------------------------------

    def _apply(self, text: str, spans: list[Span]) -> tuple[str, list[str]]:
        """`text` with the spans masked (overlapping ones merged); the kinds masked."""
        if not spans:
            return text, []
        merged = _merge(spans)
        pieces, done = [], 0
        for span in merged:
            value = text[span.start : span.end]
            for part in value.splitlines():
                self.add_secret(part, span.kind)
            mask = _NOT_BREAKS.sub(PLACEHOLDER.format(kind=span.kind), value)
            pieces += [text[done : span.start], mask]
            done = span.end
        return "".join([*pieces, text[done:]]), [s.kind for s in merged]


def _merge(spans: list[Span]) -> list[Span]:
    """The spans in order, overlapping ones merged: the lower rank names the kind."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            best = last if last.rank <= span.rank else span
            merged[-1] = Span(last.start, max(last.end, span.end), best.rank, best.kind)
        else:
            merged.append(span)
    return merged
