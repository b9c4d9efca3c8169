"""Limits that protect the user's money and time: files, bytes, tokens and cost per run."""

from __future__ import annotations

import json
from pathlib import Path

from reviewbot.main import main


def plan(tmp_path: Path, capsys, config: str, files: dict[str, str]) -> dict:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    cfg = tmp_path / "cfg.yml"
    cfg.write_text(config)
    code = main(
        ["--dry-run", "--format", "json", "--config", str(cfg), *[str(tmp_path / n) for n in files]]
    )
    assert code == 0
    return json.loads(capsys.readouterr().out)


def skipped(doc: dict) -> dict[str, str]:
    return {Path(s["path"]).name: s["reason"] for s in doc["skipped"]}


def test_max_files_keeps_the_most_important(tmp_path, capsys) -> None:
    files = {"README.md": "# doc\n", "app.py": "x = 1\n", "b.py": "y = 2\n"}
    doc = plan(tmp_path, capsys, "max_files: 2\n", files)
    assert skipped(doc) == {"README.md": "max-files"}


def test_max_file_bytes(tmp_path, capsys) -> None:
    files = {"big.py": "x = 1\n" * 1000, "small.py": "y = 2\n"}
    doc = plan(tmp_path, capsys, "max_file_bytes: 1000\n", files)
    assert skipped(doc) == {"big.py": "too-large"}


def test_token_cap_reviews_the_first_chunks_and_names_the_rest(tmp_path, capsys) -> None:
    files = {f"m{i}.py": "".join(f"v{i}_{n} = {n}\n" for n in range(400)) for i in range(4)}
    doc = plan(
        tmp_path,
        capsys,
        "chunk_tokens: 4000\nmax_output_tokens: 512\nmax_prompt_tokens: 12000\n",
        files,
    )
    reviewed = {Path(f["path"]).name for c in doc["chunks"] for f in c["files"]}
    assert reviewed and sum(c["prompt_tokens"] for c in doc["chunks"]) <= 12000
    left = skipped(doc)
    assert set(left.values()) == {"budget"}
    assert reviewed | set(left) == set(files)


def test_cost_cap(tmp_path, capsys) -> None:
    files = {f"m{i}.py": "".join(f"v{i}_{n} = {n}\n" for n in range(400)) for i in range(4)}
    doc = plan(
        tmp_path, capsys, "chunk_tokens: 4000\nmax_output_tokens: 512\nmax_cost: 0.003\n", files
    )
    assert doc["chunks"]
    assert "budget" in skipped(doc).values()
    first = doc["prices"][0]
    assert first["provider"] == "openai"
