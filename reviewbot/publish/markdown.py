"""`--format markdown`: a review to paste into a pull request or an issue."""

from __future__ import annotations

from reviewbot.findings import Finding
from reviewbot.publish.summary import counts_line, dropped_line, usage_line
from reviewbot.result import ReviewResult

ICONS = {"critical": "🔴", "major": "🟠", "minor": "🟡", "nit": "🔵"}


def fence(code: str, lang: str = "") -> str:
    """A code fence longer than any run of backticks inside `code`."""
    run = 0
    best = 0
    for ch in code:
        run = run + 1 if ch == "`" else 0
        best = max(best, run)
    ticks = "`" * max(3, best + 1)
    return f"{ticks}{lang}\n{code}\n{ticks}"


def finding_markdown(f: Finding, suggestion_block: bool = False) -> str:
    head = (
        f"{ICONS.get(f.severity, '')} **{f.severity.capitalize()}** · score {f.score}/10 · "
        f"{f.category} — **{f.title}**"
    )
    parts = [head, "", f.body] if f.body else [head]
    if f.suggestion:
        lang = "suggestion" if suggestion_block and f.suggestion_applies else ""
        parts += ["", fence(f.suggestion, lang)]
    if f.note:
        parts += ["", f"<sub>{f.note}</sub>"]
    return "\n".join(parts)


def where(f: Finding) -> str:
    lines = f"{f.line}-{f.end_line}" if f.end_line and f.end_line != f.line else str(f.line)
    return f"`{f.path}` line {lines}" + (" (old file)" if f.side == "LEFT" else "")


def render(result: ReviewResult, color: bool = False) -> str:
    score = f" · score {result.score}/10" if result.score is not None else ""
    out = [f"## reviewbot: {counts_line(result)}{score}", ""]
    if result.summaries:
        out += [" ".join(result.summaries[:5]), ""]
    for f in sorted(result.findings, key=lambda f: (f.path, f.line)):
        out += [f"### {where(f)}", "", finding_markdown(f), ""]
    out += [f"Reviewed {len(result.files_reviewed):,} files in {result.chunks:,} chunks."]
    dropped = dropped_line(result)
    if dropped:
        out.append(dropped + ".")
    if result.skipped:
        out += ["", f"<details><summary>Skipped files ({len(result.skipped):,})</summary>", ""]
        out += [f"- `{s.path}`: {s.detail}" for s in result.skipped]
        out += ["", "</details>"]
    if result.failed:
        out += ["", "**Failed chunks:**", ""] + [f"- {c}" for c in result.failed]
    out += ["", f"<sub>{usage_line(result.usage, result.cached)}</sub>", ""]
    return "\n".join(out)
