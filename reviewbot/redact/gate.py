"""The gate: which lines are worth running the plugins on, decided cheaply.

A line can hold a secret only if it has one of the gate words (once folded: lowercase, and the
four other letters re.IGNORECASE matches with ASCII ones) or one of the shapes: every pattern of
the plugins in _GATED needs one (tests/test_redact.py checks it with strings generated from the
patterns). Patterns of other plugins (from a newer detect-secrets) join the shapes as they are,
and so do the strings the entropy plugins could flag. A line that passes is then tried with each
plugin's own pattern and the entropy plugins' bound on distinct characters; only a line that
could match is scanned (`scan`). Together the checks are a superset of what the plugins find,
so the gate hides nothing: `prefilter=False` skips it, for the tests that check that.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

from reviewbot.redact.detectors import OURS
from reviewbot.redact.filetypes import KEYWORDS, Profile

_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_DENYLIST = re.compile(KEYWORDS)  # what KeywordDetector's rules all need, on folded text
_GATE_WORDS = re.compile(
    "|".join(
        re.escape(word)
        for words in (
            "key pass pwd secret contras",  # each word of KEYWORDS has one
            "token bearer basic aws :// @tcp( @unix( jdbc xox xapp hooks.slack eyj sk- aiza",
            "npm_ hf_ pypi-ag sg. sq0csp- k_live_ k_test_ ghp_ gho_ ghu_ ghs_ ghr_ github_pat_",
            "glpat- gldt- glft- glsoat- glrt- glcbt- glimt- glptt- glagent- gloas- gr1348941",
        )
        for word in words.split()
    )
    + "|cl(?:oudant|ou)?[_-]?(?:api)?pw"  # Cloudant's `cl_pw`
    + r"|-[pau](?<=\s-[pau])|--(?:proxy-)?user"  # `mysql -pv`, `redis-cli -a v`, `curl -u u:v`
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
_CONFIG_VALUE = re.compile(  # `KEY=value` in a config file: the value is checked unquoted too
    r"""^\s*(?:export\s+)?[\w.\-]+\s*[=:]\s*([^\s'"#]+)\s*(?:#.*)?$"""
)


class Gate:
    """The cheap checks in front of the plugins. The constructor compiles; no I/O."""

    def __init__(
        self, plugins: Sequence[RegexBasedDetector], entropy: Sequence[HighEntropyStringsPlugin]
    ) -> None:
        self._entropy = entropy
        self._shapes = {c: _shapes(plugins, entropy, quoted=not c) for c in (False, True)}
        self._patterns = [p for plugin in plugins for p in plugin.denylist]

    def could_match(self, profile: Profile, text: str) -> bool:
        """The gate, then each plugin's own patterns: False only if no plugin can match."""
        folded = (text if text.isascii() else text.translate(_FOLD)).lower()
        if not _GATE_WORDS.search(folded) and not self._shapes[profile.config].search(text):
            return False
        return (
            _DENYLIST.search(folded) is not None
            or any(p.search(text) for p in self._patterns)
            or any(True for _ in entropy_candidates(self._entropy, profile, text))
        )


def entropy_candidates(
    plugins: Iterable[HighEntropyStringsPlugin], profile: Profile, text: str
) -> Iterable[tuple[HighEntropyStringsPlugin, str]]:
    """Quoted strings (and in config files unquoted values) with enough distinct characters
    to pass the plugin's entropy limit (entropy <= log2 of their number)."""
    if not profile.entropy:
        return
    bare = _CONFIG_VALUE.match(text) if profile.config else None
    for plugin in plugins:
        values = list(plugin.analyze_string(text))
        if bare:
            values.extend(plugin.analyze_string(f'"{bare.group(1)}"'))
        yield from ((plugin, v) for v in values if len(set(v)) > 2**plugin.entropy_limit)


def _shapes(
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
