"""Private keys: blocks of lines, masked line by line.

Every line of a `BEGIN ... PRIVATE KEY` (or PuTTY) block is masked up to its END, also when a
hunk shows only the END (the key material just above it is masked), and key material in key
files (`*.pem`, `id_rsa`, ...) outside any block. A block ends at the first line that is not key
material, or after MAX_KEY_LINES: a fake BEGIN line hides no code. The markers themselves are
left as they are; `key_markers` finds them so that no other detector masks them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PRIVATE_KEY = "Private Key"
MAX_KEY_LINES = 400

_KEY_BEGIN = re.compile(
    r"BEGIN (?:(?!END )[A-Z0-9]{1,12} ){0,4}PRIVATE KEY(?: BLOCK)?[ -]{0,10}"
    r"|PuTTY-User-Key-File-\d: .*"
)
_KEY_END = re.compile(r"-{0,10}\s{0,4}END (?:[A-Z0-9]{1,12} ){0,4}PRIVATE KEY")
_KEY_LINE = re.compile(  # a line of a key block, maybe in a string literal: "MIIEow...\n" +
    r"""^\s*(?:[+,]\s*)?["'`]?
    (?P<core>[A-Za-z0-9+/=]+
      | (?:Proc-Type|DEK-Info|Comment|Version|Hash|Charset|Encryption|Public-Lines
           |Private-Lines|Private-MAC|Private-Hash|Key-Derivation|Argon2-[\w-]+):[^"'`]*
    )?
    (?:\\[rn])*["'`]?\s*(?:[+,;)\\]\s*)*$""",
    re.VERBOSE,
)
_SHORT_BODY = re.compile(r"(?=.*[0-9+/=])[A-Za-z0-9+/]{2,}={0,2}")  # not a bare word
_SHORT_LAST = re.compile(r"[A-Za-z0-9+/]{2,}={1,2}")  # the padded last line of a body
_INLINE_NOISE = re.compile(r"\\[rn]|[\s\"'`]")
_INLINE_KEY = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_BODY_LINE = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")  # a PEM/OpenSSH body line in a key file
Range = tuple[int, int]
_Spans = dict[int, list[tuple[int, int, int]]]  # line index -> [(start, end, which key)]


def key_spans(lines: Sequence[str], key_file: bool) -> tuple[dict[int, list[Range]], int]:
    """What to mask, by line index, of every private key in `lines`; and how many keys."""
    spans: _Spans = {}
    key = 0  # keys seen; 0 for material in a key file outside any BEGIN...END
    block = 0  # lines into the current block; 0: outside one
    for i, text in enumerate(lines):
        pos, orphan = 0, None
        if block:
            block = _continue_block(i, text, spans, block, key)
            if block > 0:
                continue
            if block == 0:  # the END is on this line: another key may begin after it
                pos = _KEY_END.search(text).end()  # type: ignore[union-attr]
            block = 0
        begin = _KEY_BEGIN.search(text, pos)
        if not pos and (orphan := _KEY_END.search(text, 0, begin.start() if begin else len(text))):
            key += 1  # an END whose BEGIN is not shown
            _mask_back(lines, i, orphan.start(), spans, key)
        if begin:
            key += 1
            end = _KEY_END.search(text, begin.end())
            if span := _inline(text, begin.end(), end.start() if end else len(text)):
                spans.setdefault(i, []).append((*span, key))
            block = 0 if end else 1
        elif not (pos or orphan) and key_file and (body := _body_line(text)):
            spans[i] = [(*body, 0)]  # key material in a key file, outside BEGIN...END
    keys = {k for found in spans.values() for *_, k in found}
    return {i: [(a, b) for a, b, _ in found] for i, found in spans.items()}, len(keys)


def key_markers(text: str) -> list[Range]:
    """Where the BEGIN and END markers are in a line."""
    return [m.span() for rx in (_KEY_BEGIN, _KEY_END) for m in rx.finditer(text)]


def _body_line(text: str) -> Range | None:
    body = _BODY_LINE.search(text)
    return body.span() if body and _material(text) else None


def _continue_block(i: int, text: str, spans: _Spans, block: int, key: int) -> int:
    """The next state: lines into the block, 0 after its END, -1 if this line is not in it."""
    if end := _KEY_END.search(text):
        if span := _inline(text, 0, end.start()):
            spans[i] = [(*span, key)]
        return 0
    span = _material(text)
    if span is None or block > MAX_KEY_LINES:
        return -1  # not key material: the block is over (a fake BEGIN hides no code)
    if span[1] > span[0]:
        spans[i] = [(*span, key)]
    return block + 1


def _mask_back(lines: Sequence[str], i: int, end: int, spans: _Spans, key: int) -> None:
    """An END whose BEGIN is not shown: mask the key material just above it."""
    if span := _inline(lines[i], 0, end):
        spans[i] = [(*span, key)]
    j = i - 1
    while j >= 0 and j not in spans and (span := _material(lines[j])):
        core = lines[j][span[0] : span[1]]
        if len(core) < 16 and not _SHORT_LAST.fullmatch(core):  # a body line, or the last one
            break
        spans[j] = [(*span, key)]
        j -= 1


def _material(text: str) -> Range | None:
    """Where a line of a key block holds key material ((0, 0) if blank); None if it is code."""
    m = _KEY_LINE.match(text)
    if m is None:
        return None
    core = m.group("core") or ""
    if core and ":" not in core and len(core) < 16 and not _SHORT_BODY.fullmatch(core):
        return None  # a short bare word (`return`, `pass`) after a BEGIN line is code
    return m.span("core") if core else (0, 0)


def _inline(text: str, start: int, stop: int) -> Range | None:
    """Key material between BEGIN and END on one line (a JSON key file), or next to one."""
    start += len(text[start:stop]) - len(text[start:stop].lstrip())
    core = _INLINE_NOISE.sub("", text[start:stop])
    return (start, stop) if _INLINE_KEY.fullmatch(core) else None
