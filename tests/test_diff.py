"""The diff model: real diffs from git and from public repositories, and bad input."""

from __future__ import annotations

import json
import subprocess

import pytest

from reviewbot.diff import Content, Kind, Status, decode, parse_diff, whole_file
from reviewbot.errors import InputError
from tests.conftest import CORPUS, GitRepo, corpus_bytes


def test_modified_file_has_both_line_numbers(repo: GitRepo) -> None:
    repo.write("app.py", "a = 1\nb = 2\nc = 3\nd = 4\n")
    repo.commit()
    repo.write("app.py", "a = 1\nb = 20\nc = 3\nd = 4\ne = 5\n")
    diff = parse_diff(repo.diff())
    (f,) = diff.files
    assert (f.old_path, f.new_path, f.status, f.content) == (
        "app.py",
        "app.py",
        Status.MODIFIED,
        Content.TEXT,
    )
    rows = [(ln.kind, ln.old, ln.new, ln.text) for ln in f.hunks[0].lines]
    assert rows == [
        (Kind.CONTEXT, 1, 1, "a = 1"),
        (Kind.REMOVED, 2, None, "b = 2"),
        (Kind.ADDED, None, 2, "b = 20"),
        (Kind.CONTEXT, 3, 3, "c = 3"),
        (Kind.CONTEXT, 4, 4, "d = 4"),
        (Kind.ADDED, None, 5, "e = 5"),
    ]
    assert (f.added, f.removed) == (2, 1)


def test_statuses_from_git(repo: GitRepo) -> None:
    body = "".join(f"line {n}\n" for n in range(30))
    repo.write("old_name.py", body)
    repo.write("gone.py", "x = 1\n")
    repo.write("script.sh", "echo hi\n")
    repo.write("img.bin", b"\x00\x01\x02binary")
    repo.commit()
    repo.git("mv", "old_name.py", "new_name.py")
    repo.git("rm", "-q", "gone.py")
    repo.git("update-index", "--chmod=+x", "script.sh")
    (repo.root / "script.sh").chmod(0o755)
    repo.write("img.bin", b"\x00\x01\x02binary, changed")
    repo.write("added.py", "print('new')\n")
    repo.git("add", "-A")
    diff = parse_diff(repo.diff("--cached"))
    by_path = {f.path: f for f in diff.files}
    assert by_path["new_name.py"].status is Status.RENAMED
    assert by_path["new_name.py"].old_path == "old_name.py"
    assert by_path["new_name.py"].hunks == ()
    assert by_path["gone.py"].status is Status.DELETED
    assert by_path["gone.py"].new_path is None
    assert by_path["script.sh"].status is Status.MODE_CHANGE
    assert (by_path["script.sh"].old_mode, by_path["script.sh"].new_mode) == ("100644", "100755")
    assert by_path["img.bin"].content is Content.BINARY
    assert by_path["added.py"].status is Status.ADDED


def test_no_index_diff_is_parsed(repo: GitRepo) -> None:
    repo.write("a.txt", "one\ntwo\n")
    repo.write("b.txt", "one\n2\n")
    proc = subprocess.run(
        ["git", "diff", "--no-index", "--no-color", "a.txt", "b.txt"],
        cwd=repo.root,
        capture_output=True,
    )
    out = proc.stdout.decode()
    (f,) = parse_diff(out).files
    assert f.old_path == "a.txt" and f.new_path == "b.txt"
    assert [ln.text for ln in f.hunks[0].lines if ln.kind is Kind.ADDED] == ["2"]


def test_crlf_and_no_newline_at_end(repo: GitRepo) -> None:
    repo.write("w.txt", b"one\r\ntwo\r\n")
    repo.write("n.txt", b"end")
    repo.commit()
    repo.write("w.txt", b"one\r\nTWO\r\n")
    repo.write("n.txt", b"end changed")
    diff = parse_diff(repo.diff())
    w = diff.file("w.txt")
    n = diff.file("n.txt")
    assert [ln.text for ln in w.hunks[0].lines] == ["one", "two", "TWO"]
    assert [(ln.kind, ln.text) for ln in n.hunks[0].lines] == [
        (Kind.REMOVED, "end"),
        (Kind.ADDED, "end changed"),
    ]


def test_whole_crlf_patch_file() -> None:
    text = "diff --git a/x b/x\r\n--- a/x\r\n+++ b/x\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n"
    (f,) = parse_diff(text).files
    assert [(ln.kind, ln.text) for ln in f.hunks[0].lines] == [
        (Kind.REMOVED, "a"),
        (Kind.ADDED, "b"),
    ]


def test_submodule_pointer_change() -> None:
    text = (
        "diff --git a/lib/sub b/lib/sub\nindex 1111111..2222222 160000\n--- a/lib/sub\n"
        "+++ b/lib/sub\n@@ -1 +1 @@\n-Subproject commit 1111111111111111111111111111111111111111\n"
        "+Subproject commit 2222222222222222222222222222222222222222\n"
    )
    (f,) = parse_diff(text).files
    assert f.content is Content.SUBMODULE


def test_non_utf8_bytes_become_replacement_characters() -> None:
    raw = b"--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-caf\xe9\n+caf\xc3\xa9 \xff\n"
    (f,) = parse_diff(decode(raw)).files
    assert [ln.text for ln in f.hunks[0].lines] == ["caf\ufffd", "café \ufffd"]


def test_path_with_spaces_and_quoted_unicode(repo: GitRepo) -> None:
    repo.write("dir with space/naïve file.py", "x = 1\n")
    repo.commit()
    repo.write("dir with space/naïve file.py", "x = 2\n")
    (f,) = parse_diff(repo.diff()).files
    assert f.path == "dir with space/naïve file.py"


@pytest.mark.parametrize("text", ["hello world\n", "just some prose\nwithout headers\n"])
def test_not_a_diff_is_an_error(text: str) -> None:
    with pytest.raises(InputError, match="not a unified diff"):
        parse_diff(text)


def test_malformed_hunk_is_an_error() -> None:
    with pytest.raises(InputError, match="malformed"):
        parse_diff("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n")


@pytest.mark.parametrize("text", ["", "\n\n", "   "])
def test_empty_diff_has_no_files(text: str) -> None:
    assert parse_diff(text).files == ()


def test_whole_file_adds_every_line() -> None:
    f = whole_file("a.py", b"x = 1\r\ny = 2\n\fz = 3\n")
    assert f.whole_file and f.status is Status.ADDED
    assert [(ln.new, ln.text) for ln in f.hunks[0].lines] == [
        (1, "x = 1"),
        (2, "y = 2"),
        (3, "\fz = 3"),
    ]
    assert whole_file("e.py", b"").hunks == ()
    assert whole_file("b.png", b"\x89PNG\x00\x00").content is Content.BINARY


def _manifest() -> list[dict]:
    path = CORPUS / "manifest.json"
    if not path.exists():
        return []
    return json.loads(path.read_text())["entries"]


@pytest.mark.parametrize("entry", _manifest(), ids=lambda e: e["id"])
def test_corpus_counts_match_manifest(entry: dict) -> None:
    diff = parse_diff(decode(corpus_bytes(entry["file"])))
    assert len(diff.files) == entry["files"]
    assert sum(f.added for f in diff.files) == entry["added_lines"]
    assert sum(f.removed for f in diff.files) == entry["removed_lines"]
    for f in diff.files:
        for h in f.hunks:
            news = [ln.new for ln in h.lines if ln.new is not None]
            assert news == list(range(h.new_start, h.new_start + len(news)))
