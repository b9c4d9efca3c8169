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
  (`redis://:pw@`, `?password=`, `;Password=`, also in `<connectionString>`, Oracle
  `user/pw@`, Go `user:pw@tcp(`, Azure `SharedAccessKey=`; `user:pw@host` URLs are
  detect-secrets' BasicAuthDetector);
- secrets in XML and HTML configuration: `<password>v</password>` and elements like it
  (`<passphrase>`, `<apiKey>`, `<clientSecret>`, `<db.password>`; Maven's `{encrypted}` form
  too), `<add key="Password" value="v"/>` (web.config), Spring's `<property name="password"
  value="v"/>` and `<prop key="password">v</prop>`; `password="v"` attributes are keywords;
- passwords on command lines: `--password=v`, `--password v`, `-Dx.password=v`,
  `-e DB_PASSWORD=v`, `--from-literal=password=v`, `mysql -pv`, `sshpass -p v`,
  `docker login -p v`, `mongosh -p v`, `redis-cli -a v`, `curl -u user:v`,
  `keytool -storepass v`, `openssl -passin pass:v`, `ssh-keygen -N v`;
- `.netrc` entries: `machine h login u password v` on one line in any file, and in `.netrc`
  and `_netrc` files `password v` on any line of an entry;
- per file type: detect-secrets' keyword rules, with `passphrase` added to its words
  (`GPG_PASSPHRASE=v`, `passphrase: v`). `.env*`, shell scripts, Dockerfiles, `credentials`,
  `.npmrc` and `.pypirc` get the unquoted `key = value` rules detect-secrets keeps for
  YAML/INI/properties/TOML, and in all of those an unquoted value is checked for entropy too;
  Gradle and Groovy files get `storePassword "v"` and `keyPassword 'v'` (calls without
  parentheses). An unquoted value glued to `--option=` (anywhere) or to `NAME=` (in shell
  scripts and Dockerfiles) ends at the first blank, as the shell splits it: `PGPASSWORD=v psql`;
- private keys: every line of a `BEGIN ... PRIVATE KEY` (or PuTTY) block up to its END, also
  when a hunk shows only the END, and key material in key files (`*.pem`, `id_rsa`, ...). A
  block ends at the first line that is not key material: a fake BEGIN line hides no code.

Not masked, on purpose (the look-alikes in tests/data/secrets/lookalikes): templates, references
and placeholders (`${X}`, `os.environ["X"]`, `<your-key>`, `YOUR_API_KEY`, `sk-...`, `xxx`,
`%s`, and the token-replacement markers `@x@`, `%X%`, `#{X}#`, `__X__`); filler
(`ghp_xxxx...`); well-known dummy and default values (`password`, `changeme`, `admin`: no
secret, since everyone tries them first, and left visible so that the reviewer can flag a weak
default), booleans (`yes`, `off`) and values made of letters that only name the thing
(`repopwd`, `proxypass`, `DB_PASSWORD`); values of names that refer to a secret (`secretName`,
`password_file`, `api_key_env`, `<passwordFile>`); options without a value: `mysql -p` (it
prompts), `--password-stdin`, `--password-file`, `--no-password`, ports (`-p 8080`), and after
a blank a lowercase word (`pass --password and ...`) or a metavar (`--password TEXT`); code
that builds a command around a variable (`"-p" + password`, `f"--password={pw}"`); UUIDs; hex
strings (hashes, commits) unless the line names a secret and no hash; base64 of images,
archives or prose, integrity hashes and identifiers glued together. `pragma: allowlist secret`
is not honoured: a diff's author does not decide what leaves.

Speed: a line is scanned only if it has a gate word or shape (cheap, on the lowercased line) and
then one of the plugins' own patterns matches: together a superset of what the plugins find,
which the tests check. Each distinct line is scanned once. detect-secrets' patterns take
quadratic time on hostile lines, so lines longer than WINDOW are scanned in overlapping windows.

One `Redactor` per run, used from one thread; `scrub` and `ScrubFilter` are thread-safe.

The modules, in the order a line meets them:
- `redactor`: `Redactor`, which masks hunks and files and counts what it masked;
- `filetypes`: which rules a file gets, by its name, and our keyword words (`KEYWORDS`);
- `gate`: the cheap check that decides which lines are scanned at all;
- `scan`: what the plugins find in one line, in windows, cached;
- `detectors`: detect-secrets' regex plugins and ours (`OURS`), in order of precedence;
- `filters`: which of those findings are secrets, and which look-alikes;
- `keyblocks`: private keys, across lines;
- `scrubbing`: the placeholder, `scrub`, `ScrubFilter` and `has_placeholder`.
"""

from reviewbot.redact.detectors import (
    OURS,
    AnthropicKeyDetector,
    AuthHeaderDetector,
    CommandLinePasswordDetector,
    ConnectionStringDetector,
    GoogleApiKeyDetector,
    MoreTokensDetector,
    NetrcDetector,
    SkApiKeyDetector,
    XmlSecretDetector,
)
from reviewbot.redact.filetypes import KEYWORDS
from reviewbot.redact.filters import CONTEXT
from reviewbot.redact.keyblocks import MAX_KEY_LINES, PRIVATE_KEY
from reviewbot.redact.redactor import Redactor
from reviewbot.redact.scan import MAX_TOKEN, OVERLAP, WINDOW
from reviewbot.redact.scrubbing import (
    MIN_SCRUB_LENGTH,
    PLACEHOLDER,
    PLACEHOLDER_RE,
    ScrubFilter,
    has_placeholder,
    scrub,
)

__all__ = [
    "CONTEXT",
    "KEYWORDS",
    "MAX_KEY_LINES",
    "MAX_TOKEN",
    "MIN_SCRUB_LENGTH",
    "OURS",
    "OVERLAP",
    "PLACEHOLDER",
    "PLACEHOLDER_RE",
    "PRIVATE_KEY",
    "WINDOW",
    "AnthropicKeyDetector",
    "AuthHeaderDetector",
    "CommandLinePasswordDetector",
    "ConnectionStringDetector",
    "GoogleApiKeyDetector",
    "MoreTokensDetector",
    "NetrcDetector",
    "Redactor",
    "ScrubFilter",
    "SkApiKeyDetector",
    "XmlSecretDetector",
    "has_placeholder",
    "scrub",
]
