"""Turning a model's (path, line, end_line) into a legal GitHub anchor, or saying why not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewbot.anchors import Anchor, Placer, Unplaceable
from reviewbot.diff import parse_diff

DIFF = """\
diff --git a/src/app.py b/src/app.py
--- a/src/app.py
+++ b/src/app.py
@@ -10,6 +10,7 @@ def main():
 ctx10
 ctx11
-old12
+new12
+new13
 ctx14
 ctx15
 ctx16
@@ -40,3 +41,3 @@ def other():
 ctx41
-old41
+new42
 ctx43
diff --git a/docs/old.md b/docs/new.md
similarity index 90%
rename from docs/old.md
rename to docs/new.md
--- a/docs/old.md
+++ b/docs/new.md
@@ -1,2 +1,2 @@
-a
+b
 c
"""


def placer() -> Placer:
    return Placer(parse_diff(DIFF))


def test_added_line_goes_right() -> None:
    assert placer().place("src/app.py", 12) == Anchor("src/app.py", 12, "RIGHT")


def test_context_line_is_commentable() -> None:
    assert placer().place("src/app.py", 15) == Anchor("src/app.py", 15, "RIGHT")


def test_deleted_line_goes_left_by_old_number() -> None:
    assert placer().place("src/app.py", 12, side="LEFT") == Anchor("src/app.py", 12, "LEFT")


def test_range_inside_one_hunk() -> None:
    a = placer().place("src/app.py", 11, 14)
    assert a == Anchor("src/app.py", 14, "RIGHT", start_line=11, start_side="RIGHT")
    assert a.github_fields() == {
        "path": "src/app.py",
        "line": 14,
        "side": "RIGHT",
        "start_line": 11,
        "start_side": "RIGHT",
    }


def test_range_reaching_outside_the_hunk_is_trimmed_and_says_so() -> None:
    a = placer().place("src/app.py", 14, 30)
    assert isinstance(a, Anchor)
    assert (a.start_line, a.line) == (14, 16)
    assert a.moved and "14-30" in a.moved and "14-16" in a.moved


def test_range_spanning_two_hunks_stays_in_the_first() -> None:
    a = placer().place("src/app.py", 15, 42)
    assert isinstance(a, Anchor)
    assert (a.start_line, a.line) == (15, 16)
    assert a.moved


def test_range_starting_before_a_hunk_starts_at_the_hunk() -> None:
    a = placer().place("src/app.py", 5, 11)
    assert isinstance(a, Anchor)
    assert (a.start_line, a.line) == (10, 11)


def test_line_outside_any_hunk_is_unplaceable_with_reason() -> None:
    u = placer().place("src/app.py", 30)
    assert isinstance(u, Unplaceable)
    assert "not in the diff" in u.reason and "10-16" in u.reason


def test_unknown_path_is_unplaceable() -> None:
    u = placer().place("src/other.py", 1)
    assert isinstance(u, Unplaceable) and "not a file in this diff" in u.reason


def test_prefixed_paths_are_normalised() -> None:
    assert placer().place("b/src/app.py", 12) == Anchor("src/app.py", 12)
    assert placer().place("./src/app.py", 12) == Anchor("src/app.py", 12)


def test_old_name_of_a_rename_is_moved_with_a_note() -> None:
    a = placer().place("docs/old.md", 1)
    assert isinstance(a, Anchor) and a.path == "docs/new.md" and a.moved


def test_reversed_range_is_fixed_and_noted() -> None:
    a = placer().place("src/app.py", 14, 11)
    assert isinstance(a, Anchor) and (a.start_line, a.line) == (11, 14) and a.moved


def test_zero_and_negative_lines_are_unplaceable() -> None:
    assert isinstance(placer().place("src/app.py", 0), Unplaceable)
    assert isinstance(placer().place("src/app.py", -3), Unplaceable)


@given(
    st.integers(-5, 60),
    st.one_of(st.none(), st.integers(-5, 60)),
    st.sampled_from(["RIGHT", "LEFT"]),
)
def test_every_anchor_is_legal(line: int, end: int | None, side: str) -> None:
    """Whatever the model says, the result is legal for GitHub or clearly unplaceable."""
    p = placer()
    result = p.place("src/app.py", line, end, side)  # type: ignore[arg-type]
    if isinstance(result, Unplaceable):
        assert result.reason
        return
    lmap = p.line_map("src/app.py")
    span = lmap.hunk_range(result.line, result.side)
    assert span is not None
    if result.start_line is not None:
        assert result.start_line < result.line
        assert span[0] <= result.start_line
        assert result.start_side == result.side
    lo, hi = sorted((line, end if end is not None else line))
    if result.moved is None:
        assert (result.first_line, result.line) == (lo, hi)
    else:
        assert lo <= result.first_line <= result.line <= max(hi, lo)
