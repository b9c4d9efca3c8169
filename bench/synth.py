"""Synthetic `git diff` text for benchmarks: deterministic for a seed, realistic for the engine.

`make_diff(files, changed_lines, seed)` returns the text of a `git diff` with exactly `files`
file entries and exactly `changed_lines` added plus removed lines. Like a real pull request it
mixes languages (mostly code, then tests, docs and config), new, modified, deleted and renamed
files, hunks of 1 to 400 changed lines with context around them, a few files too large for one
chunk, and — from 20 files up — the files triage must skip: two lockfiles, a vendored folder, a
minified bundle, a generated protobuf module, deleted files and binaries. Lines look like code
of their language (`bench.synth_lines`), so token counts per line are close to real ones.

`SIZES` names the three sizes the benchmarks use: small, medium and large.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass

from bench.synth_lines import HEX, LANGS, WORDS, Writer, lockfile_line, minified_line

SIZES: dict[str, tuple[int, int]] = {  # name: (files, changed lines)
    "small": (3, 50),
    "medium": (40, 2_000),
    "large": (500, 30_000),
}


@dataclass
class _File:
    path: str
    lang: str
    status: str  # modified, added, deleted, renamed, binary-added, binary-modified
    role: str = "code"  # code, other, lockfile, minified, vendored, generated
    changed: int = 0
    old_path: str = ""


class _Paths:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def unique(self, path: str) -> str:
        stem, dot, ext = path.rpartition(".")
        n, candidate = 1, path
        while candidate in self.used:
            n += 1
            candidate = f"{stem}_{n}{dot}{ext}"
        self.used.add(candidate)
        return candidate

    def code(self, lang: str, test: bool) -> str:
        w, w2 = self.rng.choice(WORDS), self.rng.choice(WORDS)
        ext = LANGS[lang][0]
        layouts = {
            "py": (f"backend/{w}/{w2}.py", f"backend/tests/test_{w}_{w2}.py"),
            "go": (f"services/{w}/internal/{w2}.go", f"services/{w}/internal/{w2}_test.go"),
            "ts": (f"web/src/{w}/{w2}.ts", f"web/src/{w}/__tests__/{w2}.test.ts"),
            "tsx": (f"web/src/{w}/{w2.title()}View.tsx", f"web/src/{w}/{w2}.test.tsx"),
            "js": (f"web/scripts/{w}-{w2}.js", f"web/scripts/{w}-{w2}.spec.js"),
            "rs": (f"crates/{w}/src/{w2}.rs", f"crates/{w}/tests/{w2}.rs"),
            "java": (
                f"android/src/main/java/com/acme/{w}/{w2.title()}.java",
                f"android/src/test/java/com/acme/{w}/{w2.title()}Test.java",
            ),
            "c": (f"native/{w}/{w2}.c", f"native/tests/test_{w2}.c"),
            "h": (f"native/{w}/{w2}.h", f"native/tests/{w2}_fixtures.h"),
            "rb": (f"tools/{w}/{w2}.rb", f"tools/spec/{w2}_spec.rb"),
        }
        return self.unique(layouts[lang][1 if test else 0] if lang in layouts else f"{w}.{ext}")

    def other(self, kind: str) -> tuple[str, str]:
        w, w2 = self.rng.choice(WORDS), self.rng.choice(WORDS)
        choices = {
            "doc": [("md", f"docs/{w}/{w2}.md"), ("rst", f"docs/{w}-{w2}.rst")],
            "config": [
                ("yml", f".github/workflows/{w}-{w2}.yml"),
                ("yml", f"deploy/{w}/{w2}.yaml"),
                ("toml", f"services/{w}/{w2}.toml"),
                ("json", f"web/config/{w}.{w2}.json"),
            ],
        }[kind]
        lang, path = self.rng.choice(choices)
        return lang, self.unique(path)


def _apportion(total: int, weights: list[float], floor: int = 1) -> list[int]:
    """Integers >= floor, proportional to weights, summing exactly to total (largest remainder)."""
    n = len(weights)
    if n == 0:
        return []
    spare = max(0, total - floor * n)
    shares = [spare * w / sum(weights) for w in weights]
    out = [floor + int(s) for s in shares]
    order = sorted(range(n), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _special_files(files: int, paths: _Paths) -> list[_File]:
    """The files triage has to skip, and the kinds of change it has to handle."""
    out = [
        _File(paths.unique("web/package-lock.json"), "json", "modified", "lockfile"),
        _File(paths.unique("backend/poetry.lock"), "toml", "modified", "lockfile"),
        _File(paths.unique("web/static/js/app-3f9c2a.js"), "js", "added", "minified"),
        _File(paths.unique("backend/api/proto/events_pb2.py"), "py", "added", "generated"),
        _File(paths.unique("docs/img/architecture.png"), "", "binary-added", "binary"),
        _File(paths.unique("web/static/fonts/inter.woff2"), "", "binary-modified", "binary"),
    ]
    for name in ("errors", "stack", "format"):
        path = paths.unique(f"vendor/github.com/acme/xerrors/{name}.go")
        out.append(_File(path, "go", "modified", "vendored"))
    out += [_File(paths.code("py", False), "py", "deleted") for _ in range(max(1, files // 100))]
    out.append(_File(paths.code("go", False), "go", "renamed", old_path=paths.code("go", False)))
    return out


def _plan_files(files: int, changed_lines: int, rng: random.Random) -> list[_File]:
    paths = _Paths(rng)
    plan = _special_files(files, paths) if files >= 20 else []
    code_langs = [k for k, v in LANGS.items() if v[2]]
    code_weights = [LANGS[k][2] for k in code_langs]
    while len(plan) < files:
        r = rng.random()
        status = "added" if rng.random() < 0.3 else "modified"
        if r < 0.70 or not plan:
            lang = rng.choices(code_langs, code_weights)[0]
            plan.append(_File(paths.code(lang, test=r < 0.18), lang, status))
        else:
            lang, path = paths.other("doc" if r < 0.86 else "config")
            plan.append(_File(path, lang, status, "other"))
    texts = [f for f in plan if not f.status.startswith("binary")]
    weights = [rng.lognormvariate(0, 1.3) for _ in texts]
    total = sum(weights)
    shares = {"lockfile": 0.015, "minified": 0.0007, "generated": 0.004, "vendored": 0.004}
    for i, f in enumerate(texts):
        if f.role in shares:
            weights[i] = total * shares[f.role]
    big = [i for i, f in enumerate(texts) if f.role == "code" and f.status in ("added", "modified")]
    big = big[: changed_lines // 10_000]
    for i in big:  # a few files too large for one chunk: one new, the others modified
        weights[i] = total * 0.05
        texts[i].status = "added" if i == big[0] else "modified"
    for f, n in zip(texts, _apportion(changed_lines, weights), strict=True):
        f.changed = n
    return sorted(plan, key=lambda f: f.path)


# (cumulative share, fewest, most changed lines) of a modified file's hunks
HUNK_SIZES = ((0.55, 1, 6), (0.85, 7, 40), (0.97, 41, 150), (1.0, 151, 400))


def _hunk_sizes(total: int, rng: random.Random) -> list[int]:
    """Changed lines per hunk: mostly a few, now and then up to 400."""
    sizes = []
    while total > 0:
        r = rng.random()
        low, high = next((lo, hi) for share, lo, hi in HUNK_SIZES if r < share)
        sizes.append(min(rng.randint(low, high), total))
        total -= sizes[-1]
    return sizes


def _range(start: int, length: int) -> str:
    return f"{start}" if length == 1 else f"{start},{length}"


def _hunk_body(size: int, write: Callable[[], str], rng: random.Random) -> list[str]:
    """Changed lines in runs (replace, add or remove) with short context between them."""
    out: list[str] = []
    left = size
    while left > 0:
        run = min(left, rng.choice((1, 1, 2, 3, 5, 8, 13, 30)))
        kind = rng.random()
        if kind < 0.12:  # lines removed
            removed = run
        elif kind < 0.45 or run == 1:  # lines added
            removed = 0
        else:  # lines replaced
            removed = max(1, run * 2 // 5)
        out += ["-" + write() for _ in range(removed)]
        out += ["+" + write() for _ in range(run - removed)]
        left -= run
        if left:
            out += [" " + write() for _ in range(rng.randint(1, 4))]
    return out


def _file_text(f: _File, rng: random.Random) -> str:
    a, b = f.old_path or f.path, f.path
    old_id, new_id = "".join(rng.choices(HEX, k=7)), "".join(rng.choices(HEX, k=7))
    head = [f"diff --git a/{a} b/{b}"]
    if f.status == "binary-added":
        head += ["new file mode 100644", f"index 0000000..{new_id}"]
        return _join([*head, f"Binary files /dev/null and b/{b} differ"])
    if f.status == "binary-modified":
        head.append(f"index {old_id}..{new_id} 100644")
        return _join([*head, f"Binary files a/{a} and b/{b} differ"])
    writer = Writer(f.lang, rng)
    write = writer.line
    if f.role == "lockfile":
        write = functools.partial(lockfile_line, f.path, rng)
    elif f.role == "minified":
        write = functools.partial(minified_line, rng)
    if f.status == "added":
        head += ["new file mode 100644", f"index 0000000..{new_id}", "--- /dev/null", f"+++ b/{b}"]
        body = ["+" + write() for _ in range(f.changed)]
        return _join([*head, f"@@ -0,0 +{_range(1, f.changed)} @@", *body])
    if f.status == "deleted":
        head += [
            "deleted file mode 100644",
            f"index {old_id}..0000000",
            f"--- a/{a}",
            "+++ /dev/null",
        ]
        body = ["-" + write() for _ in range(f.changed)]
        return _join([*head, f"@@ -{_range(1, f.changed)} +0,0 @@", *body])
    if f.status == "renamed":
        head += [f"similarity index {rng.randint(60, 98)}%", f"rename from {a}", f"rename to {b}"]
    head += [f"index {old_id}..{new_id} 100644", f"--- a/{a}", f"+++ b/{b}"]
    return _join(head + _hunks(f.changed, write, writer.section, rng))


def _hunks(
    changed: int, write: Callable[[], str], section: Callable[[], str], rng: random.Random
) -> list[str]:
    """The hunks of a modified file, with 3 lines of context and correct @@ ranges."""
    out: list[str] = []
    old = new = 1 + rng.randint(0, 60)  # the first line the next hunk may start at
    for size in _hunk_sizes(changed, rng):
        lead = min(3, old - 1)
        lines = [" " + write() for _ in range(lead)] + _hunk_body(size, write, rng)
        lines += [" " + write() for _ in range(3)]
        n_old = sum(1 for ln in lines if ln[0] != "+")
        n_new = sum(1 for ln in lines if ln[0] != "-")
        context = section() if rng.random() < 0.8 else ""
        start_old, start_new = old - lead, new - lead
        head = f"@@ -{_range(start_old, n_old)} +{_range(start_new, n_new)} @@"
        out += [f"{head} {context}" if context else head, *lines]
        gap = rng.randint(8, 120)  # unchanged lines between hunks: more than 2 x 3 of context
        old, new = start_old + n_old + gap, start_new + n_new + gap
    return out


def _join(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def make_diff(files: int, changed_lines: int, seed: int = 1) -> str:
    """A `git diff` with exactly `files` files and `changed_lines` added + removed lines."""
    if files < 1 or changed_lines < files:
        raise ValueError("need at least one file and one changed line per file")
    rng = random.Random(seed)
    return "".join(_file_text(f, rng) for f in _plan_files(files, changed_lines, rng))


def make_sized(size: str, seed: int = 1) -> str:
    """One of the benchmark sizes: small, medium or large."""
    files, lines = SIZES[size]
    return make_diff(files, lines, seed)
