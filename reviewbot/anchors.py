"""Where a review comment may go, and how a model's `(path, line, end_line)` becomes a legal anchor.

GitHub accepts an inline comment only on a line that is part of a hunk: `side: RIGHT` for added
and context lines (new-file numbers), `side: LEFT` for deleted and context lines (old-file
numbers). A multi-line comment (`start_line`..`line`) must lie inside one hunk.

`place` never guesses silently. It returns an `Anchor` (with `moved` saying why, if the lines
differ from what was asked, e.g. a range trimmed to its hunk) or an `Unplaceable` with the reason.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Literal

from reviewbot.diff import Diff, FileDiff, Kind

Side = Literal["RIGHT", "LEFT"]


@dataclass(frozen=True, slots=True)
class Anchor:
    path: str
    line: int
    side: Side = "RIGHT"
    start_line: int | None = None
    start_side: Side | None = None
    moved: str | None = None

    @property
    def first_line(self) -> int:
        return self.start_line if self.start_line is not None else self.line

    def github_fields(self) -> dict[str, object]:
        """The fields of a review comment in GitHub's `POST .../reviews` `comments[]`."""
        fields: dict[str, object] = {"path": self.path, "line": self.line, "side": self.side}
        if self.start_line is not None:
            fields["start_line"] = self.start_line
            fields["start_side"] = self.start_side or self.side
        return fields


@dataclass(frozen=True, slots=True)
class Unplaceable:
    path: str
    line: int | None
    end_line: int | None
    reason: str


class LineMap:
    """The commentable lines of one file: for each side, the line range of every hunk."""

    def __init__(self, file: FileDiff) -> None:
        self.file = file
        self._ranges: dict[str, list[tuple[int, int]]] = {"RIGHT": [], "LEFT": []}
        for hunk in file.hunks:
            new = [ln.new for ln in hunk.lines if ln.new is not None]
            old = [ln.old for ln in hunk.lines if ln.old is not None and ln.kind is not Kind.ADDED]
            if new:
                self._ranges["RIGHT"].append((min(new), max(new)))
            if old:
                self._ranges["LEFT"].append((min(old), max(old)))
        self._starts = {side: [lo for lo, _ in r] for side, r in self._ranges.items()}

    def hunk_range(self, line: int, side: Side = "RIGHT") -> tuple[int, int] | None:
        """The (first, last) line of the hunk that holds `line` on `side`, or None."""
        i = bisect.bisect_right(self._starts[side], line) - 1
        if i >= 0:
            lo, hi = self._ranges[side][i]
            if lo <= line <= hi:
                return lo, hi
        return None

    def first_range_after(self, line: int, end: int, side: Side) -> tuple[int, int] | None:
        """The first hunk range on `side` that overlaps lines line..end."""
        i = max(bisect.bisect_right(self._starts[side], line) - 1, 0)
        for lo, hi in self._ranges[side][i:]:
            if lo > end:
                return None
            if hi >= line:
                return lo, hi
        return None

    def describe(self, side: Side = "RIGHT") -> str:
        spans = [f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in self._ranges[side][:6]]
        more = ", ..." if len(self._ranges[side]) > 6 else ""
        return ", ".join(spans) + more if spans else "none"


class Placer:
    """Places model findings on a diff. Build once per diff; `place` is cheap."""

    def __init__(self, diff: Diff) -> None:
        self._files = {f.path: f for f in diff.files}
        self._old_names = {f.old_path: f.path for f in diff.files if f.old_path}
        self._maps: dict[str, LineMap] = {}

    def line_map(self, path: str) -> LineMap | None:
        file = self._files.get(path)
        if file is None:
            return None
        if path not in self._maps:
            self._maps[path] = LineMap(file)
        return self._maps[path]

    def resolve_path(self, path: str) -> tuple[str | None, str | None]:
        """The diff's path for a path a model wrote, and a note if it had to be normalised."""
        if path in self._files:
            return path, None
        for candidate in (path.removeprefix("./"), path[2:] if path[:2] in ("a/", "b/") else ""):
            if candidate in self._files:
                return candidate, None
        if path in self._old_names:
            new = self._old_names[path]
            return new, f"path given by its old name {path!r}; placed on {new!r}"
        return None, None

    def place(
        self, path: str, line: int, end_line: int | None = None, side: Side = "RIGHT"
    ) -> Anchor | Unplaceable:
        resolved, note = self.resolve_path(path)
        if resolved is None:
            return Unplaceable(path, line, end_line, f"{path!r} is not a file in this diff")
        lmap = self.line_map(resolved)
        assert lmap is not None
        if not isinstance(line, int) or line < 1:
            return Unplaceable(resolved, line, end_line, f"line {line!r} is not a line number")
        end = line if end_line is None or end_line == line else end_line
        notes = [note] if note else []
        if end < line:
            line, end = end, line
            notes.append("line and end_line were reversed")
        return _anchor_in(lmap, resolved, line, end, side, notes)


def _anchor_in(
    lmap: LineMap, path: str, line: int, end: int, side: Side, notes: list[str]
) -> Anchor | Unplaceable:
    span = lmap.hunk_range(line, side) or lmap.first_range_after(line, end, side)
    if span is None:
        what = f"line {line}" if end == line else f"lines {line}-{end}"
        word = "new" if side == "RIGHT" else "old"
        return Unplaceable(
            path,
            line,
            end if end != line else None,
            f"{what} of {path} ({side}) not in the diff; hunks cover {word}-file lines "
            f"{lmap.describe(side)}",
        )
    start, stop = max(line, span[0]), min(end, span[1])
    if (start, stop) != (line, end):
        asked = f"{line}-{end}" if end != line else str(line)
        got = f"{start}-{stop}" if stop != start else str(start)
        notes.append(f"lines {asked} reach outside the hunk; placed on {got}")
    moved = "; ".join(notes) or None
    if start == stop:
        return Anchor(path, stop, side, moved=moved)
    return Anchor(path, stop, side, start_line=start, start_side=side, moved=moved)


def code_at(file: FileDiff | None, anchor: Anchor) -> str:
    """The text of the lines an anchor covers (new-file lines on RIGHT, old-file lines on LEFT)."""
    if file is None:
        return ""
    rows = []
    for hunk in file.hunks:
        for ln in hunk.lines:
            left = None if ln.kind is Kind.ADDED else ln.old
            number = ln.new if anchor.side == "RIGHT" else left
            if number is not None and anchor.first_line <= number <= anchor.line:
                rows.append(ln.text)
    return "\n".join(rows)
