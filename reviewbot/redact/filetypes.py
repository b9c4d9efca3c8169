"""Which rules a file gets, by its name.

The keyword rules are detect-secrets' with `passphrase` added to its words (KEYWORDS), so that
`GPG_PASSPHRASE=v` and `passphrase: v` are found as `password: v` is. `.env*`, shell scripts,
Dockerfiles, `credentials`, `.npmrc` and `.pypirc` get the unquoted `key = value` rules
detect-secrets keeps for YAML/INI/properties/TOML (in all of those an unquoted value is checked
for entropy too); Gradle and Groovy files also get `storePassword "v"` (a call without
parentheses, on a line of its own); `.netrc` files get `password v` on any line; other files get
detect-secrets' rules for their type. In shell scripts and Dockerfiles an unquoted value ends at
the first blank, as the shell splits it. Lock files and swagger files get no entropy checks, as
in detect-secrets; in key files (`*.pem`, `id_rsa`, ...) key material is masked even without a
BEGIN line.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from detect_secrets.filters import heuristic
from detect_secrets.plugins.keyword import (
    CONFIG_DENYLIST_REGEX_TO_GROUP,
    DENYLIST,
    DENYLIST_REGEX,
    QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
    REGEX_BY_FILETYPE,
    SECRET,
)
from detect_secrets.util.filetype import determine_file_type

_SHELL_SUFFIXES = (".sh", ".bash", ".zsh", ".envrc")
_CONFIG_SUFFIXES = (".env", ".flaskenv", ".npmrc", ".pypirc", *_SHELL_SUFFIXES)
_CONFIG_NAMES = {"credentials", "containerfile"}
_DSL_SUFFIXES = (".gradle", ".groovy")
_NETRC_NAMES = {".netrc", "_netrc", "netrc"}
_KEY_SUFFIXES = (".pem", ".key", ".p8", ".ppk", ".asc", ".gpg")
_KEY_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}

Rules = Mapping[re.Pattern, int]  # KeywordDetector's: a pattern, and the group of its value
KEYWORDS = r"({})\w*".format("|".join((*DENYLIST, "passphrase")))  # DENYLIST_REGEX, and more


def _ours(rules: Rules) -> dict[re.Pattern, int]:
    """detect-secrets' rules, with KEYWORDS for its words."""
    return {
        re.compile(p.pattern.replace(DENYLIST_REGEX, KEYWORDS), p.flags): g
        for p, g in rules.items()
    }


_CONFIG_RULES = _ours(CONFIG_DENYLIST_REGEX_TO_GROUP)
_QUOTES_RULES = _ours(QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
_RULES_BY_FILETYPE = {
    kind: _CONFIG_RULES if rules is CONFIG_DENYLIST_REGEX_TO_GROUP else _ours(rules)
    for kind, rules in REGEX_BY_FILETYPE.items()
}
_DSL_RULES = {  # Gradle's `storePassword "v"`, `keyPassword 'v'`, `password "v"`
    **_QUOTES_RULES,
    re.compile(rf"^\s*\w*?{KEYWORDS}\s+([\"'])({SECRET})(\2)\s*(?://.*)?$", re.IGNORECASE): 3,
}
_NETRC_RULES = {re.compile(r"(?:^|\s)password\s+([^\s\"'`]+)"): 1}  # across lines


@dataclass(frozen=True)
class Profile:
    name: str  # for the cache
    keyword_rules: Rules = dataclasses.field(hash=False, compare=False)
    config: bool  # unquoted `key = value` rules; unquoted values checked for entropy
    entropy: bool  # False in lock files and swagger files, as in detect-secrets
    key_file: bool  # key material is masked even without a BEGIN line
    shell: bool  # an unquoted value ends at the first blank


@lru_cache(maxsize=1024)
def profile_for(path: str) -> Profile:
    base = os.path.basename(path).lower()
    shell = base.startswith(("dockerfile", "containerfile")) or base.endswith(_SHELL_SUFFIXES)
    if shell or base.startswith(".env") or base.endswith(_CONFIG_SUFFIXES) or base in _CONFIG_NAMES:
        rules = _CONFIG_RULES
    elif base in _NETRC_NAMES or base.endswith(".netrc"):
        rules = _NETRC_RULES
    elif base.endswith(_DSL_SUFFIXES):
        rules = _DSL_RULES
    else:
        rules = _RULES_BY_FILETYPE.get(determine_file_type(path), _QUOTES_RULES)
    config = rules is _CONFIG_RULES or rules is _NETRC_RULES
    entropy = not (heuristic.is_lock_file(path) or heuristic.is_swagger_file(path))
    key_file = base.endswith(_KEY_SUFFIXES) or base in _KEY_NAMES
    flags = f"{config:d}{entropy:d}{key_file:d}{shell:d}"
    return Profile(f"{id(rules)}{flags}", rules, config, entropy, key_file, shell)
