"""Where the change comes from: files, a patch file or stdin, or `git diff` against a ref."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reviewbot.diff import Diff, decode, parse_diff, whole_file
from reviewbot.errors import InputError

MAX_INPUT_BYTES = 64 * 1024 * 1024


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; name files, or use --base REF for a repo") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read it ({err.strerror})") from None


def from_files(paths: list[str]) -> Diff:
    """Whole files, each as a diff that adds every line."""
    files = []
    for path in paths:
        data = _read(path)
        if len(data) > MAX_INPUT_BYTES:
            raise InputError(f"{path}: larger than {MAX_INPUT_BYTES // 2**20} MB")
        files.append(whole_file(Path(path).as_posix(), data))
    return Diff(files=tuple(files))


def from_patch(path: str) -> Diff:
    data = _read(path)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{path}: larger than {MAX_INPUT_BYTES // 2**20} MB")
    return parse_diff(decode(data))


def git_root(cwd: str | Path = ".") -> Path | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return Path(decode(out.stdout).strip())


def from_git(base: str, cwd: str | Path = ".") -> Diff:
    """The working tree's changes against `base` (committed, staged and unstaged)."""
    root = git_root(cwd)
    if root is None:
        raise InputError("--base needs a git repository; run it inside one")
    cmd = [
        "git",
        "-c",
        "core.quotepath=false",
        "diff",
        "--no-color",
        "--no-ext-diff",
        "-M",
        base,
        "--",
    ]
    try:
        out = subprocess.run(cmd, cwd=root, capture_output=True, check=False)
    except OSError as err:
        raise InputError(f"cannot run git: {err.strerror}") from None
    if out.returncode != 0:
        first = decode(out.stderr).strip().splitlines()[:1]
        raise InputError(f"git diff {base} failed: {first[0] if first else 'no message'}")
    return parse_diff(decode(out.stdout))
