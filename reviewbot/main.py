"""The command line: `reviewbot FILE...`, `--diff PATCH`, `--base REF`, `--github`.

`main(argv) -> int` is the one entry point; expected failures (`ReviewbotError`) become one line
on stderr and their exit code here, and nowhere else.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewbot import __version__, sources
from reviewbot.config import (
    CLI_SETTINGS,
    Config,
    build_config,
    find_config_file,
    read_config_text,
)
from reviewbot.errors import EXIT_BUG, ReviewbotError, UsageError
from reviewbot.github import actions
from reviewbot.pipeline import endpoint_for, exit_code, plan_review, run_review, show_plan
from reviewbot.providers import PRESETS, api_key
from reviewbot.publish import RENDERERS, sarif
from reviewbot.redact import Redactor, ScrubFilter

log = logging.getLogger("reviewbot")

EPILOG = """\
exit codes:
  0  reviewed (with or without findings)
  1  a finding at or above --fail-on
  2  usage, configuration or input error (a missing API key included)
  3  the model could not be reached or answered nothing usable for any chunk,
     or the run had to stop (key refused, quota used up)
  4  the GitHub API refused a request
  5  some chunks failed; the others were reviewed and reported
  70 an internal error (a bug in reviewbot; the traceback is printed)

examples:
  reviewbot app.py                        review a whole file
  git diff main | reviewbot --diff -      review a patch from stdin
  reviewbot --base origin/main            review the working tree against a ref
  reviewbot --dry-run app.py              the plan and price, no API key needed
  reviewbot --github --repo o/r --pr 7    review a pull request and post the review
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="reviewbot",
        description="Review code changes with any OpenAI-compatible model.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="files to review as a whole")
    src = p.add_argument_group("what to review (one of)")
    src.add_argument("--diff", metavar="PATCH", help="a unified diff file, or - for stdin")
    src.add_argument("--base", metavar="REF", help="the working tree's changes against REF")
    src.add_argument(
        "--github",
        action="store_true",
        help="review a GitHub pull request and post the review (in Actions: the "
        "event's pull request)",
    )
    gh = p.add_argument_group("GitHub (with --github)")
    gh.add_argument("--repo", metavar="OWNER/NAME", help="repository (GITHUB_REPOSITORY)")
    gh.add_argument("--pr", type=int, metavar="N", help="pull request number (from the event)")
    gh.add_argument(
        "--full-review",
        action="store_true",
        help="review the whole pull request, not only what changed since the last review",
    )
    model = p.add_argument_group("model")
    model.add_argument("--provider", choices=sorted(PRESETS), help="provider preset (openai)")
    model.add_argument("--model", help="model name (the preset's default)")
    model.add_argument("--base-url", help="OpenAI-compatible API base URL")
    model.add_argument("--concurrency", type=int, metavar="N", help="parallel requests (4)")
    model.add_argument(
        "--chunk-tokens",
        type=int,
        metavar="N",
        help="token budget of one request (min(16384, context window))",
    )
    model.add_argument("--stream", action="store_true", default=None, help="stream answers")
    review = p.add_argument_group("review")
    review.add_argument(
        "--strictness", choices=["relaxed", "balanced", "strict"], help="what to report (balanced)"
    )
    review.add_argument("--min-score", type=int, metavar="N", help="lowest score reported (1-10)")
    review.add_argument(
        "--fail-on",
        choices=["critical", "major", "minor", "nit", "none"],
        help="exit 1 on a finding of this severity or worse (none)",
    )
    review.add_argument("--language", metavar="LANG", help="language of the comments (en)")
    review.add_argument(
        "--no-self-check",
        dest="self_check",
        action="store_false",
        default=None,
        help="skip the second pass that confirms findings",
    )
    review.add_argument("--config", metavar="PATH", help="config file (default: discovered)")
    out = p.add_argument_group("output")
    out.add_argument(
        "--format", choices=sorted(RENDERERS), default="text", help="output format (text)"
    )
    out.add_argument("--sarif", metavar="PATH", help="also write a SARIF 2.1.0 file")
    out.add_argument(
        "--no-cache",
        action="store_true",
        help="ignore the result cache (cache_dir); review every chunk again",
    )
    out.add_argument(
        "--dry-run",
        action="store_true",
        help="show the chunks, skipped files, tokens and price; call no model",
    )
    out.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    out.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    out.add_argument("-v", "--verbose", action="store_true", help="say more on stderr")
    p.add_argument("--version", action="version", version=f"reviewbot {__version__}")
    return p


def load_config(args: argparse.Namespace, root: Path) -> tuple[Config, Path]:
    """Defaults, then the config file, then the command line. Returns the config's folder."""
    path = Path(args.config) if args.config else find_config_file(root)
    values: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise UsageError(f"config file {path}: cannot read it ({err.strerror})") from None
        values = read_config_text(path.name, text)
        source = str(path)
        root = path.parent.parent if path.parent.name == ".github" else path.parent
    cli = {key: getattr(args, key) for key in CLI_SETTINGS}
    return build_config(values, cli, source), root


def setup_logging(verbose: bool, redactor: Redactor | None = None) -> None:
    """Our messages on stderr as `reviewbot: ...`; PyGithub's own (it installs a handler on
    import, bound to the stderr of that moment) go through the same handler, warnings only.
    With a redactor, every record is scrubbed of the secrets it masked and of the keys."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("reviewbot: %(message)s"))
    if redactor is not None:
        handler.addFilter(ScrubFilter(redactor))
    for name in ("reviewbot", "github"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("github").setLevel(logging.INFO if verbose else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    redactor = Redactor()  # one per run: masks the diff's secrets, scrubs all that goes out
    setup_logging(args.verbose, redactor)
    try:
        return run(args, parser, redactor)
    except ReviewbotError as err:
        message = redactor.scrub(str(err))
        print(f"reviewbot: error: {message}", file=sys.stderr)
        actions.annotate("error", message)  # in GitHub Actions: on the run and the job summary
        actions.write_summary(f"**reviewbot failed:** {message}")
        return err.exit_code
    except KeyboardInterrupt:
        print("reviewbot: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug: its traceback, scrubbed of secrets, and an exit code of its own
        sys.stderr.write(redactor.scrub(traceback.format_exc()))
        print(
            "reviewbot: internal error: this is a bug in reviewbot; please report it with the "
            "traceback above",
            file=sys.stderr,
        )
        return EXIT_BUG


def main_entry() -> None:
    raise SystemExit(main())


def read_diff(args: argparse.Namespace, parser: argparse.ArgumentParser):
    chosen = [bool(args.files), args.diff is not None, args.base is not None]
    if sum(chosen) != 1:
        parser.print_usage(sys.stderr)
        raise UsageError("give FILE..., --diff PATCH or --base REF (exactly one)")
    if args.files:
        return sources.from_files(args.files)
    if args.diff is not None:
        return sources.from_patch(args.diff)
    return sources.from_git(args.base)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser, redactor: Redactor) -> int:
    if args.github:
        from reviewbot.github.run import run_github

        return run_github(args, redactor)
    if args.repo or args.pr:
        raise UsageError("--repo and --pr go with --github")
    root = sources.git_root() or Path.cwd()
    config, root = load_config(args, root)
    endpoint = endpoint_for(config)
    diff = read_diff(args, parser)  # first: a mistyped file name is the likelier mistake
    key = None if args.dry_run else api_key(endpoint)
    if key:
        redactor.add_secret(key, "API key")
    prompts_dir = (root / config.prompts_dir) if config.prompts_dir else None
    plan, prompts = plan_review(
        diff, config, endpoint, prompts_dir, quiet=args.quiet, redactor=redactor
    )
    if args.dry_run:
        return show_plan(plan, args.format, config, endpoint)
    cache_root = None if args.no_cache else root
    result = run_review(
        plan, prompts, config, endpoint, key, quiet=args.quiet, cache_root=cache_root
    )
    color = (
        args.format == "text"
        and not args.no_color
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
    )
    sys.stdout.write(RENDERERS[args.format](result, color))
    sarif.write(args.sarif, result)
    return exit_code(result, config)
