"""Masking secrets before any text goes to the model.

Every line a review sends (added, removed and context lines, and hunk section headers) goes
through a `Redactor` first. A secret's characters are replaced, within its line, by

    «redacted:KIND»        e.g.   token = "«redacted:GitHub Token»"

where KIND is the detector's `secret_type`. Lines are never added, removed or split (a line
break inside a masked span is kept), so line numbers and anchors stay exact. The placeholder is
valid code in no language, on purpose: the model sees that a secret was there (a hard-coded
secret is worth a finding) but never its value, so no finding or suggestion can quote it.
`scrub` replaces the values found in the run in any text going out (findings, summaries, logs,
errors): a second line of defence, and the place for the run's own API keys.

What is masked:
- what detect-secrets 1.5's plugins find, run in-process on single lines through their own
  `analyze_string` and its heuristic filters, but not through its global settings (nothing
  global changes and no verification request can be made). Left out: IPPublicDetector (an
  address is no secret) and PrivateKeyDetector (replaced by the key blocks below);
- what 1.5 has no plugin for, as plugins in its own format (`RegexBasedDetector`): the `sk-`
  keys of OpenAI-compatible providers (sk-proj, DeepSeek, Qwen, Moonshot, SiliconFlow),
  Anthropic and Google API keys, GitHub fine-grained, npm and Hugging Face tokens, Slack app
  tokens, Stripe test keys, Authorization headers, and passwords in connection strings
  (`redis://:pw@`, `?password=`, `;Password=`, Oracle `user/pw@`, Go `user:pw@tcp(`, Azure
  `SharedAccessKey=`; `user:pw@host` URLs are detect-secrets' BasicAuthDetector);
- per file type: `.env*`, shell scripts, Dockerfiles, `credentials`, `.npmrc` and `.pypirc` get
  the unquoted `key = value` rules detect-secrets keeps for YAML/INI/properties/TOML, and in all
  of those an unquoted value is checked for entropy too;
- private keys: every line of a `BEGIN ... PRIVATE KEY` (or PuTTY) block up to its END, also
  when a hunk shows only the END, and key material in key files (`*.pem`, `id_rsa`, ...). A
  block ends at the first line that is not key material: a fake BEGIN line hides no code.

Not masked, on purpose (the look-alikes in tests/data/secrets/lookalikes): templates, references
and placeholders (`${X}`, `os.environ["X"]`, `<your-key>`, `YOUR_API_KEY`, `sk-...`, `xxx`,
`%s`); filler (`ghp_xxxx...`); well-known dummy and default values (`password`, `changeme`,
`admin`: no secret, since everyone tries them first, and left visible so that the reviewer can
flag a weak default); values of names that refer to a secret (`secretName`, `password_file`,
`api_key_env`); UUIDs; hex strings (hashes, commits) unless the line names a secret and no
hash; base64 of images, archives or prose, integrity hashes and identifiers glued together.
`pragma: allowlist secret` is not honoured: a diff's author does not decide what leaves.

Speed: a line is scanned only if it has a gate word or shape (cheap, on the lowercased line) and
then one of the plugins' own patterns matches: together a superset of what the plugins find,
which the tests check. Each distinct line is scanned once. detect-secrets' patterns take
quadratic time on hostile lines, so lines longer than WINDOW are scanned in overlapping windows.

One `Redactor` per run, used from one thread; `scrub` and `ScrubFilter` are thread-safe.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.filters import heuristic
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
    HighEntropyStringsPlugin,
)
from detect_secrets.plugins.keyword import (
    CONFIG_DENYLIST_REGEX_TO_GROUP,
    DENYLIST_REGEX,
    QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
    REGEX_BY_FILETYPE,
    KeywordDetector,
)
from detect_secrets.util.filetype import determine_file_type

from reviewbot.diff import FileDiff

PLACEHOLDER = "«redacted:{kind}»"
PLACEHOLDER_RE = re.compile(r"«redacted:[^«»\r\n]{1,60}»")
PRIVATE_KEY = "Private Key"
MIN_SCRUB_LENGTH = 4  # shorter values are masked in prompts but not hunted for in outputs
WINDOW, OVERLAP = 1024, 256  # long lines are scanned in windows overlapping this much
CONTEXT = 200  # characters on each side of a token that the filters look at
MAX_TOKEN = 4096  # a masked token is widened at most this far each way
MAX_KEY_LINES = 400


# -- detectors detect-secrets 1.5 lacks, in its plugin format ---------------------------------


class AnthropicKeyDetector(RegexBasedDetector):
    secret_type = "Anthropic API Key"
    denylist = (re.compile(r"sk-ant-(?:api|admin|oat)\d\d-[A-Za-z0-9_\-]{40,}"),)


class SkApiKeyDetector(RegexBasedDetector):
    """`sk-` keys of OpenAI and OpenAI-compatible providers: a 24+ character random run."""

    secret_type = "API Key (sk-)"
    denylist = (re.compile(r"(?<![\w-])sk-[A-Za-z0-9_\-]{0,40}?[A-Za-z0-9]{24}"),)


class GoogleApiKeyDetector(RegexBasedDetector):
    secret_type = "Google API Key"
    denylist = (re.compile(r"AIza[0-9A-Za-z_\-]{35}"),)


class MoreTokensDetector(RegexBasedDetector):
    """Token formats newer than detect-secrets 1.5's patterns."""

    secret_type = "Access Token"
    denylist = (
        re.compile(r"github_pat_[A-Za-z0-9_]{50,}"),  # GitHub fine-grained
        re.compile(r"(?<![\w-])npm_[A-Za-z0-9]{36}"),  # npm
        re.compile(r"(?<![\w-])hf_[A-Za-z0-9]{30,}"),  # Hugging Face
        re.compile(r"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+"),  # Slack app-level
        re.compile(r"(?:sk|rk)_test_[0-9a-zA-Z]{24,}"),  # Stripe test mode
    )


class ConnectionStringDetector(RegexBasedDetector):
    secret_type = "Connection String Password"
    denylist = (
        re.compile(r"://:([^\s:/?#\[\]@]{1,256})@"),  # redis://:pw@host (no user name)
        re.compile(  # JDBC, ODBC, ADO.NET, libpq and Azure parameters
            r"(?:^|[?&;\s\"'])(?:password|passwd|pwd|sharedaccesskey|accountkey)="
            r"([^&;\s\"'(),]{1,256})(?=$|[&;\s\"'])",
            re.IGNORECASE,
        ),
        re.compile(r"jdbc:oracle:[a-z]+:@?[^/\s:@\"']{1,64}/([^@\s\"']{1,256})@", re.IGNORECASE),
        re.compile(r"(?<=[\w.\-]):([^\s:@/\"'()]{1,256})@(?:tcp|unix)\("),  # Go `user:pw@tcp(`
    )


class AuthHeaderDetector(RegexBasedDetector):
    """Credentials in an HTTP Authorization header, for any service."""

    secret_type = "Authorization Header"
    denylist = (re.compile(r"\b(?:Bearer|Basic|Token)\s{1,8}([A-Za-z0-9\-._~+/]{20,}=*)"),)


OURS: tuple[type[RegexBasedDetector], ...] = (
    AnthropicKeyDetector,
    SkApiKeyDetector,
    GoogleApiKeyDetector,
    MoreTokensDetector,
    ConnectionStringDetector,
    AuthHeaderDetector,
)
_SKIPPED = {"IPPublicDetector", "PrivateKeyDetector", "KeywordDetector"}


def _regex_plugins() -> list[RegexBasedDetector]:
    """detect-secrets' regex plugins, then ours, then BasicAuth: the order of precedence."""
    theirs = [
        cls()
        for cls in get_mapping_from_secret_type_to_class().values()
        if issubclass(cls, RegexBasedDetector) and cls.__name__ not in _SKIPPED
    ]
    theirs.sort(key=lambda p: (p.secret_type == "Basic Auth Credentials", type(p).__name__))
    return theirs[:-1] + [cls() for cls in OURS] + theirs[-1:]


# -- which rules a file gets ------------------------------------------------------------------

_CONFIG_SUFFIXES = (".env", ".envrc", ".flaskenv", ".sh", ".bash", ".zsh", ".npmrc", ".pypirc")
_CONFIG_NAMES = {"credentials", "containerfile"}
_KEY_SUFFIXES = (".pem", ".key", ".p8", ".ppk", ".asc", ".gpg")
_KEY_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}


@dataclass(frozen=True)
class _Profile:
    name: str  # for the cache
    keyword_rules: Mapping[re.Pattern, int] = dataclasses.field(hash=False, compare=False)
    config: bool  # unquoted `key = value` rules; unquoted values checked for entropy
    entropy: bool  # False in lock files and swagger files, as in detect-secrets
    key_file: bool  # key material is masked even without a BEGIN line


@lru_cache(maxsize=1024)
def _profile(path: str) -> _Profile:
    base = os.path.basename(path).lower()
    env_like = base.startswith((".env", "dockerfile")) or base.endswith(_CONFIG_SUFFIXES)
    if env_like or base in _CONFIG_NAMES:
        rules = CONFIG_DENYLIST_REGEX_TO_GROUP
    else:
        kind = determine_file_type(path)
        rules = REGEX_BY_FILETYPE.get(kind, QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
    config = rules is CONFIG_DENYLIST_REGEX_TO_GROUP
    entropy = not (heuristic.is_lock_file(path) or heuristic.is_swagger_file(path))
    key_file = base.endswith(_KEY_SUFFIXES) or base in _KEY_NAMES
    return _Profile(
        f"{id(rules)}{config:d}{entropy:d}{key_file:d}", rules, config, entropy, key_file
    )


# -- which findings are secrets ---------------------------------------------------------------

_GENERIC = {  # kinds whose value is whatever follows a name: filtered for look-alikes
    KeywordDetector.secret_type,
    ConnectionStringDetector.secret_type,
    AuthHeaderDetector.secret_type,
    "Basic Auth Credentials",
}
_HEURISTICS = (
    heuristic.is_sequential_string,
    heuristic.is_templated_secret,
    heuristic.is_not_alphanumeric_string,
    heuristic.is_prefixed_with_dollar_sign,
)
_PLACEHOLDER_VALUE = re.compile(
    r"""^(?:
        <[^>]*> | \[[^\]]*\] | \{[^}]*\} | \(\s*\) | .*(?:\.\.\.|…).*      # <key>, sk-...
      | (?:your|my|insert|enter|replace|put|add|set)[\w\-.]*             # YOUR_API_KEY
      | [\w\-.]*(?:[_-]here|placeholder|redacted|example)
      | %[-\w]*[sdr] | %\([^)]*\)[sdr] | \{\d*\} | \?+ | :\w+ | @\w+      # %s, {0}, :bind
      | null | none | nil | undefined | true | false | empty | required | optional | todo
      | tbd | fixme | str | string | bytes | secretstr | int
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_DUMMY_VALUES = frozenset(
    """password passwd pass pwd pw secret secrets token secret-token changeme changeit admin root
    test testing example dummy fake foo bar baz qwerty 123456 12345678 letmein default guest
    user username sample demo mysecret mypassword""".split()
)
_REFERENCE = re.compile(  # os.environ["X"], get_secret(), a URL without credentials, a path
    r"^(?:[\w.\-]+[\[(]|https?://[^@\s]*$|(?:/|~/|\./|\.\./|[A-Za-z]:\\)[\w.\-/\\]+$)"
)
_PROSE = re.compile(r"[A-Za-z][a-z]*(?: [A-Za-z][a-z]*)+[.!?:]?|.*(?: \S+){3}")  # words
_SYNTAX = re.compile(r"\s[:=]|[:=]\s")  # `password = ` is an assignment, not a value
_NAME = re.compile(r"""([A-Za-z_][\w.\-]*)["'\]]*\s*(?:[:=!]=?=?|=>|\()\s*[@"'`]?$""")
_NAME_OF_REFERENCE = re.compile(  # secretName, password_file, api_key_env, secret_sha, ...
    r"(?:name|ref|file|path|env|var|variable|id|arn|type|policy|length|len|field|label|prompt"
    r"|url|uri|header|mode|format|provider|source|dir|store|manager|template|pattern|regex"
    r"|count|size|enabled|required|rotation|version|error|message|help|hint|description"
    r"|confirmation|title|text|caption|placeholder|tooltip|question"
    r"|sha|sha1|sha256|sha512|md5|hash|digest|checksum|fingerprint)s?$"
)
_HASH_WORDS = re.compile(
    r"sha|md5|hash|digest|checksum|commit|rev|etag|integrity|fingerprint|crc|blake|\bh1:|\bid\b",
    re.IGNORECASE,
)
_SECRET_WORDS = re.compile(
    r"secret|token|passw|pwd|api_?key|auth|credential|private|session|cookie|signing",
    re.IGNORECASE,
)
_SRI = re.compile(r"^(?:sha(?:1|256|384|512)|md5)-", re.IGNORECASE)  # integrity="sha384-..."
_WORD = re.compile("[A-Z]?[a-z]{3,}")
_URLSAFE = str.maketrans("-_", "+/")
_FILE_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"\x1f\x8b", b"PK\x03\x04")
_FILE_MAGIC += (b"wOF", b"RIFF", b"\x00\x00\x01\x00", b"\x00asm", b"<svg", b"<?xml")


def _keep(plugin: BasePlugin, line: str, start: int, end: int, profile: _Profile) -> bool:
    """Whether the token line[start:end] is a secret: detect-secrets' heuristic filters, then
    ours for generic values and entropy strings, looking only at the text near the token."""
    token = line[start:end]
    near = line[max(0, start - CONTEXT) : end + CONTEXT]
    if (
        PLACEHOLDER_RE.search(token)
        or _is_filler(token)
        or any(f(token) for f in _HEURISTICS)
        or heuristic.is_likely_id_string(token, near, plugin)
    ):
        return False
    if plugin.secret_type in _GENERIC:
        return _keep_generic(plugin.secret_type, line, start, end, profile)
    if isinstance(plugin, HighEntropyStringsPlugin):
        return _keep_entropy(token, near, plugin)
    return True


def _is_filler(value: str) -> bool:
    """`xxxx`, `sk-xxxxxxxxxxxxxxxxxxxxxxxx`, `AKIAXXXXXXXXXXXXXXXX`, `********`."""
    return Counter(value).most_common(1)[0][1] >= 0.6 * len(value)


def _keep_generic(kind: str, line: str, start: int, end: int, profile: _Profile) -> bool:
    value = line[start:end]
    if (
        value.lower() in _DUMMY_VALUES
        or _PLACEHOLDER_VALUE.match(value)
        or _REFERENCE.match(value)
        or _SYNTAX.search(value)
    ):
        return False
    if kind != KeywordDetector.secret_type:
        return True
    name = _NAME.search(line[max(0, start - CONTEXT) : start])
    if name and _NAME_OF_REFERENCE.search(name.group(1).lower().replace("-", "_")):
        return False
    if profile.config:
        return True
    # In code an unquoted value is an expression (`password = cfg.password`), and words are a
    # name or a message (`PRIVATE_KEY = "Private Key"`, `help = "Use at least 12 characters"`).
    return start > 0 and line[start - 1] in "\"'`" and not _PROSE.fullmatch(value)


def _keep_entropy(value: str, near: str, plugin: HighEntropyStringsPlugin) -> bool:
    if heuristic.is_potential_uuid(value):
        return False
    if isinstance(plugin, HexHighEntropyString):
        # Hex strings are hashes far more often than secrets: only those named as secrets.
        return bool(_SECRET_WORDS.search(near)) and not _HASH_WORDS.search(near)
    # Identifiers glued together (`"UnspecifiedMapHashArray..."`: 70% in words of 3+ lowercase
    # letters, as fewer than 1 random key in 10,000 is), integrity hashes, and base64 of files
    # or of prose are not keys.
    wordy = sum(map(len, _WORD.findall(value))) >= 0.7 * len(value)
    return not wordy and not _SRI.match(value) and not _decodes_to_data(value)


def _decodes_to_data(value: str) -> bool:
    """Base64 of an image, font, archive or document, or of text with spaces."""
    text = value.translate(_URLSAFE).rstrip("=")
    try:
        data = base64.b64decode(text[: len(text) // 4 * 4])
    except (binascii.Error, ValueError):
        return False
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in data)
    return data.startswith(_FILE_MAGIC) or (b" " in data and printable >= 0.95 * len(data))


# -- private keys: blocks of lines ------------------------------------------------------------

_KEY_BEGIN = re.compile(
    r"BEGIN (?:(?!END )[A-Z0-9]{1,12} ){0,4}PRIVATE KEY(?: BLOCK)?[ -]{0,10}"
    r"|PuTTY-User-Key-File-\d: .*"
)
_KEY_END = re.compile(r"-{0,10}\s{0,4}END (?:[A-Z0-9]{1,12} ){0,4}PRIVATE KEY")
_KEY_LINE = re.compile(  # a line of a key block, maybe in a string literal: "MIIEow...\n" +
    r"""^\s*(?:[+,]\s*)?["'`]?
    (?P<core>[A-Za-z0-9+/=]+
      | (?:Proc-Type|DEK-Info|Comment|Version|Hash|Charset|Encryption|Public-Lines
           |Private-Lines|Private-MAC|Private-Hash|Key-Derivation|Argon2-[\w-]+):[^"'`]*
    )?
    (?:\\[rn])*["'`]?\s*(?:[+,;)\\]\s*)*$""",
    re.VERBOSE,
)
_SHORT_BODY = re.compile(r"(?=.*[0-9+/=])[A-Za-z0-9+/]{2,}={0,2}")  # not a bare word
_SHORT_LAST = re.compile(r"[A-Za-z0-9+/]{2,}={1,2}")  # the padded last line of a body
_INLINE_NOISE = re.compile(r"\\[rn]|[\s\"'`]")
_INLINE_KEY = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_BODY_LINE = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")  # a PEM/OpenSSH body line in a key file
_Range = tuple[int, int]
_Spans = dict[int, list[tuple[int, int, int]]]  # line index -> [(start, end, which key)]


def _key_spans(lines: Sequence[str], key_file: bool) -> tuple[dict[int, list[_Range]], int]:
    """What to mask, by line index, of every private key in `lines`; and how many keys."""
    spans: _Spans = {}
    key = 0  # keys seen; 0 for material in a key file outside any BEGIN...END
    block = 0  # lines into the current block; 0: outside one
    for i, text in enumerate(lines):
        pos, orphan = 0, None
        if block:
            block = _continue_block(i, text, spans, block, key)
            if block > 0:
                continue
            if block == 0:  # the END is on this line: another key may begin after it
                pos = _KEY_END.search(text).end()  # type: ignore[union-attr]
            block = 0
        begin = _KEY_BEGIN.search(text, pos)
        if not pos and (orphan := _KEY_END.search(text, 0, begin.start() if begin else len(text))):
            key += 1  # an END whose BEGIN is not shown
            _mask_back(lines, i, orphan.start(), spans, key)
        if begin:
            key += 1
            end = _KEY_END.search(text, begin.end())
            if span := _inline(text, begin.end(), end.start() if end else len(text)):
                spans.setdefault(i, []).append((*span, key))
            block = 0 if end else 1
        elif not (pos or orphan) and key_file and (body := _body_line(text)):
            spans[i] = [(*body, 0)]  # key material in a key file, outside BEGIN...END
    keys = {k for found in spans.values() for *_, k in found}
    return {i: [(a, b) for a, b, _ in found] for i, found in spans.items()}, len(keys)


def _body_line(text: str) -> _Range | None:
    body = _BODY_LINE.search(text)
    return body.span() if body and _material(text) else None


def _key_markers(text: str) -> list[_Range]:
    return [m.span() for rx in (_KEY_BEGIN, _KEY_END) for m in rx.finditer(text)]


def _continue_block(i: int, text: str, spans: _Spans, block: int, key: int) -> int:
    """The next state: lines into the block, 0 after its END, -1 if this line is not in it."""
    if end := _KEY_END.search(text):
        if span := _inline(text, 0, end.start()):
            spans[i] = [(*span, key)]
        return 0
    span = _material(text)
    if span is None or block > MAX_KEY_LINES:
        return -1  # not key material: the block is over (a fake BEGIN hides no code)
    if span[1] > span[0]:
        spans[i] = [(*span, key)]
    return block + 1


def _mask_back(lines: Sequence[str], i: int, end: int, spans: _Spans, key: int) -> None:
    """An END whose BEGIN is not shown: mask the key material just above it."""
    if span := _inline(lines[i], 0, end):
        spans[i] = [(*span, key)]
    j = i - 1
    while j >= 0 and j not in spans and (span := _material(lines[j])):
        core = lines[j][span[0] : span[1]]
        if len(core) < 16 and not _SHORT_LAST.fullmatch(core):  # a body line, or the last one
            break
        spans[j] = [(*span, key)]
        j -= 1


def _material(text: str) -> _Range | None:
    """Where a line of a key block holds key material ((0, 0) if blank); None if it is code."""
    m = _KEY_LINE.match(text)
    if m is None:
        return None
    core = m.group("core") or ""
    if core and ":" not in core and len(core) < 16 and not _SHORT_BODY.fullmatch(core):
        return None  # a short bare word (`return`, `pass`) after a BEGIN line is code
    return m.span("core") if core else (0, 0)


def _inline(text: str, start: int, stop: int) -> _Range | None:
    """Key material between BEGIN and END on one line (a JSON key file), or next to one."""
    start += len(text[start:stop]) - len(text[start:stop].lstrip())
    core = _INLINE_NOISE.sub("", text[start:stop])
    return (start, stop) if _INLINE_KEY.fullmatch(core) else None


# -- the gate: lines that cannot hold a secret, found cheaply ---------------------------------

# A line can hold a secret only if it has one of these words (once folded: lowercase, and the
# four other letters re.IGNORECASE matches with ASCII ones) or one of these shapes: every pattern
# of the plugins in _GATED needs one (tests/test_redact.py checks it with strings generated from
# the patterns). Patterns of other plugins (from a newer detect-secrets) join the shapes as they
# are. A line that passes is then tried with each plugin's own pattern.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_DENYLIST = re.compile(DENYLIST_REGEX)  # what KeywordDetector's rules all need, on folded text
_GATE_WORDS = re.compile(
    "|".join(
        re.escape(word)
        for words in (
            "key pass pwd secret contras",  # each word of DENYLIST_REGEX has one
            "token bearer basic aws :// @tcp( @unix( jdbc xox xapp hooks.slack eyj sk- aiza",
            "npm_ hf_ pypi-ag sg. sq0csp- k_live_ k_test_ ghp_ gho_ ghu_ ghs_ ghr_ github_pat_",
            "glpat- gldt- glft- glsoat- glrt- glcbt- glimt- glptt- glagent- gloas- gr1348941",
        )
        for word in words.split()
    )
    + "|cl(?:oudant|ou)?[_-]?(?:api)?pw"  # Cloudant's `cl_pw`
)
_GATE_SHAPES = (
    r"A(?:3T[A-Z0-9]|BIA|CCA|KIA|SIA)[0-9A-Z]{16}",  # AWS
    r"(?:AC|SK)[a-z0-9]{32}",  # Twilio
    r"A(?:KC|P[\dA-F])[A-Za-z0-9]{8}",  # Artifactory (\d: any Unicode digit, as its pattern)
    r"\d{8}:[0-9A-Za-z_-]{35}",  # Telegram
    r"-us\d",  # Mailchimp
    r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}",  # Discord
)
_GATED = frozenset(
    """AWSKeyDetector ArtifactoryDetector AzureStorageKeyDetector BasicAuthDetector
    CloudantDetector DiscordBotTokenDetector GitHubTokenDetector GitLabTokenDetector
    IbmCloudIamDetector IbmCosHmacDetector JwtTokenDetector MailchimpDetector NpmDetector
    OpenAIDetector PypiTokenDetector SendGridDetector SlackDetector SoftlayerDetector
    SquareOAuthDetector StripeDetector TelegramBotTokenDetector TwilioKeyDetector""".split()
) | {cls.__name__ for cls in OURS}


def _gate(
    plugins: Iterable[RegexBasedDetector],
    entropy: Iterable[HighEntropyStringsPlugin],
    *,
    quoted: bool,
) -> re.Pattern:
    """The shapes, the strings the entropy plugins could flag (entropy <= log2(length) bounds
    their length), and the patterns of plugins the gate does not know."""
    quote = "[\"']" if quoted else ""
    shapes = [
        f"{quote}[{re.escape(p.charset)}]{{{math.floor(2**p.entropy_limit) + 1}}}" for p in entropy
    ]
    for plugin in plugins:
        if type(plugin).__name__ not in _GATED:
            for pattern in plugin.denylist:
                flags = "".join(
                    c for f, c in ((re.I, "i"), (re.X, "x"), (re.S, "s")) if pattern.flags & f
                )
                shapes.append(f"(?{flags}:{pattern.pattern})")
    return re.compile("|".join([*_GATE_SHAPES, *shapes]))


# -- the redactor -----------------------------------------------------------------------------

_TOKEN_HEAD = re.compile(f"[A-Za-z0-9_]{{0,{MAX_TOKEN}}}")  # a token goes on this way...
_TOKEN_TAIL = re.compile(f"(?:[A-Za-z0-9_+/=]|-(?!-)){{0,{MAX_TOKEN}}}")  # ...base64 this way
_NOT_BREAKS = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")  # str.splitlines'
_CONFIG_VALUE = re.compile(r"""^\s*(?:export\s+)?[\w.\-]+\s*[=:]\s*([^\s'"#]+)\s*(?:#.*)?$""")


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    rank: int  # the lower wins where spans overlap: specific formats before generic rules
    kind: str


class Redactor:
    """Masks secrets line by line and counts them per file. One per run; not thread-safe.

    The constructor compiles patterns and does no I/O. `prefilter=False` runs every plugin on
    every line: slow, for the tests that check that the gate hides nothing.
    """

    def __init__(self, prefilter: bool = True) -> None:
        regex_plugins = _regex_plugins()
        self._plugins: list[BasePlugin] = [*regex_plugins, KeywordDetector()]
        self._entropy = (Base64HighEntropyString(), HexHighEntropyString())
        self._ranked: list[BasePlugin] = [*self._plugins, *self._entropy]  # by precedence
        self._prefilter = prefilter
        self._gates = {c: _gate(regex_plugins, self._entropy, quoted=not c) for c in (False, True)}
        self._patterns = [p for plugin in regex_plugins for p in plugin.denylist]
        self._cache: dict[str, dict[str, tuple[tuple[int, str], ...]]] = {}
        self._counts: dict[str, Counter[str]] = {}
        self._secrets: dict[str, str] = {}  # value -> kind, for scrub(); never logged

    def __repr__(self) -> str:  # never the values
        return f"Redactor({sum(self.total().values())} secrets masked)"

    # -- masking ----------------------------------------------------------------------------------

    def redact_line(self, path: str, text: str) -> tuple[str, list[str]]:
        """`text` masked, and the kinds masked. A lone line: key blocks need `redact_lines`."""
        lines, kinds = self.redact_lines(path, [text])
        return lines[0], kinds

    def redact_lines(self, path: str, lines: Sequence[str]) -> tuple[list[str], list[str]]:
        """Consecutive lines of one file (a hunk) masked, as many; and the kinds masked."""
        profile = _profile(path)
        key_spans: dict[int, list[_Range]] = {}
        keys = 0
        keyish = profile.key_file or any("PRIVATE KEY" in t or "PuTTY-User" in t for t in lines)
        if keyish:
            key_spans, keys = _key_spans(lines, profile.key_file)
        kinds = [PRIVATE_KEY] * keys  # a key counts once, not once per line
        out = []
        for i, text in enumerate(lines):
            spans = self._spans(profile, text)
            if keyish and spans and (markers := _key_markers(text)):
                # BEGIN and END lines stay as the key blocks saw them
                spans = [s for s in spans if not any(a < s.end and s.start < b for a, b in markers)]
            spans += [_Span(a, b, -1, PRIVATE_KEY) for a, b in key_spans.get(i, ())]
            masked, found = self._apply(text, spans)
            kinds.extend(k for k in found if k != PRIVATE_KEY)
            out.append(masked)
        if kinds:
            self._counts.setdefault(path, Counter()).update(kinds)
        return out, kinds

    def redact_file(self, file: FileDiff) -> FileDiff:
        """The file with its hunks' lines and section headers masked; the same object if clean."""
        hunks, changed = [], False
        for hunk in file.hunks:
            texts, _ = self.redact_lines(file.path, [ln.text for ln in hunk.lines])
            section = self.redact_line(file.path, hunk.section)[0] if hunk.section else ""
            if section == hunk.section and texts == [ln.text for ln in hunk.lines]:
                hunks.append(hunk)
                continue
            changed = True
            lines = tuple(
                ln if t == ln.text else dataclasses.replace(ln, text=t)
                for t, ln in zip(texts, hunk.lines, strict=True)
            )
            hunks.append(dataclasses.replace(hunk, lines=lines, section=section))
        return dataclasses.replace(file, hunks=tuple(hunks)) if changed else file

    # -- what was masked --------------------------------------------------------------------------

    def counts(self) -> dict[str, dict[str, int]]:
        """Secrets masked so far, by path and kind."""
        return {path: dict(c) for path, c in self._counts.items()}

    def total(self) -> Counter[str]:
        return sum(self._counts.values(), Counter())

    def summary(self) -> str | None:
        """One line for the run's notes (paths and kinds, never values), or None."""
        if not self._counts:
            return None
        n = sum(self.total().values())
        files = ", ".join(
            f"{path} ({', '.join(f'{k} {kind}' for kind, k in sorted(c.items()))})"
            for path, c in sorted(self._counts.items())
        )
        return f"masked {n} secret{'s' * (n != 1)} before review in {files}"

    @property
    def secrets(self) -> Mapping[str, str]:
        """The values masked so far (value -> kind), for `scrub`. Never log it."""
        return dict(self._secrets)

    def add_secret(self, value: str, kind: str = "secret") -> None:
        """Have `scrub` hunt for a value the diff did not show, e.g. the run's own API key."""
        if len(value.strip()) >= MIN_SCRUB_LENGTH:
            self._secrets.setdefault(value.strip(), kind)

    def scrub(self, text: str) -> str:
        return scrub(text, dict(self._secrets))  # a copy: other threads may log meanwhile

    # -- one line ---------------------------------------------------------------------------------

    def _spans(self, profile: _Profile, text: str) -> list[_Span]:
        if len(text) <= WINDOW and not self._findings(profile, text):
            return []  # the common case, fast
        masked = [m.span() for m in PLACEHOLDER_RE.finditer(text)] if "«" in text else []
        spans = []
        for offset in range(0, max(1, len(text) - OVERLAP), WINDOW - OVERLAP):
            window = text[offset : offset + WINDOW]
            for rank, value in self._findings(profile, window):
                plugin = self._ranked[rank]
                widen = plugin.secret_type not in _GENERIC  # generic values are whole already
                for start, end in _occurrences(text, value, offset, offset + len(window), widen):
                    if any(a < end and start < b for a, b in masked):
                        continue  # already masked: masking twice changes nothing
                    if _keep(plugin, text, start, end, profile):
                        spans.append(_Span(start, end, rank, plugin.secret_type))
        return spans

    def _findings(self, profile: _Profile, text: str) -> tuple[tuple[int, str], ...]:
        """(rank, value) of what the plugins report for `text`, before filters; once per text."""
        cache = self._cache.setdefault(profile.name, {})
        found = cache.get(text)
        if found is None:
            may = bool(text) and (not self._prefilter or self._could_match(profile, text))
            found = cache[text] = tuple(dict.fromkeys(self._scan(profile, text))) if may else ()
        return found

    def _could_match(self, profile: _Profile, text: str) -> bool:
        """The gate, then each plugin's own patterns: False only if no plugin can match."""
        folded = (text if text.isascii() else text.translate(_FOLD)).lower()
        if not _GATE_WORDS.search(folded) and not self._gates[profile.config].search(text):
            return False
        return (
            _DENYLIST.search(folded) is not None
            or any(p.search(text) for p in self._patterns)
            or any(True for _ in self._entropy_candidates(profile, text))
        )

    def _scan(self, profile: _Profile, text: str) -> Iterable[tuple[int, str]]:
        for rank, plugin in enumerate(self._plugins):
            if isinstance(plugin, KeywordDetector):
                values = _keyword_values(plugin, text, profile.keyword_rules)
            else:
                values = plugin.analyze_string(text)
            yield from ((rank, value) for value in values if value)
        for plugin, value in self._entropy_candidates(profile, text):
            if plugin.calculate_shannon_entropy(value) > plugin.entropy_limit:
                yield len(self._plugins) + (plugin is self._entropy[1]), value

    def _entropy_candidates(
        self, profile: _Profile, text: str
    ) -> Iterable[tuple[HighEntropyStringsPlugin, str]]:
        """Quoted strings (and in config files unquoted values) with enough distinct characters
        to pass the plugin's entropy limit (entropy <= log2 of their number)."""
        if not profile.entropy:
            return
        bare = _CONFIG_VALUE.match(text) if profile.config else None
        for plugin in self._entropy:
            values = list(plugin.analyze_string(text))
            if bare:
                values.extend(plugin.analyze_string(f'"{bare.group(1)}"'))
            yield from ((plugin, v) for v in values if len(set(v)) > 2**plugin.entropy_limit)

    def _apply(self, text: str, spans: list[_Span]) -> tuple[str, list[str]]:
        """`text` with the spans masked (overlapping ones merged); the kinds masked."""
        if not spans:
            return text, []
        merged: list[_Span] = []
        for span in sorted(spans, key=lambda s: (s.start, -s.end)):
            if merged and span.start < merged[-1].end:
                last = merged[-1]
                best = last if last.rank <= span.rank else span
                merged[-1] = _Span(last.start, max(last.end, span.end), best.rank, best.kind)
            else:
                merged.append(span)
        pieces, done = [], 0
        for span in merged:
            value = text[span.start : span.end]
            for part in value.splitlines():
                self.add_secret(part, span.kind)
            mask = _NOT_BREAKS.sub(PLACEHOLDER.format(kind=span.kind), value)
            pieces += [text[done : span.start], mask]
            done = span.end
        return "".join([*pieces, text[done:]]), [s.kind for s in merged]


def _keyword_values(
    plugin: KeywordDetector, text: str, rules: Mapping[re.Pattern, int]
) -> Iterable[str]:
    """KeywordDetector reports the first match of each of its rules: look again after it, so
    that both values of `f(user_password="...", admin_password="...")` are found."""
    start = 0
    for _ in range(16):
        values = [v for v in plugin.analyze_string(text[start:], rules) if v]
        yield from values
        starts = [i for v in values if (i := text.find(v, start)) >= 0]
        if not starts:
            return
        nearest = min(starts)  # a value may hold the next name: `a_pwd="b_pwd"=c`
        start = nearest if nearest > start else start + 1


def _occurrences(text: str, value: str, lo: int, hi: int, widen: bool) -> Iterable[tuple[int, int]]:
    """Where `value` is in text[lo:hi]; if `widen`, each widened on the whole line to the token
    around it (filters judge the whole token: some patterns capture only a prefix, as `ghp`)."""
    value = value.strip(" \t\"'`").lstrip("=:")  # some patterns match the delimiters too
    start = text.find(value, lo, hi) if value else -1
    while start >= 0:
        end = start + len(value)
        if widen:
            head = _TOKEN_HEAD.match(text[max(0, start - MAX_TOKEN) : start][::-1])
            tail = _TOKEN_TAIL.match(text, end)
            start, end = start - (head.end() if head else 0), tail.end() if tail else end
        yield start, end
        start = text.find(value, end, hi)


# -- outputs ----------------------------------------------------------------------------------


def scrub(text: str, known_secrets: Iterable[str]) -> str:
    """`text` with every known secret value replaced by its placeholder.

    For all text going out: findings, summaries, notes, log records, error messages. Values
    shorter than MIN_SCRUB_LENGTH are left alone, and a value is replaced only where it is not
    part of a longer word (the password `hunter` does not mangle `hunters`). `known_secrets`
    may map each value to its kind, as `Redactor.secrets` does.
    """
    values = frozenset(v for v in known_secrets if len(v) >= MIN_SCRUB_LENGTH)
    if not text or not values:
        return text
    kinds = known_secrets if isinstance(known_secrets, Mapping) else {}
    return _scrub_pattern(values).sub(
        lambda m: PLACEHOLDER.format(kind=kinds.get(m.group(0), "secret")), text
    )


@lru_cache(maxsize=16)
def _scrub_pattern(values: frozenset[str]) -> re.Pattern:
    alternatives = []
    for value in sorted(values, key=len, reverse=True):  # the longest first
        before = r"(?<![A-Za-z0-9])" if value[0].isalnum() else ""
        after = r"(?![A-Za-z0-9])" if value[-1].isalnum() else ""
        alternatives.append(before + re.escape(value) + after)
    return re.compile("|".join(alternatives))


class ScrubFilter(logging.Filter):
    """A logging filter that scrubs each record's message (and its traceback text)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redactor.scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.scrub(record.exc_text)
        return True


def has_placeholder(text: str | None) -> bool:
    """Whether `text` holds a placeholder: a suggested fix that would write one into the code."""
    return bool(text) and PLACEHOLDER_RE.search(text or "") is not None
