"""The model side of the pipeline benchmark: a scripted reviewer and a log of timed requests.

`BenchReviewer` is a responder for `tests.fakes.openai_server.FakeOpenAI`. Like
`tests.fakes.scripted_model.ScriptedReviewer` it reads only the prompt format the system prompt
documents: it reports a finding on one added line in `every` (chosen by a hash of the path and
the line number, so the same lines on every run and after a push), with a realistic body and a
summary padded to about `summary_tokens` tokens, since the latency depends on the length of the
answer. Its self-check keeps four candidates in five.

`ModelLog` records every answered request as the server saw it: when the responder ran, the
latency slept for it (the latency model, from the server's own token counts), its tokens, its
kind (review, retry, self-check) and the review it depends on. Its `latency` method is the
`latency` callable given to `FakeOpenAI`; the responder and the latency run in the same server
thread, one after the other, so a thread-local carries the record from one to the other.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.scripted_model import ADDED, FILE_HEADER

SELF_CHECK_MARK = "second reviewer"  # in the self-check's system prompt
RETRY_MARK = "\n\nYour previous answer could not be used"  # reviewbot's retry note
CHANGE_START = "<<<CHANGE "
CHANGE_END = "<<<END CHANGE "
CATEGORIES = ("bug", "security", "performance")
BODY = (
    "The value returned here is used without checking whether the call failed, so an error on "
    "this path is silently turned into a default and reported as success further down. Check "
    "the result before using it and return or raise the error with the context of the request, "
    "as the other handlers in this module already do; add a test for the failing case."
)
FILLER = (
    "The change touches request handling and the storage layer; the main risks are unchecked "
    "results on error paths, a missing bound on the batch size, and a lookup that now runs once "
    "per item inside the loop. Most of the new code follows the existing patterns of the module "
    "and the tests cover the common cases, but the failure cases are not exercised."
).split()


def padded_summary(tokens: int) -> str:
    """About `tokens` tokens of plausible summary prose (one word is about one token)."""
    words = [FILLER[i % len(FILLER)] for i in range(max(1, tokens))]
    return " ".join(words)


@dataclass
class Call:
    """One answered chat completion, as the fake server saw it."""

    kind: str  # review, retry or self_check
    start: float  # time.monotonic() when the server handed the request to the responder
    end: float = 0.0  # start of the latency sleep + its length: when the answer is sent
    latency: float = 0.0  # seconds slept for it (the latency model)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    chain: int = -1  # index of the review request this one belongs to (its own, for a review)
    findings: int = 0  # findings in the answer (candidates kept, for a self-check)
    user: str = ""  # the user message of a review request, for the coverage


class ModelLog:
    """Timed records of the answered requests; `latency` is the server's latency callable."""

    def __init__(self, latency: Callable[[int, int], float]) -> None:
        self.model = latency
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def add(self, call: Call) -> int:
        with self._lock:
            self.calls.append(call)
            index = len(self.calls) - 1
        self._local.call = call
        return index

    def latency(self, prompt_tokens: int, completion_tokens: int) -> float:
        wait = self.model(prompt_tokens, completion_tokens)
        call: Call | None = getattr(self._local, "call", None)
        if call is not None:
            call.prompt_tokens, call.completion_tokens = prompt_tokens, completion_tokens
            call.latency = wait
            call.end = time.monotonic() + wait
            self._local.call = None
        return wait

    def since(self, n: int) -> list[Call]:
        with self._lock:
            return list(self.calls[n:])


@dataclass
class BenchReviewer:
    """A deterministic reviewer: findings on one added line in `every`, padded answers.

    `per_line` findings per chosen line (categories bug, security, performance in turn) and at
    most `cap` per answer (None: no cap) let the API-call test vary the number of findings.
    """

    log: ModelLog
    every: int = 200
    per_line: int = 1
    cap: int | None = None
    summary_tokens: int = 150
    drop_every: int = 5  # the self-check drops one candidate in this many
    _owner: dict[tuple[str, int], int] = field(default_factory=dict, repr=False)
    _reviews: dict[int, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, request: dict[str, Any]) -> str:
        messages = request["messages"]
        system, user = messages[0]["content"], messages[-1]["content"]
        now = time.monotonic()
        if SELF_CHECK_MARK in system:
            call = Call("self_check", now)
            self.log.add(call)
            text, call.chain, call.findings = self._self_check(user)
            return text
        original = user.split(RETRY_MARK, 1)[0]
        call = Call("retry" if original != user else "review", now, user=user)
        index = self.log.add(call)
        key = zlib.crc32(original.encode())
        with self._lock:
            call.chain = self._reviews.setdefault(key, index)
        reply = self.review(original, call.chain)
        call.findings = len(reply["findings"])
        return json.dumps(reply, ensure_ascii=False)

    def chosen(self, path: str, line: int) -> bool:
        return zlib.crc32(f"{path}:{line}".encode()) % self.every == 0

    def review(self, user: str, chain: int) -> dict[str, Any]:
        findings: list[dict[str, Any]] = []
        path = None
        for row in user.splitlines():
            header = FILE_HEADER.match(row)
            if header:
                path = header.group("path")
                continue
            added = ADDED.match(row)
            if not (added and path) or not self.chosen(path, int(added.group("n"))):
                continue
            line = int(added.group("n"))
            for k in range(self.per_line):
                if self.cap is not None and len(findings) >= self.cap:
                    break
                findings.append(self._finding(path, line, CATEGORIES[k % len(CATEGORIES)]))
            with self._lock:
                self._owner[(path, line)] = chain
        score = 6 if findings else 9
        return {
            "score": score,
            "summary": padded_summary(self.summary_tokens),
            "findings": findings,
        }

    @staticmethod
    def _finding(path: str, line: int, category: str) -> dict[str, Any]:
        name = path.rsplit("/", 1)[-1]
        return {
            "path": path,
            "line": line,
            "end_line": None,
            "side": "RIGHT",
            "severity": "major",
            "category": category,
            "score": 7,
            "title": f"Unchecked {category} risk in {name} line {line}",
            "body": BODY,
            "suggestion": None,
        }

    def _self_check(self, user: str) -> tuple[str, int, int]:
        kept = []
        chain = -1
        for cid, path, line, severity, score in candidates(user):
            with self._lock:
                chain = self._owner.get((path, line), chain)
            if zlib.crc32(f"{path}:{line}:check".encode()) % self.drop_every == 0:
                continue
            kept.append({"id": cid, "severity": severity, "score": score})
        return json.dumps({"findings": kept}), chain, len(kept)


def candidates(user: str) -> list[tuple[int, str, int, str, int]]:
    """(id, path, line, severity, score) of each candidate of a self-check prompt.

    A candidate's heading is `--- candidate 3: src/app.py line 12-14 (major, score 7, bug)`.
    """
    out = []
    for row in user.splitlines():
        if not row.startswith("--- candidate ") or not row.endswith(")"):
            continue
        head, _, tail = row[len("--- candidate ") :].partition(": ")
        where, _, details = tail.rpartition(" (")
        path, _, lines = where.rpartition(" line ")
        severity, _, rest = details.partition(", score ")
        if not (head.isdecimal() and path and lines):
            continue
        first = lines.split("-", 1)[0]
        score = rest.split(",", 1)[0]
        if first.isdecimal() and score.isdecimal():
            out.append((int(head), path, int(first), severity, int(score)))
    return out
