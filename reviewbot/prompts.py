"""The prompts: Jinja2 templates rendered by one environment with strict undefined variables.

Built-in templates live in the top-level `prompts/` folder, shipped in the wheel as
`reviewbot/prompts`. A repository may override any of them with a file of the same name in the
folder named by the `prompts_dir` setting.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2

from reviewbot.config import Config
from reviewbot.errors import UsageError

TEMPLATES = ("review_system.j2", "review_chunk.j2", "selfcheck_system.j2", "selfcheck_user.j2")
LANGUAGES = {
    "en": "English",
    "zh": "Simplified Chinese (简体中文)",
    "zh-cn": "Simplified Chinese (简体中文)",
    "zh-hans": "Simplified Chinese (简体中文)",
    "zh-tw": "Traditional Chinese (繁體中文)",
    "zh-hk": "Traditional Chinese (繁體中文)",
    "zh-hant": "Traditional Chinese (繁體中文)",
    "ja": "Japanese (日本語)",
    "ko": "Korean (한국어)",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "pt": "Portuguese",
    "pt-br": "Brazilian Portuguese",
    "ru": "Russian",
    "it": "Italian",
    "vi": "Vietnamese",
}


def builtin_dir() -> Path:
    """The built-in templates: inside the installed package, or the checkout's `prompts/`."""
    packaged = Path(str(resources.files("reviewbot"))) / "prompts"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "prompts"
    if checkout.is_dir():
        return checkout
    raise RuntimeError("reviewbot's prompt templates are missing from this installation")


def language_name(code: str) -> str:
    return LANGUAGES.get(code.lower(), code)


@dataclass(frozen=True)
class Prompts:
    """Renders the four prompts. Build with `load_prompts`."""

    env: jinja2.Environment
    version: str  # a hash of the template texts, part of cache keys

    def render(self, name: str, **values: object) -> str:
        try:
            return self.env.get_template(name).render(**values)
        except jinja2.UndefinedError as err:
            raise UsageError(f"prompt template {name}: {err.message}") from None
        except jinja2.TemplateError as err:
            raise UsageError(f"prompt template {name}: {err}") from None

    def review_system(self, config: Config, nonce: str) -> str:
        level = config.level()
        return self.render(
            "review_system.j2",
            nonce=nonce,
            categories=level.categories,
            lowest_severity=level.lowest_severity,
            min_score=level.min_score,
            max_findings=level.max_findings,
            language=language_name(config.language),
            instructions=config.instructions.strip(),
        )

    def review_chunk(self, body: str, index: int, total: int, nonce: str) -> str:
        return self.render("review_chunk.j2", body=body, index=index, total=total, nonce=nonce)

    def selfcheck_system(self, config: Config, nonce: str) -> str:
        return self.render(
            "selfcheck_system.j2", nonce=nonce, language=language_name(config.language)
        )

    def selfcheck_user(self, items: list[dict[str, object]], nonce: str) -> str:
        return self.render("selfcheck_user.j2", items=items, nonce=nonce)


def load_prompts(override_dir: str | Path | None = None) -> Prompts:
    """One environment for all prompts; templates in `override_dir` win over the built-in ones."""
    dirs = [builtin_dir()]
    if override_dir:
        path = Path(override_dir)
        if not path.is_dir():
            raise UsageError(f"prompts_dir {str(path)!r} is not a folder")
        dirs.insert(0, path)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    digest = hashlib.sha256()
    for name in TEMPLATES:
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        digest.update(name.encode() + b"\0" + source.encode())
    return Prompts(env, digest.hexdigest()[:16])
