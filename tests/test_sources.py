"""Where the change comes from: files, a patch or stdin, the working tree against a git ref."""

from __future__ import annotations

import io
import json
import sys

import pytest

from reviewbot.main import main
from tests.conftest import GitRepo


def plan(capsys, *args: str) -> dict:
    assert main(["--dry-run", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def planned_lines(doc: dict) -> dict[str, list[int]]:
    return {f["path"]: f["lines"] for c in doc["chunks"] for f in c["files"]}


def test_base_reviews_the_working_tree_against_a_ref(repo: GitRepo, monkeypatch, capsys) -> None:
    repo.write("app.py", "a = 1\nb = 2\n")
    repo.write("README.md", "# demo\n")
    repo.commit()
    repo.write("app.py", "a = 1\nb = 20\nc = 3\n")  # unstaged
    repo.write("new.py", "x = 1\n")
    repo.git("add", "new.py")  # staged
    monkeypatch.chdir(repo.root)
    doc = plan(capsys, "--base", "HEAD")
    assert planned_lines(doc) == {"app.py": [1, 3], "new.py": [1, 1]}


def test_base_outside_a_repository_is_a_clear_error(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--dry-run", "--base", "main"]) == 2
    assert "needs a git repository" in capsys.readouterr().err


def test_unknown_ref_is_a_clear_error(repo: GitRepo, monkeypatch, capsys) -> None:
    repo.write("a.py", "x\n")
    repo.commit()
    monkeypatch.chdir(repo.root)
    assert main(["--dry-run", "--base", "no-such-branch"]) == 2
    err = capsys.readouterr().err
    assert "git diff no-such-branch failed" in err
    assert "Traceback" not in err


def test_diff_from_stdin(monkeypatch, capsys) -> None:
    patch = "--- a/x.py\n+++ b/x.py\n@@ -1 +1,2 @@\n a = 1\n+b = 2\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(patch.encode())))
    doc = plan(capsys, "--diff", "-")
    assert planned_lines(doc) == {"x.py": [1, 2]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.py"], "missing.py: no such file"),
        (["--diff", "missing.patch"], "missing.patch: no such file"),
        ([], "give FILE..., --diff PATCH or --base REF"),
        (["a.py", "--base", "HEAD"], "exactly one"),
    ],
)
def test_bad_sources_exit_2(args: list[str], message: str, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("x = 1\n")
    assert main(["--dry-run", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_folder_is_not_a_file(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    assert main(["--dry-run", "pkg"]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_not_a_diff_exits_2(tmp_path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("just some prose\n")
    assert main(["--dry-run", "--diff", str(tmp_path / "notes.txt")]) == 2
    assert "not a unified diff" in capsys.readouterr().err


def test_empty_diff_is_nothing_to_review(tmp_path, capsys) -> None:
    (tmp_path / "empty.patch").write_text("")
    doc = plan(capsys, "--diff", str(tmp_path / "empty.patch"))
    assert doc["chunks"] == []
