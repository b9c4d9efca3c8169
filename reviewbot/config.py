"""The run's configuration: one frozen object built once in `main`, then passed down.

Sources, later ones winning: the defaults below, the repository's config file
(`.reviewbot.yml`, `.reviewbot.yaml`, `.github/reviewbot.yml`, or `[tool.reviewbot]` in
`pyproject.toml`), then the command line. Unknown keys and bad values are errors that name the key.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewbot.errors import UsageError

Severity = Literal["critical", "major", "minor", "nit"]
SEVERITIES: tuple[str, ...] = ("critical", "major", "minor", "nit")
CATEGORIES: tuple[str, ...] = (
    "bug",
    "security",
    "performance",
    "error-handling",
    "concurrency",
    "maintainability",
    "readability",
    "testing",
    "documentation",
    "style",
)
CONFIG_FILES = (".reviewbot.yml", ".reviewbot.yaml", ".github/reviewbot.yml")
CLI_SETTINGS = (  # settings that also have a command-line flag
    "provider",
    "model",
    "base_url",
    "concurrency",
    "chunk_tokens",
    "stream",
    "strictness",
    "min_score",
    "fail_on",
    "language",
    "self_check",
)


class Level(BaseModel):
    """What a strictness level reports."""

    model_config = ConfigDict(frozen=True)
    min_score: int
    max_findings: int
    categories: tuple[str, ...]
    lowest_severity: Severity


STRICTNESS: dict[str, Level] = {
    "relaxed": Level(
        min_score=7,
        max_findings=10,
        lowest_severity="major",
        categories=("bug", "security", "performance", "concurrency"),
    ),
    "balanced": Level(
        min_score=5, max_findings=25, lowest_severity="minor", categories=CATEGORIES[:-1]
    ),
    "strict": Level(min_score=3, max_findings=60, lowest_severity="nit", categories=CATEGORIES),
}


class Config(BaseModel):
    """Every setting, with its default. Field descriptions are the reference in the README."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str = Field("openai", description="Provider preset (see Providers).")
    model: str | None = Field(None, description="Model name; default: the preset's model.")
    base_url: str | None = Field(None, description="API base URL; default: the preset's.")
    api_key_env: str | None = Field(
        None, description="Environment variable holding the key; default: the preset's."
    )
    context_window: int | None = Field(
        None, ge=1024, description="Model context in tokens; default: the preset's."
    )
    input_price: float | None = Field(
        None, ge=0, description="Price per million prompt tokens; default: the preset's."
    )
    output_price: float | None = Field(
        None, ge=0, description="Price per million completion tokens; default: the preset's."
    )
    strictness: Literal["relaxed", "balanced", "strict"] = Field(
        "balanced", description="relaxed, balanced or strict (see Strictness)."
    )
    min_score: int | None = Field(None, ge=1, le=10, description="Overrides the level's score.")
    max_findings: int | None = Field(None, ge=0, description="Overrides the level's maximum.")
    categories: tuple[str, ...] | None = Field(None, description="Overrides the level's list.")
    fail_on: Literal["critical", "major", "minor", "nit", "none"] = Field(
        "none", description="Exit 1 when a finding has this severity or worse."
    )
    language: str = Field("en", description="Language of the comments, e.g. zh-CN, ja, de.")
    instructions: str = Field("", description="Extra instructions added to the system prompt.")
    self_check: bool = Field(True, description="Second pass that confirms or drops findings.")
    include: tuple[str, ...] = Field((), description="Only review paths matching these globs.")
    exclude: tuple[str, ...] = Field((), description="Never review paths matching these globs.")
    prompts_dir: str | None = Field(
        None, description="Folder with templates that override the built-in prompts."
    )
    concurrency: int = Field(4, ge=1, le=64, description="Chunks reviewed at the same time.")
    chunk_tokens: int | None = Field(
        None,
        ge=1024,
        description="Token budget of one request (prompt + reserved output); "
        "default: min(16384, the model's context window).",
    )
    context_lines: int = Field(3, ge=0, le=50, description="Lines repeated around split hunks.")
    max_output_tokens: int = Field(
        4096,
        ge=256,
        description="Tokens reserved for each answer; unset, at most a quarter of the request.",
    )
    temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature.")
    top_p: float | None = Field(None, gt=0, le=1, description="Nucleus sampling; unset: API's.")
    frequency_penalty: float | None = Field(None, ge=-2, le=2, description="Unset: API default.")
    response_format: Literal["auto", "json_schema", "json_object", "text"] = Field(
        "auto", description="How JSON is requested; auto picks per provider and falls back."
    )
    stream: bool = Field(False, description="Stream answers (SSE).")
    timeout: float = Field(180.0, gt=0, description="Seconds per model request.")
    max_retries: int = Field(4, ge=0, le=10, description="Retries of a failing model request.")
    max_files: int = Field(1000, ge=1, description="Files reviewed at most per run.")
    max_file_bytes: int = Field(
        256_000, ge=1, description="Files whose added text is larger are skipped."
    )
    max_prompt_tokens: int | None = Field(
        2_000_000, ge=1, description="Prompt tokens per run at most (null: no cap)."
    )
    max_cost: float | None = Field(
        None, ge=0, description="Estimated USD per run at most (null: no cap)."
    )
    review_deletions: bool = Field(
        False, description="Review files whose change only deletes lines (a removed check)."
    )
    review_drafts: bool = Field(False, description="Review draft pull requests.")
    ignore_labels: tuple[str, ...] = Field((), description="Skip PRs carrying any of these.")
    fail_on_fork: bool = Field(
        False, description="Fail (instead of skip) when a fork PR has no secrets."
    )
    cache_dir: str = Field(".reviewbot-cache", description="Result cache folder ('' = none).")

    def level(self) -> Level:
        base = STRICTNESS[self.strictness]
        return Level(
            min_score=self.min_score if self.min_score is not None else base.min_score,
            max_findings=self.max_findings if self.max_findings is not None else base.max_findings,
            categories=self.categories if self.categories is not None else base.categories,
            lowest_severity=base.lowest_severity,
        )


def find_config_file(root: Path) -> Path | None:
    for name in CONFIG_FILES:
        if (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and "[tool.reviewbot]" in pyproject.read_text(errors="replace"):
        return pyproject
    return None


def read_config_text(name: str, text: str) -> dict[str, Any]:
    """The settings in a config file's text; `name` decides the format and names it in errors."""
    try:
        if name.endswith(".toml"):
            data = tomllib.loads(text).get("tool", {}).get("reviewbot", {})
        else:
            data = yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise UsageError(
            f"{name}: not valid {'TOML' if name.endswith('.toml') else 'YAML'}: {first}"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{name}: expected a mapping of settings, got {type(data).__name__}")
    return data


def build_config(file_values: dict[str, Any], cli_values: dict[str, Any], source: str) -> Config:
    """Merge defaults, file and command line into one validated `Config`."""
    merged = {**file_values, **{k: v for k, v in cli_values.items() if v is not None}}
    try:
        return Config(**merged)
    except ValidationError as err:
        raise UsageError(_explain(err, file_values, source)) from None


def _explain(err: ValidationError, file_values: dict[str, Any], source: str) -> str:
    problem = err.errors()[0]
    key = ".".join(str(p) for p in problem["loc"]) or "?"
    top = str(problem["loc"][0]) if problem["loc"] else key
    where = source if top in file_values else "command line"
    if problem["type"] == "extra_forbidden":
        close = difflib.get_close_matches(top, Config.model_fields, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{where}: unknown setting {top!r}{hint}"
    if where == "command line":
        return f"--{key.replace('_', '-')}: {problem['msg']} (got {problem.get('input')!r})"
    return f"{where}: {key}: {problem['msg']} (got {problem.get('input')!r})"
