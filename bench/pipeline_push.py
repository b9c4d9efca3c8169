"""A push that touches one file, for the incremental-review part of the pipeline benchmark.

`one_file_push(diff_text, files)` picks a new file of the pull request (a reviewable added file,
code first, the one whose size is closest to `TYPICAL_LINES`) and appends `lines` lines of its
language to it.
It returns the pull request's whole diff after the push and the diff of the push alone (what
GitHub's compare old-head...new-head answers): three lines of context and the new lines.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.synth_lines import LANGS, Writer
from reviewbot.diff import FileDiff, Kind, Status
from reviewbot.triage import priority

TYPICAL_LINES = 200
EXTENSIONS = {ext: lang for lang, (ext, _, _) in LANGS.items()}


@dataclass(frozen=True)
class Push:
    path: str
    lines: int  # lines added by the push
    full_diff: str  # the pull request's diff after the push
    push_diff: str  # the diff of the push alone


def _section(text: str, path: str) -> tuple[int, int] | None:
    """Start and end of a file's part of a `git diff` text."""
    start = text.find(f"diff --git a/{path} b/{path}\n")
    if start < 0:
        return None
    end = text.find("\ndiff --git ", start)
    return start, len(text) if end < 0 else end + 1


def _candidates(files: list[FileDiff]) -> list[FileDiff]:
    return [
        f
        for f in files
        if f.status is Status.ADDED
        and len(f.hunks) == 1
        and f.added >= 3
        and all(ln.kind is Kind.ADDED for ln in f.hunks[0].lines)
    ]


def one_file_push(text: str, files: list[FileDiff], lines: int = 40, seed: int = 1) -> Push | None:
    """The push, or None when the diff has no new text file to extend."""

    def typical(f: FileDiff) -> tuple[int, int]:  # code first, then by size
        return priority(f.path), abs(f.added - TYPICAL_LINES)

    for f in sorted(_candidates(files), key=typical):
        where = _section(text, f.path)
        if where is None or "\n\\ No newline" in text[where[0] : where[1]]:
            continue
        start, end = where
        head = text[start:end].split("\n@@ ", 1)[0]
        old = [ln.text for ln in f.hunks[0].lines]
        ext = f.path.rsplit(".", 1)[-1]
        writer = Writer(EXTENSIONS.get(ext, "py"), random.Random(seed))
        new = [writer.line() for _ in range(lines)]
        n, k = len(old), len(new)
        body = "".join(f"+{row}\n" for row in old + new)
        section = f"{head}\n@@ -0,0 +1,{n + k} @@\n{body}"
        context = "".join(f" {row}\n" for row in old[-3:])
        added = "".join(f"+{row}\n" for row in new)
        push = (
            f"diff --git a/{f.path} b/{f.path}\nindex 1111111..2222222 100644\n"
            f"--- a/{f.path}\n+++ b/{f.path}\n@@ -{n - 2},3 +{n - 2},{3 + k} @@\n"
            f"{context}{added}"
        )
        return Push(f.path, k, text[:start] + section + text[end:], push)
    return None
