"""Which findings are secrets: the filters a value passes before it is masked.

detect-secrets' heuristic filters come first (sequential, templated, non-alphanumeric and
`$`-prefixed strings, ids), then ours. Generic values (whatever follows a name: keywords,
connection strings, Authorization headers, XML values, command-line options, `.netrc` entries,
Basic Auth) must not be a placeholder (`<your-key>`, `YOUR_API_KEY`, `sk-...`, `%s`, `@x@`), a
boolean, a well-known dummy or default (`changeme`, `admin`), letters that name the thing
(`repopwd`, `DB_PASSWORD`), a reference (`os.environ["X"]`, a path) or the value of a name that
refers to a secret (`secretName`, `password_file`); in code a keyword value must be quoted and
not prose, and on a command line a value must not be a metavar (`--password TEXT`). Hex
strings count only where the line names a secret and no hash; base64 strings must not be glued
words, integrity hashes or base64 of files or prose. Filler (`ghp_xxxx...`) and anything already
masked are never secrets. Only the text within CONTEXT characters of the value is looked at.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter

from detect_secrets.filters import heuristic
from detect_secrets.plugins.base import BasePlugin
from detect_secrets.plugins.high_entropy_strings import (
    HexHighEntropyString,
    HighEntropyStringsPlugin,
)
from detect_secrets.plugins.keyword import KeywordDetector

from reviewbot.redact.detectors import (
    AuthHeaderDetector,
    CommandLinePasswordDetector,
    ConnectionStringDetector,
    NetrcDetector,
    XmlSecretDetector,
)
from reviewbot.redact.filetypes import Profile
from reviewbot.redact.scrubbing import PLACEHOLDER_RE

CONTEXT = 200  # characters on each side of a token that the filters look at

GENERIC = {  # kinds whose value is whatever follows a name: filtered for look-alikes
    KeywordDetector.secret_type,
    ConnectionStringDetector.secret_type,
    AuthHeaderDetector.secret_type,
    XmlSecretDetector.secret_type,
    CommandLinePasswordDetector.secret_type,
    NetrcDetector.secret_type,
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
      | @[\w.\-]+@ | %[\w.\-]+% | \#\{[^}]*\}\#? | __[\w.\-]+__    # @x@, %X%, #{X}#, __X__
      | null | none | nil | undefined | true | false | empty | required | optional | todo
      | tbd | fixme | str | string | bytes | secretstr | int | yes | no | on | off
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_DUMMY_VALUES = frozenset(
    """password passwd pass pwd pw secret secrets token secret-token changeme changeit admin root
    test testing example dummy fake foo bar baz qwerty 123456 12345678 letmein default guest
    user username sample demo mysecret mypassword""".split()
)
_NAMES_ITSELF = re.compile(  # `repopwd`, `proxypass`, `DB_PASSWORD`: letters naming the thing
    r"[A-Za-z_.\-]*(?:pass|pwd|secret|token)[A-Za-z_.\-]*", re.IGNORECASE
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
_METAVAR = re.compile("[A-Z][A-Z_]*")
_URLSAFE = str.maketrans("-_", "+/")
_FILE_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"\x1f\x8b", b"PK\x03\x04")
_FILE_MAGIC += (b"wOF", b"RIFF", b"\x00\x00\x01\x00", b"\x00asm", b"<svg", b"<?xml")


def keep(plugin: BasePlugin, line: str, start: int, end: int, profile: Profile) -> bool:
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
    if plugin.secret_type in GENERIC:
        return _keep_generic(plugin.secret_type, line, start, end, profile)
    if isinstance(plugin, HighEntropyStringsPlugin):
        return _keep_entropy(token, near, plugin)
    return True


def _is_filler(value: str) -> bool:
    """`xxxx`, `sk-xxxxxxxxxxxxxxxxxxxxxxxx`, `AKIAXXXXXXXXXXXXXXXX`, `********`."""
    return Counter(value).most_common(1)[0][1] >= 0.6 * len(value)


def _keep_generic(kind: str, line: str, start: int, end: int, profile: Profile) -> bool:
    value = line[start:end]
    if (
        value.lower() in _DUMMY_VALUES
        or _NAMES_ITSELF.fullmatch(value)
        or _PLACEHOLDER_VALUE.match(value)
        or _REFERENCE.match(value)
        or _SYNTAX.search(value)
    ):
        return False
    if kind == CommandLinePasswordDetector.secret_type:
        return not _METAVAR.fullmatch(value)  # a metavar: `--password TEXT`, `-p VALUE`
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
