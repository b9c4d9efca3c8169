"""Chunking: every changed line in exactly one chunk, every chunk within budget."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewbot.chunking import MIN_BODY_TOKENS, plan_chunks
from reviewbot.config import Config
from reviewbot.diff import Kind, decode, parse_diff, whole_file
from reviewbot.tokens import tokenizer_for
from reviewbot.triage import priority, triage
from tests.conftest import corpus_bytes

TOKENIZER = tokenizer_for("gpt-4o", quiet=True)

line_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=60),
    st.sampled_from(["", "    return x", "def f():", "}", "// 注释：检查空指针", "\tx := 1"]),
    st.text(alphabet="ab1 ", min_size=200, max_size=3000),
)


@st.composite
def hunk_lines(draw: st.DrawFn) -> list[tuple[str, str]]:
    kinds = draw(st.lists(st.sampled_from("+- "), min_size=1, max_size=60))
    return [(k, draw(line_text)) for k in kinds]


@st.composite
def diffs(draw: st.DrawFn) -> str:
    out = []
    names = draw(
        st.lists(
            st.sampled_from(
                [
                    "src/a.py",
                    "src/b.go",
                    "tests/test_a.py",
                    "README.md",
                    "data/x.csv",
                    "cfg.yml",
                    "lib/c.ts",
                    "main.rs",
                ]
            ),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    for name in names:
        out.append(f"diff --git a/{name} b/{name}\n--- a/{name}\n+++ b/{name}\n")
        old = new = 1
        for hunk in draw(st.lists(hunk_lines(), min_size=1, max_size=4)):
            n_old = sum(1 for k, _ in hunk if k != "+")
            n_new = sum(1 for k, _ in hunk if k != "-")
            out.append(f"@@ -{old},{n_old} +{new},{n_new} @@\n")
            out.extend(f"{k}{t}\n" for k, t in hunk)
            gap = draw(st.integers(1, 20))
            old, new = old + n_old + gap, new + n_new + gap
    return "".join(out)


def changed(files) -> Counter:
    return Counter(
        (f.path, ln.kind, ln.old, ln.new)
        for f in files
        for h in f.hunks
        for ln in h.lines
        if ln.kind is not Kind.CONTEXT
    )


def owned(chunks) -> Counter:
    return Counter(
        (cf.path, ln.kind, ln.old, ln.new)
        for c in chunks
        for cf in c.files
        for ln in cf.owned_lines()
        if ln.kind is not Kind.CONTEXT
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(diffs(), st.integers(MIN_BODY_TOKENS, 2500), st.integers(0, 5))
def test_every_changed_line_in_exactly_one_chunk(text: str, budget: int, context: int) -> None:
    files = parse_diff(text).files
    chunks = plan_chunks(files, budget, TOKENIZER, context)
    assert owned(chunks) == changed(files)
    for c in chunks:
        assert c.tokens <= budget
        assert TOKENIZER.count(c.render()) <= budget
    best = [min(priority(cf.path) for cf in c.files) for c in chunks]
    assert best == sorted(best)


def test_files_that_fit_stay_whole() -> None:
    files = [whole_file(f"m{n}.py", b"x = 1\n" * 20) for n in range(10)]
    chunks = plan_chunks(files, 1000, TOKENIZER)
    parts = [cf.part for c in chunks for cf in c.files]
    assert parts == [1] * 10
    assert sorted(cf.path for c in chunks for cf in c.files) == sorted(f.path for f in files)


def test_big_file_is_split_at_a_blank_line_with_context() -> None:
    body = "".join(f"def f{n}():\n    return {n}\n\n" for n in range(300))
    f = whole_file("big.py", body.encode())
    chunks = plan_chunks([f], 600, TOKENIZER, context_lines=2)
    assert len(chunks) > 1
    assert owned(chunks) == changed([f])
    continued = [p for c in chunks for cf in c.files for p in cf.pieces if "continued" in p.header]
    assert len(continued) == len(chunks) - 1
    for piece in continued:
        repeated = [cl for cl in piece.lines if not cl.owned]
        assert 0 < len(repeated) <= 2
        assert all("+" not in cl.text.split(" ", 1)[0] for cl in repeated)
    assert [cf.part for c in chunks for cf in c.files] == list(range(1, len(chunks) + 1))
    # pieces end at a blank line or before a line at indentation 0
    for c in chunks[:-1]:
        last = c.files[-1].pieces[-1].lines[-1].line.text
        assert last == "" or not last.startswith(" ")


def test_single_huge_line_is_shortened_to_fit() -> None:
    f = whole_file("one.js", b"var x = '" + b"a" * 50_000 + b"';\nvar y = 2;\n")
    chunks = plan_chunks([f], MIN_BODY_TOKENS, TOKENIZER)
    assert owned(chunks) == changed([f])
    text = "".join(c.render() for c in chunks)
    assert "more characters]" in text
    assert all(TOKENIZER.count(c.render()) <= MIN_BODY_TOKENS for c in chunks)


def test_code_chunks_come_before_docs() -> None:
    files = [whole_file("README.md", b"# doc\n" * 200), whole_file("app.py", b"x = 1\n" * 200)]
    chunks = plan_chunks(files, 1200, TOKENIZER)
    assert chunks[0].files[0].path == "app.py"


def test_budget_below_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="minimum"):
        plan_chunks([], MIN_BODY_TOKENS - 1, TOKENIZER)


@pytest.mark.parametrize(
    "name",
    [
        "py-sphinx-pragent-large.patch",
        "go-runc-dfc1b0c-vendor-bump-397-files.patch",
        "ts-cline-791d238-mass-rename-1534-files.patch",
    ],
)
def test_corpus_full_coverage(name: str) -> None:
    diff = parse_diff(decode(corpus_bytes(name)))
    sorted_out = triage(diff, Config())
    chunks = plan_chunks(sorted_out.reviewable, 8000, TOKENIZER)
    assert owned(chunks) == changed(sorted_out.reviewable)
    reviewed = {cf.path for c in chunks for cf in c.files}
    skipped = {s.path for s in sorted_out.skipped}
    assert reviewed | skipped == {f.path for f in diff.files}
    assert not reviewed & skipped
