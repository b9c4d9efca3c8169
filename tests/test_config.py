"""The config: discovered, validated (a typo names the key), overridden by the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reviewbot.config import Config, build_config, read_config_text
from reviewbot.errors import UsageError
from reviewbot.main import main

ROOT = Path(__file__).resolve().parents[1]


def dry_run(tmp_path: Path, *args: str) -> dict:
    target = tmp_path / "app.py"
    if not target.exists():
        target.write_text("def f(a):\n    return a / 0\n")
    return ["--dry-run", "--format", "json", *args, str(target)]


def test_unknown_key_is_an_error_that_suggests_the_right_one() -> None:
    with pytest.raises(UsageError, match=r"unknown setting 'strictnes'; did you mean 'strictness'"):
        build_config({"strictnes": "strict"}, {}, ".reviewbot.yml")


def test_bad_value_names_the_key_and_the_source() -> None:
    with pytest.raises(UsageError, match=r"\.reviewbot\.yml: min_score"):
        build_config({"min_score": 42}, {}, ".reviewbot.yml")
    with pytest.raises(UsageError, match=r"--strictness: Input should be"):
        build_config({}, {"strictness": "extreme"}, ".reviewbot.yml")


def test_command_line_overrides_the_file() -> None:
    config = build_config(
        {"strictness": "strict", "language": "ja"}, {"strictness": "relaxed", "language": None}, "f"
    )
    assert (config.strictness, config.language) == ("relaxed", "ja")


def test_levels_and_overrides() -> None:
    assert Config(strictness="relaxed").level().min_score == 7
    assert Config(strictness="strict").level().lowest_severity == "nit"
    assert Config(strictness="strict", min_score=9).level().min_score == 9
    assert "style" not in Config().level().categories


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("x.yml", "key: [unclosed"),
        ("pyproject.toml", "[tool.reviewbot\nx=1"),
        ("x.yml", "- just\n- a list\n"),
    ],
)
def test_malformed_files_are_clear_errors(name: str, text: str) -> None:
    with pytest.raises(UsageError, match=name.replace(".", r"\.")):
        read_config_text(name, text)


@pytest.mark.parametrize("where", [".reviewbot.yml", ".github/reviewbot.yml", "pyproject.toml"])
def test_config_is_discovered(where: str, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / where
    target.parent.mkdir(parents=True, exist_ok=True)
    if where == "pyproject.toml":
        target.write_text("[project]\nname='x'\n\n[tool.reviewbot]\nchunk_tokens = 8000\n")
    else:
        target.write_text("chunk_tokens: 8000\n")
    assert main(dry_run(tmp_path)) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["budget"]["request"] == 8000


def test_typo_in_the_file_exits_2(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".reviewbot.yml").write_text("stricness: strict\n")
    assert main(dry_run(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "unknown setting 'stricness'" in err and "did you mean 'strictness'" in err


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- config-reference:start -->")[1].split(
        "<!-- config-reference:end -->"
    )[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", table, re.M))
    assert documented == set(Config.model_fields)
