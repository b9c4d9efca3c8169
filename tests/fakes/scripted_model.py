"""A deterministic "model" for the fake OpenAI server: it reads the prompt like a model would.

`ScriptedReviewer(rules)` is a responder for `FakeOpenAI`. For a review request it parses the
chunk in the user message (file headers and numbered lines) and reports a finding on every added
line that matches a rule's pattern, citing the line number shown in the prompt. For a self-check
request it keeps every candidate except those whose title contains a rule's `drop_marker`, and
re-scores them with `selfcheck_score` when given. A review request whose chunk has an added line
matching `broken_pattern` gets `broken_reply` (not JSON) instead: a chunk that always fails.

It knows nothing of reviewbot's internals: only the prompt format the system prompt documents.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field

FILE_HEADER = re.compile(
    r"^=== FILE: (?P<path>.+) \((?P<status>[^()]*(?:\([^()]*\))?[^()]*)\) ===$"
)
ADDED = re.compile(r"^(?P<n>\d+)\+ (?P<text>.*)$")
CANDIDATE = re.compile(
    r"^--- candidate (?P<id>\d+): .* \((?P<severity>\w+), score (?P<score>\d+), .*\)$"
)


@dataclass
class Rule:
    pattern: str
    title: str
    severity: str = "major"
    category: str = "bug"
    score: int = 8
    body: str = "Explanation."
    suggestion: str | None = None
    span: int = 0  # extra lines after the match for end_line


@dataclass
class ScriptedReviewer:
    rules: list[Rule] = field(default_factory=list)
    drop_marker: str = "DROP"
    selfcheck_score: int | None = None
    summary: str = "Scripted review."
    broken_pattern: str | None = None
    broken_reply: str = "I could not review this change, sorry."
    reviews: int = 0
    self_checks: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __call__(self, request: dict) -> str:
        system = request["messages"][0]["content"]
        user = request["messages"][-1]["content"]
        if "second reviewer" in system:
            with self._lock:
                self.self_checks += 1
            return self.self_check(user)
        with self._lock:
            self.reviews += 1
        if self.broken_pattern and any(
            (added := ADDED.match(row)) and re.search(self.broken_pattern, added.group("text"))
            for row in user.splitlines()
        ):
            return self.broken_reply
        return json.dumps(self.review(user), ensure_ascii=False)

    def review(self, user: str) -> dict:
        findings = []
        path = None
        for row in user.splitlines():
            header = FILE_HEADER.match(row)
            if header:
                path = header.group("path")
                continue
            added = ADDED.match(row)
            if not (added and path):
                continue
            for rule in self.rules:
                if re.search(rule.pattern, added.group("text")):
                    line = int(added.group("n"))
                    findings.append(
                        {
                            "path": path,
                            "line": line,
                            "end_line": line + rule.span if rule.span else None,
                            "side": "RIGHT",
                            "severity": rule.severity,
                            "category": rule.category,
                            "score": rule.score,
                            "title": rule.title,
                            "body": rule.body,
                            "suggestion": rule.suggestion,
                        }
                    )
        return {"score": 6 if findings else 9, "summary": self.summary, "findings": findings}

    def self_check(self, user: str) -> str:
        kept = []
        current: re.Match | None = None
        titles: dict[int, tuple[re.Match, str]] = {}
        for row in user.splitlines():
            cand = CANDIDATE.match(row)
            if cand:
                current = cand
                continue
            if current is not None and int(current.group("id")) not in titles:
                titles[int(current.group("id"))] = (current, row)
        for cid, (cand, title) in titles.items():
            if self.drop_marker in title:
                continue
            score = self.selfcheck_score or int(cand.group("score"))
            kept.append({"id": cid, "severity": cand.group("severity"), "score": score})
        return json.dumps({"findings": kept})
