"""Findings: what the review reports, each placed on a legal anchor or saying why it is not."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from reviewbot.anchors import Anchor
from reviewbot.config import SEVERITIES, Level
from reviewbot.reply_schema import REPLY_FIELDS

SEVERITY_RANK = {s: n for n, s in enumerate(SEVERITIES)}  # 0 = critical


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    end_line: int | None
    side: str
    severity: str
    category: str
    score: int
    title: str
    body: str
    suggestion: str | None
    anchor: Anchor | None  # None: cannot go inline; `note` says why
    note: str | None = None  # why the anchor moved, or why there is none
    code: str = ""  # the lines the finding points at, for fingerprints and the self-check
    chunk: int = 0
    checked: bool = False  # confirmed by the self-check

    @property
    def fingerprint(self) -> str:
        """Stable across runs: the file, the kind of problem, and the code it points at."""
        code = re.sub(r"\s+", " ", self.code).strip()
        key = "\0".join((self.path, self.category, code or f"{self.line}:{self.title}"))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    @property
    def rank(self) -> tuple[int, int, str, int]:
        return (SEVERITY_RANK.get(self.severity, 9), -self.score, self.path, self.line)

    @property
    def suggestion_applies(self) -> bool:
        """A suggestion block is shown only when it replaces exactly the anchored lines."""
        return (
            self.suggestion is not None
            and self.anchor is not None
            and self.anchor.moved is None
            and self.anchor.side == "RIGHT"
        )

    def fields(self) -> dict[str, object]:
        """The finding in the reply schema's terms (path .. suggestion), as the model wrote it."""
        return {name: getattr(self, name) for name in REPLY_FIELDS}

    def with_(self, **changes: object) -> Finding:
        return replace(self, **changes)  # type: ignore[arg-type]


def at_or_above(severity: str, threshold: str) -> bool:
    if threshold == "none":
        return False
    return SEVERITY_RANK.get(severity, 9) <= SEVERITY_RANK[threshold]


def apply_level(findings: list[Finding], level: Level) -> tuple[list[Finding], dict[str, int]]:
    """Keep what the strictness level reports; count what each rule dropped."""
    dropped = {"below_min_score": 0, "category": 0, "severity": 0, "over_max_findings": 0}
    kept = []
    for f in findings:
        if f.score < level.min_score:
            dropped["below_min_score"] += 1
        elif f.category not in level.categories:
            dropped["category"] += 1
        elif not at_or_above(f.severity, level.lowest_severity):
            dropped["severity"] += 1
        else:
            kept.append(f)
    kept.sort(key=lambda f: f.rank)
    if len(kept) > level.max_findings:
        dropped["over_max_findings"] = len(kept) - level.max_findings
        kept = kept[: level.max_findings]
    kept.sort(key=lambda f: (f.path, f.line, f.rank))
    return kept, {k: v for k, v in dropped.items() if v}


def dedupe(findings: list[Finding]) -> tuple[list[Finding], int]:
    """One finding per fingerprint (chunks overlap at split hunks): the highest score wins."""
    best: dict[str, Finding] = {}
    for f in findings:
        key = f.fingerprint
        if key not in best or f.rank < best[key].rank:
            best[key] = f
    return list(best.values()), len(findings) - len(best)
