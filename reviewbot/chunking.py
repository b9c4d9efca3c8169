"""Packing reviewable files into chunks that fit the model's token budget.

Each line is rendered the way the model will see it (`render_line`): its new-file number and a
marker (`12+ code` added, `12  code` unchanged), or for a deleted line its old-file number after
a minus (`-12 code`). A chunk's cost is the sum of its rendered lines and headers, counted once.

Rules:
- a file whose hunks fit in one chunk stays whole; files are packed best-fit, largest first
  within each priority class (code, tests, config, docs, data), and chunks are ordered by the
  most important file they hold;
- a file too large for one chunk is cut at hunk boundaries; a hunk too large is cut at line
  boundaries (preferring a blank line or a line at indentation 0), and each later piece repeats
  up to `context_lines` preceding lines as unchanged context;
- every added and deleted line is owned by exactly one chunk; a line too long for a chunk is
  shortened with a marker saying how much was cut.

The minimum body budget is `MIN_BODY_TOKENS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewbot.diff import Diff, FileDiff, Hunk, Kind, Line
from reviewbot.tokens import Tokenizer
from reviewbot.triage import priority

MIN_BODY_TOKENS = 256
HEADER_SLACK = 4  # tokens allowed for joining a header to its lines


@dataclass(frozen=True, slots=True)
class ChunkLine:
    line: Line
    owned: bool  # False: context repeated from the previous piece, reviewed in another chunk
    text: str  # rendered, as the model sees it
    tokens: int


@dataclass(frozen=True, slots=True)
class Piece:
    """A hunk, or part of one."""

    header: str
    lines: tuple[ChunkLine, ...]
    tokens: int


@dataclass(frozen=True, slots=True)
class ChunkFile:
    file: FileDiff
    pieces: tuple[Piece, ...]
    part: int  # 1-based; >1 when a large file is spread over chunks
    tokens: int

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def header(self) -> str:
        return file_header(self.file, self.part)

    def owned_lines(self) -> list[Line]:
        return [cl.line for p in self.pieces for cl in p.lines if cl.owned]

    def span(self) -> tuple[int, int] | None:
        """First and last new-file line shown, for progress and plans."""
        news = [cl.line.new for p in self.pieces for cl in p.lines if cl.line.new is not None]
        return (min(news), max(news)) if news else None


@dataclass(frozen=True)
class Chunk:
    index: int
    files: tuple[ChunkFile, ...]
    tokens: int

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.files)

    def view(self) -> Diff:
        """The part of the diff this chunk shows, as a Diff: findings must land on these lines.
        Parts of one file in one chunk become one file."""
        merged: dict[str, FileDiff] = {}
        for cf in self.files:
            f = cf.file
            hunks = tuple(Hunk(0, 0, 0, 0, "", tuple(cl.line for cl in p.lines)) for p in cf.pieces)
            if f.path in merged:
                hunks = merged[f.path].hunks + hunks
            merged[f.path] = FileDiff(f.old_path, f.new_path, f.status, f.content, hunks)
        return Diff(tuple(merged.values()))

    def render(self) -> str:
        """The chunk's body, exactly as it goes into the prompt."""
        out: list[str] = []
        for cf in self.files:
            out.append(cf.header)
            for piece in cf.pieces:
                out.append(piece.header)
                out.extend(cl.text for cl in piece.lines)
        return "\n".join(out) + "\n"


def file_header(file: FileDiff, part: int = 1) -> str:
    status = file.status.value
    if file.old_path and file.new_path and file.old_path != file.new_path:
        status += f" from {file.old_path}"
    if file.whole_file:
        status = "whole file"
    suffix = f", part {part}" if part > 1 else ""
    return f"=== FILE: {file.path} ({status}{suffix}) ==="


def render_line(line: Line, owned: bool = True, text: str | None = None) -> str:
    body = line.text if text is None else text
    if line.kind is Kind.REMOVED:
        return f"-{line.old} {body}"
    marker = "+" if line.kind is Kind.ADDED and owned else " "
    return f"{line.new}{marker} {body}"


class _Counter:
    """Counts rendered lines in batches and shortens lines that could never fit."""

    def __init__(self, tokenizer: Tokenizer, line_cap: int) -> None:
        self.tokenizer = tokenizer
        self.line_cap = line_cap

    def lines(self, items: Sequence[tuple[Line, bool]]) -> list[ChunkLine]:
        texts = [render_line(ln, owned) for ln, owned in items]
        counts = self.tokenizer.count_many([t + "\n" for t in texts])
        out = []
        for (ln, owned), text, n in zip(items, texts, counts, strict=True):
            if n > self.line_cap:
                text, n = self._shorten(ln, owned, n)
            out.append(ChunkLine(ln, owned, text, n))
        return out

    def _shorten(self, line: Line, owned: bool, tokens: int) -> tuple[str, int]:
        keep = len(line.text)
        while tokens > self.line_cap and keep > 0:
            keep = min(keep - 1, int(keep * self.line_cap / tokens * 0.9))
            cut = len(line.text) - keep
            text = render_line(line, owned, f"{line.text[:keep]} …[{cut:,} more characters]")
            tokens = self.tokenizer.count(text + "\n")
        return text, tokens

    def text(self, text: str) -> int:
        return self.tokenizer.count(text + "\n")


def plan_chunks(
    files: Sequence[FileDiff], budget: int, tokenizer: Tokenizer, context_lines: int = 3
) -> list[Chunk]:
    """Pack `files` (already triaged) into chunks whose rendered body fits `budget` tokens."""
    if budget < MIN_BODY_TOKENS:
        raise ValueError(f"chunk body budget {budget} is below the minimum {MIN_BODY_TOKENS}")
    counter = _Counter(tokenizer, line_cap=max(24, budget // 8))
    units: list[tuple[int, ChunkFile]] = []
    for file in files:
        for cf in _file_parts(file, budget, counter, context_lines):
            units.append((priority(file.path), cf))
    return _pack(units, budget)


def _file_parts(
    file: FileDiff, budget: int, counter: _Counter, context_lines: int
) -> list[ChunkFile]:
    head_cost = counter.text(file_header(file, 2)) + HEADER_SLACK
    cap = budget - head_cost
    pieces: list[Piece] = []
    for hunk in file.hunks:
        header = hunk.header
        lines = counter.lines([(ln, True) for ln in hunk.lines])
        hcost = counter.text(header) + HEADER_SLACK
        if hcost + sum(cl.tokens for cl in lines) <= cap:
            pieces.append(Piece(header, tuple(lines), hcost + sum(cl.tokens for cl in lines)))
        else:
            pieces.extend(_split_hunk(header, lines, cap, counter, context_lines))
    total = head_cost + sum(p.tokens for p in pieces)
    if total <= budget:
        return [ChunkFile(file, tuple(pieces), 1, total)] if pieces else []
    parts: list[ChunkFile] = []
    current: list[Piece] = []
    used = head_cost
    for piece in pieces:
        if current and used + piece.tokens > budget:
            parts.append(ChunkFile(file, tuple(current), len(parts) + 1, used))
            current, used = [], head_cost
        current.append(piece)
        used += piece.tokens
    if current:
        parts.append(ChunkFile(file, tuple(current), len(parts) + 1, used))
    return parts


def _split_hunk(
    header: str, lines: list[ChunkLine], cap: int, counter: _Counter, context_lines: int
) -> list[Piece]:
    """Cut a hunk's lines into pieces of at most `cap` tokens, each with its header."""
    pieces: list[Piece] = []
    start = 0
    while start < len(lines):
        head = header + (f" (lines {_first_new(lines[start:])} on, continued)" if start else "")
        hcost = counter.text(head) + HEADER_SLACK
        overlap = _overlap(lines, start, context_lines, counter) if start else []
        room = cap - hcost - sum(cl.tokens for cl in overlap)
        if room < (cap - hcost) // 2:
            overlap, room = [], cap - hcost
        end = _cut(lines, start, room)
        body = overlap + lines[start:end]
        pieces.append(Piece(head, tuple(body), hcost + sum(c.tokens for c in body)))
        start = end
    return pieces


def _first_new(lines: list[ChunkLine]) -> str:
    for cl in lines:
        if cl.line.new is not None:
            return str(cl.line.new)
    return f"-{lines[0].line.old}"


def _overlap(lines: list[ChunkLine], start: int, n: int, counter: _Counter) -> list[ChunkLine]:
    before = [
        cl.line for cl in lines[max(0, start - n) : start] if cl.line.kind is not Kind.REMOVED
    ]
    return counter.lines([(ln, False) for ln in before])


def _cut(lines: list[ChunkLine], start: int, room: int) -> int:
    """The end index of the piece starting at `start`: as far as fits, then back to a boundary."""
    used, end = 0, start
    while end < len(lines) and used + lines[end].tokens <= room:
        used += lines[end].tokens
        end += 1
    if end == start:
        return start + 1  # a single line longer than the room; _Counter keeps it below line_cap
    if end == len(lines):
        return end
    floor = start + max(1, (end - start) * 4 // 5)
    for i in range(end, floor, -1):
        text = lines[i - 1].line.text
        nxt = lines[i].line.text if i < len(lines) else ""
        if not text.strip() or (nxt and not nxt[0].isspace()):
            return i
    return end


def _pack(units: list[tuple[int, ChunkFile]], budget: int) -> list[Chunk]:
    """Best-fit decreasing within priority classes.

    Chunks are ordered by the best priority they hold, then by the earliest file (and part) in
    them, so the parts of a large file follow each other.
    """
    order = sorted(range(len(units)), key=lambda i: (units[i][0], -units[i][1].tokens, i))
    bins: list[list[int]] = []  # indexes into units
    free: list[int] = []
    for i in order:
        cost = units[i][1].tokens
        best = -1
        for b, room in enumerate(free):
            if cost <= room and (best < 0 or room < free[best]):
                best = b
        if best < 0:
            bins.append([])
            free.append(budget)
            best = len(bins) - 1
        bins[best].append(i)
        free[best] -= cost
    ranked = sorted(
        range(len(bins)), key=lambda b: (min(units[i][0] for i in bins[b]), min(bins[b]))
    )
    chunks = []
    for n, b in enumerate(ranked):
        members = sorted(bins[b], key=lambda i: (units[i][0], units[i][1].path, units[i][1].part))
        files = tuple(units[i][1] for i in members)
        chunks.append(Chunk(n, files, budget - free[b]))
    return chunks
