"""The plugins that find secrets: detect-secrets 1.5's regex plugins and our own.

Ours are in detect-secrets' own plugin format (`RegexBasedDetector`) and cover what 1.5 has no
plugin for: the `sk-` keys of OpenAI-compatible providers, Anthropic and Google API keys, newer
token formats, passwords in connection strings, Authorization headers, secrets in XML and HTML
configuration, passwords on command lines and in `.netrc` entries. IPPublicDetector (an address
is no secret) and PrivateKeyDetector (replaced by `keyblocks`) are left out; KeywordDetector is
run apart, with the rules of each file type (`filetypes`).

A pattern's groups are the values it reports (detect-secrets yields every non-empty group), so
every other group is non-capturing.
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
            r"((?:[^&;\s\"'(),<]|<(?!/)){1,256})(?=$|[&;\s\"']|</)",  # `</`: in XML
            re.IGNORECASE,
        ),
        re.compile(r"jdbc:oracle:[a-z]+:@?[^/\s:@\"']{1,64}/([^@\s\"']{1,256})@", re.IGNORECASE),
        re.compile(r"(?<=[\w.\-]):([^\s:@/\"'()]{1,256})@(?:tcp|unix)\("),  # Go `user:pw@tcp(`
    )


class AuthHeaderDetector(RegexBasedDetector):
    """Credentials in an HTTP Authorization header, for any service."""

    secret_type = "Authorization Header"
    denylist = (re.compile(r"\b(?:Bearer|Basic|Token)\s{1,8}([A-Za-z0-9\-._~+/]{20,}=*)"),)


def _word(*names: str) -> str:
    """One of `names` where a word starts (not in `libmysql` or `x.curl`). The name comes before
    the check, so that `re` skips ahead to it: ten times as fast as a check first."""
    return "(?:" + "|".join(rf"{name}(?<![\w.-]{name})" for name in names) + ")"


_OPTION = r"-(?<![\w-]-)"  # a dash that starts a word: `-p`, `--password`, not `a-password`

# A name for a secret, with a prefix but no suffix: `dbPassword`, `jdbc.password`, `ApiKey` and
# `clientSecret`, but not `passwordFile`, `secretName` or `nextPageToken`.
_SECRET_NAME = (
    r"(?i:[\w.:\-]{0,64}?(?:pass(?:word|wd|phrase)|pwd|secret"
    r"|(?:api|access|account|secret|private|signing|encryption|master)[-_.]?key"
    r"|(?:access|auth|api|session|refresh)[-_.]?token))"
)


class XmlSecretDetector(RegexBasedDetector):
    """Secrets in XML and HTML configuration: `<password>v</password>` (Maven `settings.xml`,
    also its `{encrypted}` form), `<add key="Password" value="v"/>` (web.config),
    `<property name="password" value="v"/>` and `<prop key="password">v</prop>` (Spring).
    Attributes named for a secret (`password="v"`) are KeywordDetector's, and connection
    strings (`<connectionString>`) ConnectionStringDetector's and BasicAuth's."""

    secret_type = "XML Config Secret"
    denylist = (
        re.compile(
            rf"<{_SECRET_NAME}(?:\s[^<>]{{0,200}})?>\s*"
            r"(?:\{([A-Za-z0-9+/]{16,}={0,2})\}|([^<>\s]{1,256}))"
            rf"\s*</{_SECRET_NAME}>"
        ),
        re.compile(
            rf"{_word('key', 'name')}\s*=\s*[\"']{_SECRET_NAME}[\"']"
            r"""(?:\s+value\s*=\s*(?:"([^"<>\s]{1,256})"|'([^'<>\s]{1,256})')"""
            r"|\s*>\s*(?:<value>([^<>\s]{1,256})</value>|([^<>\s]{1,256})</(?:prop|entry)>))"
        ),
    )


_ARG_CHAR = r"""[^\s"'`;|&<>()\[\]{}]"""  # of an unquoted argument
_ARG = (  # an argument: quoted (but not `" + pw + "`, code around a string), or not
    rf"""(?:"(?!\s)([^"\n]{{1,256}})(?<!\s)"|'(?!\s)([^'\n]{{1,256}})(?<!\s)'"""
    rf"|({_ARG_CHAR}{{1,256}}))"
)
# After a blank, a lowercase word is prose (`pass --password and ...`) or a name, not a password
_SPACED = rf"\s+(?!-)(?![a-z_]+(?!{_ARG_CHAR}))"
_SAME_COMMAND = r"(?:\.exe)?\s(?:[^|;&\n]{0,300}?\s)?"  # a command's name to one of its options
_PASSWORD = "(?:password|passwd|passphrase)"


class CommandLinePasswordDetector(RegexBasedDetector):
    """Passwords given as command-line options: `--password=v`, `-Dx.password=v`, `--password v`,
    `-e DB_PASSWORD=v`, `--set auth.password=v`, `mysql -pv`, `sshpass -p v`, `docker login -p v`,
    `mongosh -p v`, `redis-cli -a v`, `curl -u user:v`, `keytool -storepass v`,
    `openssl -passin pass:v`, `ssh-keygen -N v`. `mysql -p` alone prompts; `--password-stdin` and
    `--password-file` name no value, and a lowercase word after a blank is prose."""

    secret_type = "Command-Line Password"
    denylist = (
        re.compile(  # and a key an option sets: `-e DB_PASSWORD=v`, `--from-literal=password=v`
            rf"{_OPTION}-?(?:\w[\w.\-]{{0,64}}?(?:[=\s]\s*[\w.\-]{{0,64}}?)?)?{_PASSWORD}={_ARG}",
            re.IGNORECASE,
        ),
        re.compile(
            rf"{_OPTION}-?(?:(?:db|registry|proxy|http|admin|root|bind|keystore|truststore)-)?"
            rf"{_PASSWORD}{_SPACED}(?!(?:pass|env|file|fd):){_ARG}"
        ),
        re.compile(
            rf"(?:{_word('mysql')}(?:dump|admin|import|check|show|pump|slap|binlog|sh)?"
            rf"|{_word('mariadb')}(?:-dump|-admin|-import|-check|-show)?){_SAME_COMMAND}-p{_ARG}"
        ),
        re.compile(
            rf"(?:{_word('sshpass')}|{_word('mongo')}(?:sh|dump|restore|import|export|stat|top)?"
            rf"|{_word('docker', 'podman', 'buildah', 'nerdctl', 'skopeo', 'oras', 'helm')}"
            rf"(?:\s+registry)?\s+login){_SAME_COMMAND}-p(?:{_SPACED})?{_ARG}"
        ),
        re.compile(rf"{_word('redis-cli')}{_SAME_COMMAND}(?:-a|--pass){_SPACED}{_ARG}"),
        re.compile(rf"{_word('ssh-keygen')}{_SAME_COMMAND}-[NP](?:{_SPACED})?{_ARG}"),
        re.compile(
            rf"{_word('curl')}{_SAME_COMMAND}(?:-[uU]\s*|--(?:proxy-)?user(?:\s+|=))"
            r"""(?:"[^"\s:]{0,256}:([^"\n]{1,256})"|'[^'\s:]{0,256}:([^'\n]{1,256})'"""
            rf"""|[^\s"':]{{0,256}}:({_ARG_CHAR}{{1,256}}))"""
        ),
        re.compile(rf"{_OPTION}(?:src|dest|new)?(?:store|key)pass{_SPACED}{_ARG}"),
        re.compile(
            rf"{_OPTION}pass(?:in|out|word)?\s+"
            rf"""(?:"pass:([^"\n]{{1,256}})"|'pass:([^'\n]{{1,256}})'|pass:({_ARG_CHAR}{{1,256}}))"""
        ),
    )


_NETRC_SEP = r"(?:\s|\\n)+"  # blanks, or `\n` in a printf format
_NETRC_WORD = r"[^\s\\]{1,256}"
_NETRC_VALUE = r"""[^\s\\"'`]"""


class NetrcDetector(RegexBasedDetector):
    """A `.netrc` entry on one line, in any file: `machine h login u password v` (also written
    with `\\n`, by printf). Not after `login anonymous` (an email address, by custom), nor a
    lowercase word (`a default login and password to ...` is prose). In `.netrc` files a rule
    finds `password v` on any line."""

    secret_type = "Netrc Password"
    denylist = (
        re.compile(
            rf"(?:{_word('machine')}{_NETRC_SEP}{_NETRC_WORD}|{_word('default')}){_NETRC_SEP}"
            rf"login{_NETRC_SEP}(?!anonymous{_NETRC_SEP}){_NETRC_WORD}"
            rf"(?:{_NETRC_SEP}(?:account|port){_NETRC_SEP}{_NETRC_WORD}){{0,2}}"
            rf"{_NETRC_SEP}password{_NETRC_SEP}(?![a-z_]+(?!{_NETRC_VALUE}))({_NETRC_VALUE}{{1,256}})"
        ),
    )


OURS: tuple[type[RegexBasedDetector], ...] = (
    AnthropicKeyDetector,
    SkApiKeyDetector,
    GoogleApiKeyDetector,
    MoreTokensDetector,
    ConnectionStringDetector,
    AuthHeaderDetector,
    XmlSecretDetector,
    CommandLinePasswordDetector,
    NetrcDetector,
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
