"""Which rules a file gets, by its name.

`.env*`, shell scripts, Dockerfiles, `credentials`, `.npmrc` and `.pypirc` get the unquoted
`key = value` rules detect-secrets keeps for YAML/INI/properties/TOML (in all of those an
unquoted value is checked for entropy too); other files get detect-secrets' rules for their type.
Lock files and swagger files get no entropy checks, as in detect-secrets; in key files (`*.pem`,
`id_rsa`, ...) key material is masked even without a BEGIN line.
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
    QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
    REGEX_BY_FILETYPE,
)
from detect_secrets.util.filetype import determine_file_type

_CONFIG_SUFFIXES = (".env", ".envrc", ".flaskenv", ".sh", ".bash", ".zsh", ".npmrc", ".pypirc")
_CONFIG_NAMES = {"credentials", "containerfile"}
_KEY_SUFFIXES = (".pem", ".key", ".p8", ".ppk", ".asc", ".gpg")
_KEY_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}


@dataclass(frozen=True)
class Profile:
    name: str  # for the cache
    keyword_rules: Mapping[re.Pattern, int] = dataclasses.field(hash=False, compare=False)
    config: bool  # unquoted `key = value` rules; unquoted values checked for entropy
    entropy: bool  # False in lock files and swagger files, as in detect-secrets
    key_file: bool  # key material is masked even without a BEGIN line


@lru_cache(maxsize=1024)
def profile_for(path: str) -> Profile:
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
    return Profile(
        f"{id(rules)}{config:d}{entropy:d}{key_file:d}", rules, config, entropy, key_file
    )
