"""Deterministic reviewers for `--fake`: they check the harness, not reviewbot's judgement.

Each is a responder for `tests.fakes.openai_server.FakeOpenAI` built for one case, and reads
only the prompt format reviewbot's system prompt documents (`=== FILE: path (...) ===`, then
`12+ code` added, `12  code` context, `-12 code` deleted). The self-check keeps every candidate.

- `oracle`: one finding per label (defects4j: each run of added or removed lines; aacr: each
  expert comment) on the label's lines that the chunk shows. Recall must come out at 100%.
- `noise`: the same for the low-value comments (aacr's negative samples); nothing on defects4j.
- `random`: 1 to 3 findings per file of the chunk, on lines drawn from those shown (any kind),
  seeded by `seed`, the path and the first line shown: the same on every run.
- `changed`: a finding on every changed line (added; deleted where the file adds none).
- `silent`: no findings. Recall must come out at 0.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.quality_data import AACR_CATEGORIES, Case, DataMissing, Label

RESPONDERS = ("oracle", "random", "changed", "silent", "noise")
SELF_CHECK_MARK = "second reviewer"  # in the self-check's system prompt
FILE_HEADER = re.compile(r"^=== FILE: (?P<path>.+) \(.*\) ===$")
NUMBERED = re.compile(r"^(?:(?P<new>\d+)(?P<mark>[+ ]) |-(?P<old>\d+) )")
CANDIDATE = re.compile(r"^--- candidate (?P<id>\d+): .* \((?P<severity>\w+), score (?P<score>\d+)")
RANDOM_CATEGORIES = ("bug", "security", "performance", "maintainability")
FAKE_KEY = "sk-quality-fake"


@dataclass
class Shown:
    """The lines a chunk shows for one file: (side, number) -> "+", " " or "-"."""

    path: str
    lines: dict[tuple[str, int], str] = field(default_factory=dict)


def shown_files(user: str) -> list[Shown]:
    files: list[Shown] = []
    for row in user.splitlines():
        header = FILE_HEADER.match(row)
        if header:
            files.append(Shown(header.group("path")))
            continue
        m = NUMBERED.match(row)
        if m and files:
            if m.group("old"):
                files[-1].lines[("LEFT", int(m.group("old")))] = "-"
            else:
                files[-1].lines[("RIGHT", int(m.group("new")))] = m.group("mark")
    return files


def finding(path: str, side: str, lo: int, hi: int, category: str, **extra: Any) -> dict:
    return {
        "path": path,
        "line": lo,
        "end_line": hi if hi != lo else None,
        "side": side,
        "severity": extra.get("severity", "major"),
        "category": category,
        "score": extra.get("score", 8),
        "title": extra.get("title", f"Problem at {path}:{lo}"),
        "body": extra.get("body", "A deterministic finding from the benchmark's fake reviewer."),
        "suggestion": None,
    }


def label_findings(files: list[Shown], labels: tuple[Label, ...]) -> list[dict]:
    out = []
    for shown in files:
        for label in labels:
            if label.path != shown.path or label.kind == "gap":
                continue
            lines = [n for n in range(label.lo, label.hi + 1) if (label.side, n) in shown.lines]
            if lines:
                category = AACR_CATEGORIES.get(label.category, label.category)
                title = (label.note or f"{label.kind} lines").splitlines()[0][:70]
                where = (shown.path, label.side, min(lines), max(lines))
                out.append(finding(*where, category, title=title))
    return out


def random_findings(files: list[Shown], seed: int) -> list[dict]:
    out = []
    for shown in files:
        spots = sorted(shown.lines)
        if not spots:
            continue
        rng = random.Random(zlib.crc32(f"{seed}:{shown.path}:{spots[0]}".encode()))
        for side, line in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
            out.append(
                finding(
                    shown.path,
                    side,
                    line,
                    line,
                    rng.choice(RANDOM_CATEGORIES),
                    score=rng.randint(5, 9),
                    severity=rng.choice(("major", "minor")),
                )
            )
    return out


def changed_findings(files: list[Shown]) -> list[dict]:
    out = []
    for shown in files:
        added = [k for k, mark in shown.lines.items() if mark == "+"]
        spots = added or [k for k, mark in shown.lines.items() if mark == "-"]
        out.extend(finding(shown.path, side, n, n, "bug") for side, n in sorted(spots))
    return out


@dataclass
class FakeReviewer:
    """A responder for one case."""

    kind: str
    case: Case
    seed: int = 1

    def __call__(self, request: dict[str, Any]) -> str:
        system = request["messages"][0]["content"]
        user = request["messages"][-1]["content"]
        if SELF_CHECK_MARK in system:
            return json.dumps({"findings": keep_all(user)})
        files = shown_files(user)
        if self.kind == "oracle":
            found = label_findings(files, self.case.labels)
        elif self.kind == "noise":
            found = label_findings(files, self.case.negatives)
        elif self.kind == "random":
            found = random_findings(files, self.seed)
        elif self.kind == "changed":
            found = changed_findings(files)
        else:
            found = []
        summary = f"{self.kind} reviewer: {len(found)} findings."
        return json.dumps({"score": 6 if found else 9, "summary": summary, "findings": found})


def keep_all(user: str) -> list[dict[str, Any]]:
    """The self-check's verdicts: every candidate kept as it was."""
    kept = []
    for row in user.splitlines():
        m = CANDIDATE.match(row)
        if m:
            verdict = {"id": int(m.group("id")), "severity": m.group("severity")}
            kept.append({**verdict, "score": int(m.group("score"))})
    return kept


def check_contract() -> None:
    """The fake server validates requests against the OpenAI contract; say early if it is absent."""
    from tests.fakes.openai_server import load_contract

    try:
        load_contract()
    except FileNotFoundError as err:
        raise DataMissing(
            f"the fake model server needs the OpenAI contract: {err.filename} not found "
            "(../shared/contracts, or set OPENAI_CONTRACT_PATH)"
        ) from None


@contextmanager
def fake_server(kind: str, case: Case, seed: int = 1) -> Iterator[str]:
    """A local OpenAI-compatible server answering as `kind` for `case`; yields its base URL."""
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI(responder=FakeReviewer(kind, case, seed), api_key=FAKE_KEY) as server:
        yield server.base_url
