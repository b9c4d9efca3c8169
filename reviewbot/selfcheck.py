"""The self-check: a second pass that confirms, re-scores or drops the review's findings.

Each candidate goes to the model with the code it points at (`candidate`); the answer lists the
ids it keeps (`verdicts`), with revised scores and severities and, optionally, corrected text
(`revise`). What the answer leaves out is dropped. Findings never move to other lines here.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from reviewbot.chunking import render_line
from reviewbot.diff import Diff
from reviewbot.findings import Finding
from reviewbot.replies import ReplyError, load_json, salvage_items
from reviewbot.reply_schema import RawFinding

EXCERPT_CONTEXT = 3  # lines shown around a finding


def keep(
    candidates: list[Finding], by_id: dict[int, dict], judged: int | None = None
) -> list[Finding]:
    """The candidates the self-check kept (ids count from 1), revised.

    With `judged` (a reply cut off after that candidate), later candidates were never judged:
    they are kept as they were, unchecked, rather than dropped."""
    out = []
    for n, f in enumerate(candidates, start=1):
        if n in by_id:
            out.append(revise(f, by_id[n]))
        elif judged is not None and n > judged:
            out.append(f)
    return out


def candidate(n: int, f: Finding, view: Diff) -> dict[str, object]:
    file = view.file(f.path)
    lo, hi = f.line - EXCERPT_CONTEXT, (f.end_line or f.line) + EXCERPT_CONTEXT
    rows = []
    seen = set()
    for h in file.hunks if file else ():
        for ln in h.lines:
            number = ln.new if f.side == "RIGHT" else ln.old
            if number is not None and lo <= number <= hi and (ln.kind, ln.old, ln.new) not in seen:
                seen.add((ln.kind, ln.old, ln.new))
                rows.append(render_line(ln))
    return {"id": n, **f.fields(), "code": "\n".join(rows)}


def verdicts(text: str, cut_off: bool = False) -> dict[int, dict]:
    """The self-check's verdicts by candidate id (models write ids as numbers or strings).

    A reply `cut_off` at the token limit gives the verdicts it completed (possibly none)."""
    out = {}
    for item in salvage_items(text) if cut_off else _items(text):
        if not isinstance(item, dict):
            continue
        ident = item.get("id")
        if isinstance(ident, str) and ident.strip().isdecimal():
            ident = int(ident.strip())
        if isinstance(ident, int) and not isinstance(ident, bool):
            out[ident] = item
    return out


_ID = re.compile(r'"id"\s*:\s*"?(\d+)')


def reached(text: str, by_id: dict[int, dict]) -> int:
    """How far a cut-off self-check got: every candidate before the last id it started writing
    was judged (kept or left out); that one and later ones were not."""
    started = [int(n) for n in _ID.findall(text)]
    last = started[-1] if started else 0
    return max(max(by_id, default=0), last - 1 if last not in by_id else last)


def _items(text: str) -> list:
    data = load_json(text)
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ReplyError('the self-check reply has no "findings" list')
    return data["findings"]


def revise(f: Finding, verdict: dict) -> Finding:
    """Apply the self-check's revised score and severity (and text, if it corrected it)."""
    merged = f.fields()
    for key in ("score", "severity", "title", "body"):
        if key in verdict and verdict[key] not in (None, ""):
            merged[key] = verdict[key]
    # A corrected suggestion (null too: the fix was wrong) is taken only for the same lines:
    # line corrections are not applied, and a fix written for other lines would replace these.
    same_lines = (verdict.get("line", f.line), verdict.get("end_line", f.end_line)) == (
        f.line,
        f.end_line,
    )
    if "suggestion" in verdict and same_lines:
        merged["suggestion"] = verdict["suggestion"]
    try:
        revised = RawFinding.model_validate(merged)
    except ValidationError:  # a malformed revision: keep the candidate as it was
        return f.with_(checked=True)
    return f.with_(
        score=revised.score,
        severity=revised.severity,
        title=revised.title,
        body=revised.body,
        suggestion=revised.suggestion,
        checked=True,
    )
