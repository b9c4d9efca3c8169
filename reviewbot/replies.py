"""Reading the model's reply: JSON text into validated raw findings.

Models wrap JSON in code fences, leave trailing commas, or stop mid-answer. `parse_reply` strips
fences and repairs the trivial cases; `salvage` recovers the complete finding objects of a
truncated reply. Each finding is validated on its own: one bad finding is dropped and counted,
the rest of the reply is kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewbot.config import CATEGORIES, SEVERITIES

SEVERITY_ALIASES = {
    "blocker": "critical",
    "high": "major",
    "error": "major",
    "medium": "minor",
    "moderate": "minor",
    "warning": "minor",
    "low": "nit",
    "info": "nit",
    "trivial": "nit",
    "suggestion": "nit",
    "style": "nit",
}
CATEGORY_ALIASES = {
    "logic": "bug",
    "correctness": "bug",
    "bugs": "bug",
    "error": "bug",
    "reliability": "bug",
    "vulnerability": "security",
    "perf": "performance",
    "efficiency": "performance",
    "errors": "error-handling",
    "error handling": "error-handling",
    "exception": "error-handling",
    "race": "concurrency",
    "thread-safety": "concurrency",
    "design": "maintainability",
    "complexity": "maintainability",
    "duplication": "maintainability",
    "naming": "readability",
    "clarity": "readability",
    "tests": "testing",
    "test": "testing",
    "docs": "documentation",
    "formatting": "style",
    "typo": "style",
}


class RawFinding(BaseModel):
    """One finding as the model wrote it, normalised; not yet placed on a line."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    path: str = Field(min_length=1)
    line: int = Field(ge=1)
    end_line: int | None = None
    side: Literal["RIGHT", "LEFT"] = "RIGHT"
    severity: Literal["critical", "major", "minor", "nit"] = "minor"
    category: str = "bug"
    score: int = Field(5)
    title: str = Field(min_length=1)
    body: str = ""
    suggestion: str | None = None

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: Any) -> Any:
        if isinstance(value, str):
            low = value.strip().lower()
            return SEVERITY_ALIASES.get(low, low)
        return value

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return "bug"
        low = value.strip().lower().replace("_", "-")
        low = CATEGORY_ALIASES.get(low, low)
        return low if low in CATEGORIES else CATEGORY_ALIASES.get(low.split()[0], "bug")

    @field_validator("score", mode="before")
    @classmethod
    def _score(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
            value = float(value)
        if isinstance(value, float):
            value = round(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return min(max(value, 1), 10)
        return value

    @field_validator("side", mode="before")
    @classmethod
    def _side(cls, value: Any) -> Any:
        return (
            value.strip().upper()
            if isinstance(value, str)
            else ("RIGHT" if value is None else value)
        )

    @field_validator("end_line", mode="before")
    @classmethod
    def _end_line(cls, value: Any) -> Any:
        return None if value in ("", 0) else value

    @field_validator("suggestion", mode="before")
    @classmethod
    def _suggestion(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value


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


def load_json(text: str) -> Any:
    """The JSON object in `text`, after stripping fences and fixing trailing commas."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1).strip()
    if not stripped.startswith("{"):
        start, end = stripped.find("{"), stripped.rfind("}")
        if start < 0 or end < start:
            raise ReplyError("the reply holds no JSON object")
        stripped = stripped[start : end + 1]
    for candidate in (stripped, _TRAILING_COMMA.sub(r"\1", stripped)):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError as err:
            problem = err
    raise ReplyError(f"the reply is not valid JSON ({problem.msg} at character {problem.pos})")


def parse_reply(text: str) -> Reply:
    data = load_json(text)
    if not isinstance(data, dict):
        raise ReplyError(f"the reply is JSON but not an object ({type(data).__name__})")
    items = data.get("findings")
    if items is None:
        items = data.get("issues", data.get("comments"))
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
    if "file" in item and "path" not in item:
        item["path"] = item.pop("file")
    if "start_line" in item and "line" in item and "end_line" not in item:
        item["line"], item["end_line"] = item.pop("start_line"), item["line"]
    try:
        reply.findings.append(RawFinding.model_validate(item))
        reply.extra.append(item)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        reply.problems.append(f"finding {n}: {where}: {first['msg']}")


def _score(value: Any) -> int | None:
    try:
        return min(max(round(float(value)), 1), 10)
    except (TypeError, ValueError):
        return None


def salvage(text: str) -> Reply:
    """The complete finding objects of a truncated or broken reply (possibly none)."""
    reply = Reply()
    start = text.find('"findings"')
    if start < 0:
        return reply
    bracket = text.find("[", start)
    if bracket < 0:
        return reply
    for n, obj in enumerate(_objects(text, bracket + 1), start=1):
        try:
            item = json.loads(_TRAILING_COMMA.sub(r"\1", obj))
        except json.JSONDecodeError:
            reply.problems.append(f"finding {n} could not be read")
            continue
        _add(reply, item, n)
    return reply


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


def response_schema() -> dict[str, Any]:
    """The reply's JSON Schema, in the strict form `response_format: json_schema` accepts."""
    finding = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "path",
            "line",
            "end_line",
            "side",
            "severity",
            "category",
            "score",
            "title",
            "body",
            "suggestion",
        ],
        "properties": {
            "path": {"type": "string"},
            "line": {"type": "integer"},
            "end_line": {"type": ["integer", "null"]},
            "side": {"type": "string", "enum": ["RIGHT", "LEFT"]},
            "severity": {"type": "string", "enum": list(SEVERITIES)},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "score": {"type": "integer"},
            "title": {"type": "string"},
            "body": {"type": "string"},
            "suggestion": {"type": ["string", "null"]},
        },
    }
    return {
        "name": "review",
        "strict": True,
        "schema": {
            "type": "object",
            "additionalProperties": False,
            "required": ["score", "summary", "findings"],
            "properties": {
                "score": {"type": "integer"},
                "summary": {"type": "string"},
                "findings": {"type": "array", "items": finding},
            },
        },
    }


def selfcheck_schema() -> dict[str, Any]:
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "score", "severity"],
        "properties": {
            "id": {"type": "integer"},
            "score": {"type": "integer"},
            "severity": {"type": "string", "enum": list(SEVERITIES)},
        },
    }
    return {
        "name": "self_check",
        "strict": True,
        "schema": {
            "type": "object",
            "additionalProperties": False,
            "required": ["findings"],
            "properties": {"findings": {"type": "array", "items": item}},
        },
    }
