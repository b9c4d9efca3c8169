"""The diff model: unified diffs (and whole files) as files, hunks and numbered lines.

`parse_diff` reads `git diff`, `git diff --no-index` and GitHub's `application/vnd.github.diff`
output with unidiff; `whole_file` turns a file's content into a diff in which every line is
added, so a file named on the command line goes through the same engine as a pull request.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from unidiff import PatchSet, UnidiffParseError
from unidiff.patch import PatchedFile

from reviewbot.errors import InputError


class Status(enum.StrEnum):
    """What happened to a file."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"
    MODE_CHANGE = "mode_change"


class Content(enum.StrEnum):
    """What kind of content the file holds."""

    TEXT = "text"
    BINARY = "binary"
    SUBMODULE = "submodule"
    SYMLINK = "symlink"


class Kind(enum.StrEnum):
    ADDED = "+"
    REMOVED = "-"
    CONTEXT = " "


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a hunk. `old`/`new` are its line numbers in the old/new file (None if absent)."""

    kind: Kind
    old: int | None
    new: int | None
    text: str


@dataclass(frozen=True, slots=True)
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str
    lines: tuple[Line, ...]

    @property
    def header(self) -> str:
        tail = f" {self.section}" if self.section else ""
        return f"@@ -{self.old_start},{self.old_len} +{self.new_start},{self.new_len} @@{tail}"


@dataclass(frozen=True)
class FileDiff:
    """One file of a diff. `path` is where comments go: the new path, or the old one if deleted."""

    old_path: str | None
    new_path: str | None
    status: Status
    content: Content = Content.TEXT
    hunks: tuple[Hunk, ...] = ()
    old_mode: str | None = None
    new_mode: str | None = None
    similarity: int | None = None
    whole_file: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def path(self) -> str:
        return self.new_path if self.new_path is not None else (self.old_path or "")

    @cached_property
    def added(self) -> int:
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind is Kind.ADDED)

    @cached_property
    def removed(self) -> int:
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind is Kind.REMOVED)

    @cached_property
    def added_bytes(self) -> int:
        return sum(len(ln.text) + 1 for h in self.hunks for ln in h.lines if ln.kind is Kind.ADDED)


@dataclass(frozen=True)
class Diff:
    files: tuple[FileDiff, ...]

    def file(self, path: str) -> FileDiff | None:
        return self._by_path.get(path)

    @cached_property
    def _by_path(self) -> dict[str, FileDiff]:
        return {f.path: f for f in self.files}

    @property
    def changed_lines(self) -> int:
        return sum(f.added + f.removed for f in self.files)


_DIFF_START = re.compile(r"^(diff --git |--- |Binary files |diff --cc |index )", re.MULTILINE)


def decode(data: bytes) -> str:
    """Diffs are bytes: undecodable bytes become U+FFFD rather than failing the run."""
    return data.decode("utf-8", errors="replace")


def parse_diff(text: str) -> Diff:
    """Parse a unified diff. An empty text is an empty diff; text that is not a diff is an error."""
    if not text.strip():
        return Diff(files=())
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        patch = PatchSet(text)
    except UnidiffParseError as err:
        detail = " ".join(str(err).split())[:200]
        raise InputError(
            f"the diff is malformed ({detail}); give the output of `git diff`"
        ) from None
    if not len(patch) and not _DIFF_START.search(text):
        raise InputError(
            "the input is not a unified diff (no 'diff --git' or '---/+++' header found); "
            "give the output of `git diff`, or name source files without --diff"
        )
    return Diff(files=tuple(_file_from_unidiff(pf) for pf in patch))


def _strip_prefix(name: str | None) -> str | None:
    if name is None or name == "/dev/null":
        return None
    name = name.strip()
    if name.startswith('"') and name.endswith('"'):
        name = _unquote_c(name[1:-1])
    if name[:2] in ("a/", "b/"):
        return name[2:]
    return name


def _unquote_c(name: str) -> str:
    """Undo git's C-style quoting of paths with special characters (core.quotepath)."""
    raw = name.encode("latin-1", errors="backslashreplace").decode("unicode_escape")
    return raw.encode("latin-1", errors="replace").decode("utf-8", errors="replace")


def _header_value(info: Iterable[str], key: str) -> str | None:
    for line in info:
        if line.startswith(key):
            return line[len(key) :].strip()
    return None


def _file_from_unidiff(pf: PatchedFile) -> FileDiff:
    info = [str(x) for x in pf.patch_info or ()]
    old_path = _strip_prefix(pf.source_file)
    new_path = _strip_prefix(pf.target_file)
    if pf.is_added_file:
        old_path = None
    if pf.is_removed_file:
        new_path = None
    if old_path is None and new_path is None:
        old_path = new_path = _strip_prefix(pf.path) or pf.path
    hunks = tuple(_hunk(h) for h in pf)
    similarity = _header_value(info, "similarity index ")
    return FileDiff(
        old_path=old_path,
        new_path=new_path,
        status=_status(pf, info, hunks),
        content=_content(pf, info, hunks),
        hunks=hunks,
        old_mode=pf.source_mode,
        new_mode=pf.target_mode,
        similarity=int(similarity.rstrip("%")) if similarity else None,
    )


def _status(pf: PatchedFile, info: list[str], hunks: tuple[Hunk, ...]) -> Status:
    if pf.is_added_file:
        return Status.ADDED
    if pf.is_removed_file:
        return Status.DELETED
    if pf.is_rename:
        return Status.RENAMED
    if _header_value(info, "copy from ") is not None:
        return Status.COPIED
    if not hunks and not pf.is_binary_file and pf.source_mode != pf.target_mode:
        return Status.MODE_CHANGE
    return Status.MODIFIED


def _content(pf: PatchedFile, info: list[str], hunks: tuple[Hunk, ...]) -> Content:
    if pf.is_binary_file or any(x.startswith("GIT binary patch") for x in info):
        return Content.BINARY
    if pf.is_submodule or "160000" in (pf.source_mode, pf.target_mode):
        return Content.SUBMODULE
    if _is_submodule_pointer(hunks):
        return Content.SUBMODULE
    if pf.is_symlink:
        return Content.SYMLINK
    return Content.TEXT


def _is_submodule_pointer(hunks: tuple[Hunk, ...]) -> bool:
    lines = [ln for h in hunks for ln in h.lines]
    return (
        bool(lines)
        and len(lines) <= 2
        and all(ln.text.startswith("Subproject commit ") for ln in lines)
    )


def _hunk(h) -> Hunk:
    lines = []
    for ln in h:
        if ln.line_type not in ("+", "-", " "):
            continue  # "\ No newline at end of file"
        text = ln.value.rstrip("\n")
        if text.endswith("\r"):
            text = text[:-1]
        lines.append(Line(Kind(ln.line_type), ln.source_line_no, ln.target_line_no, text))
    return Hunk(
        old_start=h.source_start,
        old_len=h.source_length,
        new_start=h.target_start,
        new_len=h.target_length,
        section=(h.section_header or "").strip(),
        lines=tuple(lines),
    )


def looks_binary(data: bytes) -> bool:
    """git's rule: a NUL byte in the first 8000 bytes means binary."""
    return b"\0" in data[:8000]


def whole_file(path: str, data: bytes) -> FileDiff:
    """A file as a diff that adds every line, for reviewing files that are not in a diff."""
    if looks_binary(data):
        return FileDiff(
            old_path=None,
            new_path=path,
            status=Status.ADDED,
            content=Content.BINARY,
            whole_file=True,
        )
    text = decode(data)
    notes = ("contains bytes that are not UTF-8; shown as U+FFFD",) if "\ufffd" in text else ()
    rows = text.split("\n")  # not splitlines(): form feeds and U+2028 do not end a line for git
    if rows[-1] == "":
        rows.pop()
    lines = tuple(
        Line(Kind.ADDED, None, n, row.rstrip("\r")) for n, row in enumerate(rows, start=1)
    )
    hunks = (Hunk(0, 0, 1, len(lines), "", lines),) if lines else ()
    return FileDiff(
        old_path=None,
        new_path=path,
        status=Status.ADDED,
        hunks=hunks,
        whole_file=True,
        notes=notes,
    )
