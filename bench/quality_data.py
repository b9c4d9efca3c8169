"""The labelled data of the quality benchmark: patches and where the problems in them are.

Two datasets, read from the shared corpus (`../shared/corpus`, read-only; see its
`benchmarks/README.md` for sources and licences):

- **defects4j**: `benchmarks/defects4j-bug-introducing-patches/index.jsonl`, 134 Java patches
  that each turn a fixed revision into the buggy one. Every run of changed lines is a bug
  location: added lines on the RIGHT (new-file numbers), removed lines on the LEFT (old-file
  numbers), and, for a run that only removes lines, the two new-file lines around the gap on the
  RIGHT (a reviewer may well say "the check that was here is missing" on a context line).
  Locations come from the patch as `reviewbot.diff.parse_diff` reads it and are compared with the
  index's `bug_lines_new_side` / `fix_lines_old_side`; `index_agrees` records the result (the
  index lists no line for Chart-7, an SVN-style patch, which parses fine).
- **aacr**: `diffs/aacr-*.patch` with `diffs/aacr-labels.json`, 15 real pull requests with 70
  expert review comments (path, side, from_line..to_line, category). Low-value comments from
  `benchmarks/aacr-bench/negative_samples.json` are attached to the same pull request when its
  URL and both commits match (11 of the 15 pull requests, 39 comments).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewbot.diff import Diff, Kind, decode, parse_diff
from reviewbot.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
DEFECTS4J = "benchmarks/defects4j-bug-introducing-patches"
AACR_LABELS = "diffs/aacr-labels.json"
AACR_NEGATIVES = "benchmarks/aacr-bench/negative_samples.json"
DATASETS = ("defects4j", "aacr")


class DataMissing(Exception):
    """The corpus (or one of its files) is not where the benchmark looks for it."""


@dataclass(frozen=True)
class Label:
    """Where a problem is: lines lo..hi of `path` on `side` (RIGHT new-file, LEFT old-file)."""

    path: str
    side: str
    lo: int
    hi: int
    category: str = "bug"
    kind: str = "expert"  # defects4j: added, removed or gap; aacr: expert or negative
    note: str = ""


@dataclass(frozen=True)
class Case:
    dataset: str
    name: str  # Lang-3, aacr-go-gofr-pr1617
    patch: str  # path relative to the corpus
    diff: Diff
    labels: tuple[Label, ...]
    negatives: tuple[Label, ...] = ()
    has_negatives: bool = False
    info: dict[str, Any] = field(default_factory=dict)


def load(
    datasets: list[str],
    limit: int | None = None,
    corpus: Path = CORPUS,
    only: list[str] | None = None,
) -> list[Case]:
    """The cases of each dataset in turn, at most `limit` of each (the first ones, in order);
    with `only`, just the cases of those names (Lang-3, aacr-go-gofr-pr1617)."""
    loaders = {"defects4j": defects4j, "aacr": aacr}
    cases: list[Case] = []
    seen: set[str] = set()
    for name in datasets:
        mine = loaders[name](corpus)
        seen.update(c.name for c in mine)
        if only:
            mine = [c for c in mine if c.name in only]
        cases.extend(mine[:limit])
    missing = sorted(set(only or ()) - seen)
    if missing:
        raise UsageError(f"no case named {', '.join(missing)} in {', '.join(datasets)}")
    return cases


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise DataMissing(f"{path} not found (the shared corpus is needed; see bench/README.md)")
    return json.loads(path.read_text(encoding="utf-8"))


def _parse(path: Path) -> Diff:
    if not path.is_file():
        raise DataMissing(f"{path} not found")
    return parse_diff(decode(path.read_bytes()))


# ---------------------------------------------------------------- defects4j
def defects4j(corpus: Path) -> list[Case]:
    folder = corpus / DEFECTS4J
    index = folder / "index.jsonl"
    if not index.is_file():
        raise DataMissing(f"{index} not found (the shared corpus is needed; see bench/README.md)")
    cases = []
    for row in index.read_text(encoding="utf-8").splitlines():
        if not row.strip():
            continue
        entry = json.loads(row)
        diff = _parse(folder / entry["patch"])
        labels = bug_locations(diff)
        agrees = _changed_lines(diff) == (
            sorted(map(tuple, entry["bug_lines_new_side"])),
            sorted(map(tuple, entry["fix_lines_old_side"])),
        )
        info = {
            "project": entry["project"],
            "bug_id": entry["bug_id"],
            "report_url": entry.get("report_url"),
            "index_agrees": agrees,
        }
        name = f"{entry['project']}-{entry['bug_id']}"
        patch = f"{DEFECTS4J}/{entry['patch']}"
        cases.append(Case("defects4j", name, patch, diff, tuple(labels), info=info))
    return cases


def _changed_lines(diff: Diff) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    added, removed = [], []
    for f in diff.files:
        for hunk in f.hunks:
            for ln in hunk.lines:
                if ln.kind is Kind.ADDED:
                    added.append((f.path, ln.new))
                elif ln.kind is Kind.REMOVED:
                    removed.append((f.path, ln.old))
    return sorted(added), sorted(removed)


def bug_locations(diff: Diff) -> list[Label]:
    """One label per run of added lines, per run of removed lines, and per removal-only gap."""
    labels: list[Label] = []
    for f in diff.files:
        for hunk in f.hunks:
            run: list[Any] = []
            before: int | None = None  # new-file number of the last context line
            for ln in [*hunk.lines, None]:
                if ln is not None and ln.kind is not Kind.CONTEXT:
                    run.append(ln)
                    continue
                if run:
                    after = ln.new if ln is not None else None
                    labels.extend(_run_labels(f.path, run, before, after))
                    run = []
                if ln is not None:
                    before = ln.new
    return labels


def _run_labels(path: str, run: list[Any], before: int | None, after: int | None) -> list[Label]:
    added = [ln.new for ln in run if ln.kind is Kind.ADDED]
    removed = [ln.old for ln in run if ln.kind is Kind.REMOVED]
    out = []
    if added:
        out.append(Label(path, "RIGHT", min(added), max(added), kind="added"))
    if removed:
        out.append(Label(path, "LEFT", min(removed), max(removed), kind="removed"))
    if removed and not added:
        around = [n for n in (before, after) if n is not None]
        if around:
            out.append(Label(path, "RIGHT", min(around), max(around), kind="gap"))
    return out


# ---------------------------------------------------------------- aacr
AACR_CATEGORIES = {  # AACR-Bench's categories -> reviewbot's
    "Code Defect": "bug",
    "Maintainability and Readability": "maintainability",
    "Performance": "performance",
    "Security Vulnerability": "security",
}


def aacr(corpus: Path) -> list[Case]:
    entries = _read_json(corpus / AACR_LABELS)["entries"]
    negatives_path = corpus / AACR_NEGATIVES
    negatives = {}
    if negatives_path.is_file():
        negatives = {n["githubPrUrl"]: n for n in _read_json(negatives_path)}
    cases = []
    for entry in entries:
        diff = _parse(corpus / "diffs" / entry["patch"])
        labels = tuple(_comment(c, "expert") for c in entry["comments"])
        neg = negatives.get(entry["githubPrUrl"])
        same = neg is not None and (neg["source_commit"], neg["target_commit"]) == (
            entry["source_commit"],
            entry["target_commit"],
        )
        bad = tuple(_comment(c, "negative") for c in neg["comments"]) if same and neg else ()
        info = {
            "url": entry["githubPrUrl"],
            "language": entry.get("project_main_language"),
            "change_line_count": entry.get("change_line_count"),
        }
        name = entry["patch"].removesuffix(".patch")
        patch = f"diffs/{entry['patch']}"
        cases.append(Case("aacr", name, patch, diff, labels, bad, same, info))
    return cases


def _comment(c: dict[str, Any], kind: str) -> Label:
    lo, hi = sorted((int(c["from_line"]), int(c["to_line"])))
    side = "LEFT" if str(c["side"]).lower() == "left" else "RIGHT"
    return Label(c["path"], side, lo, hi, c["category"], kind, c.get("note", ""))
