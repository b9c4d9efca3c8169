"""The plugins that find secrets: detect-secrets 1.5's regex plugins and our own.

Ours are in detect-secrets' own plugin format (`RegexBasedDetector`) and cover what 1.5 has no
plugin for: the `sk-` keys of OpenAI-compatible providers, Anthropic and Google API keys, newer
token formats, passwords in connection strings and Authorization headers. IPPublicDetector (an
address is no secret) and PrivateKeyDetector (replaced by `keyblocks`) are left out;
KeywordDetector is run apart, with the rules of each file type (`filetypes`).
"""

from __future__ import annotations

import re

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.plugins.base import RegexBasedDetector

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


def regex_plugins() -> list[RegexBasedDetector]:
    """detect-secrets' regex plugins, then ours, then BasicAuth: the order of precedence."""
    theirs = [
        cls()
        for cls in get_mapping_from_secret_type_to_class().values()
        if issubclass(cls, RegexBasedDetector) and cls.__name__ not in _SKIPPED
    ]
    theirs.sort(key=lambda p: (p.secret_type == "Basic Auth Credentials", type(p).__name__))
    return theirs[:-1] + [cls() for cls in OURS] + theirs[-1:]
