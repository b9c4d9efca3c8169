"""Reading the model's reply: JSON text into validated raw findings.

Models wrap JSON in code fences or prose, leave trailing commas or raw newlines in strings, use
their own names for fields, or stop mid-answer. `parse_reply` strips fences and prose, repairs the
trivial cases and maps the common aliases; `salvage` recovers the complete finding objects of a
truncated reply. Each finding is validated on its own: one bad finding is dropped and counted,
the rest of the reply is kept. Any text gives a `Reply` or a `ReplyError`, never another error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reviewbot.reply_schema import RawFinding


@dataclass
class Reply:
    """A parsed reply: the valid findings, and what was wrong with the rest."""

    findings: list[RawFinding] = field(default_factory=list)
    score: int | None = None
    summary: str = ""
    problems: list[str] = field(default_factory=list)  # one line per dropped finding
    extra: list[dict[str, Any]] = field(default_factory=list)  # raw items, for the self-check


class ReplyError(ValueError):
    """The reply is not a usable JSON object of the expected shape."""


_FENCE = re.compile(r"^\s*```[a-zA-Z0-9_-]*\s*\n(.*?)\n?```\s*$", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_LINE_RANGE = re.compile(r"\s*L?(\d{1,9})\s*(?:(?:-|–|:|to)\s*L?(\d{1,9}))?\s*", re.IGNORECASE)
LIST_KEYS = ("findings", "issues", "comments")
FIELD_ALIASES = {  # the model's name -> ours, used when ours is absent
    "file": "path",
    "filename": "path",
    "file_path": "path",
    "line_number": "line",
    "start_line": "line",
    "description": "body",
    "message": "body",
    "comment": "body",
    "explanation": "body",
    "details": "body",
    "issue": "title",
    "fix": "suggestion",
    "suggested_fix": "suggestion",
}


def load_json(text: str) -> Any:
    """The JSON value in `text`, after stripping fences and prose and fixing trailing commas."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1).strip()
    candidates = [stripped] if stripped.startswith(("{", "[")) else []
    start, end = stripped.find("{"), stripped.rfind("}")
    if 0 <= start < end:  # the object inside prose, or followed by some
        candidates.append(stripped[start : end + 1])
    if not candidates:
        raise ReplyError("the reply holds no JSON object")
    problem: json.JSONDecodeError | None = None
    for candidate in dict.fromkeys(candidates):
        for attempt in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
            try:
                return json.loads(attempt, strict=False)  # strict=False: raw newlines in strings
            except json.JSONDecodeError as err:
                problem = problem or err
            except RecursionError:
                raise ReplyError("the reply's JSON is nested too deeply") from None
    assert problem is not None
    raise ReplyError(f"the reply is not valid JSON ({problem.msg} at character {problem.pos})")


def parse_reply(text: str) -> Reply:
    data = load_json(text)
    if isinstance(data, list):  # a bare list of findings
        data = {"findings": data}
    if not isinstance(data, dict):
        raise ReplyError(f"the reply is JSON but not an object ({type(data).__name__})")
    items = next((data[k] for k in LIST_KEYS if k in data), None)
    if items is None and any(k in data for k in LIST_KEYS):
        items = []  # "findings": null
    if not isinstance(items, list):
        raise ReplyError('the reply has no "findings" list')
    reply = Reply(summary=str(data.get("summary") or "")[:2000], score=_score(data.get("score")))
    for n, item in enumerate(items, start=1):
        _add(reply, item, n)
    return reply


def _add(reply: Reply, item: Any, n: int) -> None:
    if not isinstance(item, dict):
        reply.problems.append(f"finding {n} is not an object")
        return
    item = dict(item)
    if "start_line" in item and "line" in item and "end_line" not in item:
        item["line"], item["end_line"] = item.pop("start_line"), item["line"]
    for theirs, ours in FIELD_ALIASES.items():
        if theirs in item and ours not in item:
            item[ours] = item.pop(theirs)
    line = item.get("line")
    if isinstance(line, str) and (span := _LINE_RANGE.fullmatch(line)):  # "12", "12-14"
        item["line"] = int(span.group(1))
        if span.group(2) and item.get("end_line") in (None, ""):
            item["end_line"] = int(span.group(2))
    body = item.get("body")
    if item.get("title") in (None, "") and isinstance(body, str) and body.strip():
        item["title"] = body.strip().splitlines()[0][:100]  # no title: the body's first line
    try:
        reply.findings.append(RawFinding.model_validate(item))
        reply.extra.append(item)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        reply.problems.append(f"finding {n}: {where}: {first['msg']}")


def _score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return min(max(round(float(value)), 1), 10)
    except (TypeError, ValueError, OverflowError):
        return None


def salvage(text: str) -> Reply:
    """The complete finding objects of a truncated or broken reply (possibly none)."""
    reply = Reply()
    for n, item in enumerate(salvage_items(text), start=1):
        if item is None:
            reply.problems.append(f"finding {n} could not be read")
        else:
            _add(reply, item, n)
    return reply


def salvage_items(text: str) -> list[Any]:
    """The complete objects of a broken reply's findings list; None for one that is unreadable."""
    starts = [i for i in (text.find(f'"{key}"') for key in LIST_KEYS) if i >= 0]
    bracket = text.find("[", min(starts)) if starts else -1
    if bracket < 0:
        return []
    items: list[Any] = []
    for obj in _objects(text, bracket + 1):
        try:
            items.append(json.loads(_TRAILING_COMMA.sub(r"\1", obj), strict=False))
        except (json.JSONDecodeError, RecursionError):
            items.append(None)
    return items


def _objects(text: str, pos: int) -> list[str]:
    """Top-level `{...}` objects of a JSON array starting at `pos`, stopping where it breaks."""
    found: list[str] = []
    depth = 0
    in_string = escaped = False
    begin = -1
    for i in range(pos, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            if depth == 0:
                begin = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                found.append(text[begin : i + 1])
        elif ch == "]" and depth == 0:
            break
    return found
