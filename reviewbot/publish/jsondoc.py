"""`--format json`: a stable, documented object (see the README's "JSON output")."""

from __future__ import annotations

import json
from typing import Any

from reviewbot import __version__
from reviewbot.findings import Finding
from reviewbot.result import ReviewResult

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        **f.fields(),
        "inline": f.anchor is not None,
        "note": f.note,
        "checked": f.checked,
        "fingerprint": f.fingerprint,
    }


def document(result: ReviewResult) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "reviewbot", "version": __version__},
        "provider": result.provider,
        "model": result.model,
        "score": result.score,
        "summary": " ".join(result.summaries),
        "counts": result.counts(),
        "findings": [finding_dict(f) for f in result.findings],
        "files_reviewed": result.files_reviewed,
        "skipped": [
            {"path": s.path, "reason": s.reason, "detail": s.detail} for s in result.skipped
        ],
        "chunks": result.chunks,
        "cached_chunks": result.cached,
        "failed_chunks": [
            {"chunk": c.index, "paths": list(c.paths), "reason": c.reason} for c in result.failed
        ],
        "dropped": result.dropped,
        "invalid_findings": result.invalid,
        "usage": result.usage.as_dict(),
        "notes": result.notes,
        "stopped": result.stopped,
    }


def render(result: ReviewResult, color: bool = False) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
