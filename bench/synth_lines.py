"""Lines of text that look like code, docs or config of a given language, for synthetic diffs.

`Writer(lang, rng).line()` gives the next line of a file in `lang` (indented like it, about 40
characters on average, one in eight blank); `lockfile_line` and `minified_line` give the lines of
the files triage skips. Everything is drawn from the `random.Random` passed in, so a seed fixes it.
"""

from __future__ import annotations

import random

WORDS = (
    "account cache client config context cursor data event field file filter handler header "
    "index item job key limit list loader manager message model node option order output page "
    "parser path payload queue record request result route row schema scope session source "
    "state status store stream task token user value worker buffer batch commit diff entry"
).split()
VERBS = "get set load save parse build check find make read write apply send fetch resolve".split()
PROSE = (
    "the a this when we it is are to of in for with that returns must should can be not each "
    "new default value option request user file because only before after every error case"
).split()
UNICODE_WORDS = ("café", "naïve", "über", "数据", "检查", "—", "→", "résumé")
HEX = "0123456789abcdef"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# language: (extension, indent unit, test path pattern); weights are shares of code files
LANGS: dict[str, tuple[str, str, int]] = {
    "py": ("py", "    ", 30),
    "ts": ("ts", "  ", 14),
    "tsx": ("tsx", "  ", 5),
    "go": ("go", "\t", 18),
    "rs": ("rs", "    ", 8),
    "js": ("js", "  ", 6),
    "java": ("java", "    ", 6),
    "c": ("c", "    ", 5),
    "h": ("h", "    ", 2),
    "rb": ("rb", "  ", 4),
    "md": ("md", "  ", 0),
    "rst": ("rst", "   ", 0),
    "yml": ("yml", "  ", 0),
    "toml": ("toml", "", 0),
    "json": ("json", "  ", 0),
}

# Line templates: (weight, text, depth change). +1 opens a block after the line, -1 closes one
# before it. Placeholders are filled by `_Fill`; literal braces are doubled.
_PY = [
    (6, "def {f}(self, {v}: {T}, {v2}: int = {num}) -> {T} | None:", 1),
    (2, "class {T}({T2}):", 1),
    (10, "{v} = {f}({v2}, {lit})", 0),
    (6, "self.{v} = {v2}", 0),
    (5, "if {v} is not None and {v2} > {num}:", 1),
    (3, "for {v} in self.{v2}.{f}():", 1),
    (5, "return {v}", -1),
    (2, 'raise {T}Error(f"{prose}: {{{v}!r}}")', -1),
    (4, "# {Prose}", 0),
    (3, 'log.debug("{prose} %s", {v})', 0),
    (2, "{v}: {T} = field(default_factory={T2})", 0),
    (2, '"""{Prose}."""', 0),
    (2, "from {mod}.{mod2} import {T}, {f}", 0),
    (3, "{v}.{f}({v2}={lit}, {v}={v2}.{v})", 0),
    (2, "assert {v} == {lit}", 0),
]
_GO = [
    (6, "func ({r} *{T}) {F}(ctx context.Context, {v} {gotype}) ({gotype}, error) {{", 1),
    (9, "{v} := {f}({v2}, {lit})", 0),
    (6, "if err != nil {{", 1),
    (5, 'return nil, fmt.Errorf("{prose}: %w", err)', -1),
    (6, "}}", -1),
    (3, "// {F} {prose}.", 0),
    (4, "{r}.{F} = {v}", 0),
    (2, "type {T} struct {{", 1),
    (3, '{F} {gotype} `json:"{v}"`', 0),
    (3, "for _, {v} := range {v2} {{", 1),
    (3, "return {v}, nil", 0),
]
_CLIKE = [  # ts, tsx, js, java, c, h
    (6, "export function {f}({v}: {T}, {v2}: number): {T2} {{", 1),
    (9, "const {v} = await {f}({v2}, {lit});", 0),
    (6, "if (!{v} || {v2}.length > {num}) {{", 1),
    (4, "return {v};", -1),
    (6, "}}", -1),
    (3, "// {Prose}", 0),
    (4, "this.{v} = {v2}.{f}({lit});", 0),
    (2, "import {{ {T}, {f} }} from './{mod}';", 0),
    (2, "interface {T} {{", 1),
    (3, "{v}?: {T2};", 0),
    (2, "for (const {v} of {v2}) {{", 1),
    (2, "throw new Error(`{prose}: ${{{v}}}`);", 0),
]
_RS = [
    (6, "pub fn {f}(&self, {v}: &{T}) -> Result<{T2}> {{", 1),
    (9, "let {v} = {f}(&{v2}, {lit})?;", 0),
    (4, "match {v} {{", 1),
    (4, "Some({v2}) => {f}({v2}),", 0),
    (3, "None => return Err(Error::{T}),", 0),
    (6, "}}", -1),
    (3, "/// {Prose}.", 0),
    (2, "use crate::{mod}::{{{T}, {f}}};", 0),
    (2, "#[derive(Debug, Clone, PartialEq)]", 0),
    (3, "self.{v}.insert({v2}.clone());", 0),
]
_RB = [
    (5, "def {f}({v}, {v2} = {lit})", 1),
    (8, "{v} = {v2}.{f}({lit})", 0),
    (4, "return {v} if {v2}.nil?", 0),
    (5, "end", -1),
    (3, "# {Prose}", 0),
    (2, "class {T} < {T2}", 1),
    (3, "@{v} = {v2}", 0),
]
_DOC = [
    (10, "{Prose} {prose} {prose}.", 0),
    (3, "- {Prose}.", 0),
    (2, "## {T} {F}", 0),
    (2, "`{f}({v})` {prose}.", 0),
]
_YML = [(6, "{v}: {lit}", 0), (3, "{v}:", 1), (2, "- {v}", 0), (1, "# {Prose}", 0)]
_TOML = [(6, '{v} = "{v2}"', 0), (2, "[{v}.{v2}]", 0), (2, "{v} = {num}", 0), (1, "# {Prose}", 0)]
_JSON = [(8, '"{v}": {lit},', 0), (2, '"{v}": {{', 1), (2, "}},", -1)]
TEMPLATES = {
    "py": _PY,
    "go": _GO,
    "rs": _RS,
    "rb": _RB,
    "md": _DOC,
    "rst": _DOC,
    "yml": _YML,
    "toml": _TOML,
    "json": _JSON,
}


class _Fill(dict):
    """Fills each placeholder with a fresh random word of its kind."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key in ("v", "v2"):
            return rng.choice(WORDS) + (rng.choice(("", "_" + rng.choice(WORDS))))
        if key in ("f", "F"):
            name = rng.choice(VERBS) + "_" + rng.choice(WORDS)
            return "".join(p.title() for p in name.split("_")) if key == "F" else name
        if key in ("T", "T2"):
            return rng.choice(WORDS).title() + rng.choice(WORDS).title()
        if key in ("mod", "mod2"):
            return rng.choice(WORDS)
        if key == "r":
            return rng.choice(WORDS)[0]
        if key == "num":
            return str(rng.choice((0, 1, 2, 8, 10, 64, 100, 1024, 3600)))
        if key == "gotype":
            return rng.choice(("string", "int", "[]byte", "*" + rng.choice(WORDS).title(), "bool"))
        if key == "lit":
            return rng.choice(('"' + rng.choice(WORDS) + '"', str(rng.randint(0, 500)), "None"))
        if key in ("prose", "Prose"):
            words = [rng.choice(PROSE if rng.random() < 0.6 else WORDS) for _ in range(8)]
            words = words[: rng.randint(3, 8)]
            if rng.random() < 0.03:
                words.append(rng.choice(UNICODE_WORDS))
            text = " ".join(words)
            return text.capitalize() if key == "Prose" else text
        raise KeyError(key)


class Writer:
    """Writes the lines of one file in one language, keeping an indentation depth."""

    def __init__(self, lang: str, rng: random.Random) -> None:
        self.rng = rng
        self.templates = TEMPLATES.get(lang, _CLIKE)
        self.weights = [w for w, _, _ in self.templates]
        self.indent = LANGS[lang][1] if lang in LANGS else "    "
        self.depth = 1
        self.prose = lang in ("md", "rst")
        self.comment = "#" if lang in ("py", "rb", "yml", "toml") else "//"

    def line(self) -> str:
        rng = self.rng
        if rng.random() < 0.12:
            return ""
        _, text, delta = rng.choices(self.templates, self.weights)[0]
        if delta < 0:
            self.depth = max(0, self.depth - 1)
        body = text.format_map(_Fill(rng))
        if self.prose:
            return body
        out = self.indent * self.depth + body
        if delta > 0:
            self.depth = min(5, self.depth + 1)
        if rng.random() < 0.006:  # now and then a long line, with a trailing comment
            out += f"  {self.comment} " + " ".join(rng.choice(WORDS) for _ in range(22))
        return out

    def section(self) -> str:
        """A hunk header's function context, as git shows it."""
        for _, text, delta in self.templates:
            if delta > 0:
                return text.format_map(_Fill(self.rng))
        return ""


def lockfile_line(name: str, rng: random.Random) -> str:
    pkg = rng.choice(WORDS) + "-" + rng.choice(WORDS)
    ver = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
    if name.endswith(".json"):
        return rng.choice(
            (
                f'      "resolved": "https://registry.npmjs.org/{pkg}/-/{pkg}-{ver}.tgz",',
                '      "integrity": "sha512-' + "".join(rng.choices(B64, k=86)) + '==",',
                f'    "node_modules/{pkg}": {{',
                f'      "version": "{ver}",',
                "    },",
            )
        )
    digest = "".join(rng.choices(HEX, k=64))
    return rng.choice(
        (
            f'    {{file = "{pkg}-{ver}-py3-none-any.whl", hash = "sha256:{digest}"}},',
            f'name = "{pkg}"',
            f'version = "{ver}"',
            "[[package]]",
            "",
        )
    )


def minified_line(rng: random.Random) -> str:
    parts = []
    while sum(map(len, parts)) < rng.randint(2_000, 6_000):
        a, b = rng.choice(WORDS)[:2], rng.choice(WORDS)[:2]
        parts.append(rng.choice((f"var {a}=function({b}){{return {b}+1}};", f"{a}.{b}=!0,")))
    return "".join(parts)
