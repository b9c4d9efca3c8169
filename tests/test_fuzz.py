"""Fuzzing: any input to the diff parser and the anchor mapping ends in a result or a clear
error (InputError), never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewbot.anchors import Anchor, Placer, Unplaceable
from reviewbot.diff import parse_diff
from reviewbot.errors import InputError

VALID = """\
diff --git a/a.py b/a.py
index 1111111..2222222 100644
--- a/a.py
+++ b/a.py
@@ -1,3 +1,4 @@ def f():
 one
-two
+TWO
+three
 four
diff --git a/old.txt b/new.txt
similarity index 90%
rename from old.txt
rename to new.txt
Binary files a/x.png and b/x.png differ
"""
LINES = VALID.splitlines(keepends=True)
PIECES = [
    "diff --git a/x b/x\n",
    "--- a/x\n",
    "+++ b/x\n",
    "@@ -1 +1 @@\n",
    "@@ -0,0 +1,2 @@\n",
    "+added\n",
    "-removed\n",
    " context\n",
    "\\ No newline at end of file\n",
    "new file mode 100644\n",
    "deleted file mode 100644\n",
    "old mode 100644\n",
    "new mode 100755\n",
    "Binary files a/x and b/x differ\n",
    "GIT binary patch\n",
    "index 0000000..1111111 160000\n",
    "\r\n",
    "\n",
    "@@ -a,b +c,d @@\n",
]


def parse_or_clear_error(text: str):
    try:
        return parse_diff(text)
    except InputError as err:
        message = str(err)
    assert message and "\n" not in message  # one readable line
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    parse_or_clear_error(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES + LINES), max_size=30))
def test_diff_shaped_garbage(parts: list[str]) -> None:
    parse_or_clear_error("".join(parts))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(LINES) - 1), st.integers(0, len(LINES)), st.text(max_size=20))
def test_mutated_valid_diff(cut: int, insert_at: int, junk: str) -> None:
    mutated = LINES[:cut] + LINES[cut + 1 :]
    mutated.insert(min(insert_at, len(mutated)), junk)
    parse_or_clear_error("".join(mutated))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES + LINES), max_size=30),
    st.text(max_size=20),
    st.integers(-10, 10**6),
    st.one_of(st.none(), st.integers(-10, 10**6)),
    st.sampled_from(["RIGHT", "LEFT"]),
)
def test_anchor_mapping_on_any_parsed_diff(parts, path, line, end, side) -> None:
    diff = parse_or_clear_error("".join(parts))
    if diff is None:
        return
    placer = Placer(diff)
    for candidate in [path, *(f.path for f in diff.files)]:
        result = placer.place(candidate, line, end, side)
        assert isinstance(result, (Anchor, Unplaceable))
