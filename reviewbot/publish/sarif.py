"""SARIF 2.1.0, for GitHub code scanning (`github/codeql-action/upload-sarif`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reviewbot import __version__
from reviewbot.result import ReviewResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "major": "error", "minor": "warning", "nit": "note"}


def document(result: ReviewResult) -> dict[str, Any]:
    rules = sorted({f.category for f in result.findings})
    results = []
    for f in result.findings:
        region: dict[str, Any] = {"startLine": f.line}
        if f.end_line and f.end_line != f.line:
            region["endLine"] = f.end_line
        results.append(
            {
                "ruleId": f.category,
                "ruleIndex": rules.index(f.category),
                "level": LEVELS.get(f.severity, "warning"),
                "message": {"text": f"{f.title}\n\n{f.body}".strip()},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f.path},
                            "region": region,
                        }
                    }
                ],
                "partialFingerprints": {"reviewbot/v1": f.fingerprint},
                "properties": {
                    "severity": f.severity,
                    "score": f.score,
                    "side": f.side,
                    "inline": f.anchor is not None,
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "reviewbot",
                        "version": __version__,
                        "informationUri": "https://github.com/reviewbot/reviewbot",
                        "rules": [
                            {"id": r, "name": r, "shortDescription": {"text": f"{r} finding"}}
                            for r in rules
                        ],
                    }
                },
                "results": results,
            }
        ],
    }


def render(result: ReviewResult, color: bool = False) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"


def write(path: str | None, result: ReviewResult) -> None:
    """`--sarif PATH`: the result as a SARIF file (nothing when no path is given)."""
    if path:
        Path(path).write_text(render(result), encoding="utf-8")
