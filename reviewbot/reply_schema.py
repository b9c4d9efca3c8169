"""What a finding in the model's reply must be: the validated `RawFinding` (with the aliases
models use for severities and categories) and the JSON Schemas sent as `response_format`.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reviewbot.config import CATEGORIES, SEVERITIES

SEVERITY_ALIASES = {
    "blocker": "critical",
    "highest": "critical",
    "important": "major",
    "normal": "minor",
    "optional": "nit",
    "cosmetic": "nit",
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
        if value is None or (isinstance(value, str) and not value.strip()):
            return "minor"
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
        if low in CATEGORIES:
            return low
        first = low.split()[0]  # "security vulnerability", "bug (logic)"
        return first if first in CATEGORIES else CATEGORY_ALIASES.get(first, "bug")

    @field_validator("score", mode="before")
    @classmethod
    def _score(cls, value: Any) -> Any:
        if value is None:
            return 5
        if isinstance(value, str):
            try:
                value = float(value.strip().removesuffix("/10"))
            except ValueError:
                return value
        if isinstance(value, float):
            if not math.isfinite(value):
                return value  # rejected by the int validation
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

    @field_validator("body", mode="before")
    @classmethod
    def _body(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("suggestion", mode="before")
    @classmethod
    def _suggestion(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value


REPLY_FIELDS = (
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
)  # a finding in the reply, all required by the JSON schema


def response_schema() -> dict[str, Any]:
    """The reply's JSON Schema, in the strict form `response_format: json_schema` accepts."""
    finding = {
        "type": "object",
        "additionalProperties": False,
        "required": list(REPLY_FIELDS),
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
