"""The terminal: findings grouped by file, colour on a tty."""

from __future__ import annotations

import textwrap
from itertools import groupby

from reviewbot.findings import Finding
from reviewbot.publish.summary import counts_line, dropped_line, usage_line
from reviewbot.result import ReviewResult

COLORS = {"critical": "1;31", "major": "31", "minor": "33", "nit": "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _lines(f: Finding) -> str:
    return f"{f.line}-{f.end_line}" if f.end_line and f.end_line != f.line else str(f.line)


def _finding(f: Finding, color: bool) -> list[str]:
    where = _lines(f) + (" (old)" if f.side == "LEFT" else "")
    sev = _paint(f.severity.upper(), COLORS.get(f.severity, "0"), color)
    out = [f"  {where:>9}  {sev}  score {f.score}/10  {f.category}  " + _paint(f.title, "1", color)]
    for para in f.body.splitlines() or [""]:
        out.extend(
            textwrap.wrap(para, 88, initial_indent=" " * 13, subsequent_indent=" " * 13) or [""]
        )
    if f.note:
        out.append(" " * 13 + _paint(f"note: {f.note}", "2", color))
    if f.suggestion:
        out.append(" " * 13 + "suggestion:")
        out.extend(" " * 15 + "| " + row for row in f.suggestion.splitlines())
    return out


def render(result: ReviewResult, color: bool = False) -> str:
    out: list[str] = []
    ordered = sorted(result.findings, key=lambda f: (f.path, f.line))
    for path, group in groupby(ordered, key=lambda f: f.path):
        out.append(_paint(path, "1;4", color))
        for f in group:
            out.extend(_finding(f, color))
        out.append("")
    files = len(result.files_reviewed)
    score = f"; score {result.score}/10" if result.score is not None else ""
    out.append(
        f"{counts_line(result)} in {files:,} reviewed file{'s' * (files != 1)}, "
        f"{len(result.skipped):,} skipped{score}"
    )
    for summary in result.summaries[:5]:
        out.extend(textwrap.wrap(summary, 100, initial_indent="  ", subsequent_indent="  "))
    dropped = dropped_line(result)
    if dropped:
        out.append(dropped)
    if result.skipped:
        out.append("Skipped:")
        out.extend(f"  {s}" for s in result.skipped[:50])
        if len(result.skipped) > 50:
            out.append(f"  ... and {len(result.skipped) - 50} more (see --format json)")
    if result.failed:
        out.append(_paint("Failed chunks:", "31", color))
        out.extend(f"  {c}" for c in result.failed)
    for note in result.notes:
        out.append(f"Note: {note}")
    out.append("Usage: " + usage_line(result.usage, result.cached))
    return "\n".join(out) + "\n"
