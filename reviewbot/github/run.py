"""`reviewbot --github`: review one pull request and post the result on it.

Everything comes from the GitHub API, never from a checkout of the pull request: its code is
untrusted and is never run. The config file is read from the base branch, so a pull request
cannot change how it is reviewed or where the key is sent.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reviewbot import tokens
from reviewbot.anchors import Anchor, Placer
from reviewbot.config import CLI_SETTINGS, CONFIG_FILES, Config, build_config, read_config_text
from reviewbot.diff import Diff, parse_diff
from reviewbot.errors import EXIT_OK, EXIT_USAGE, GitHubError, UsageError
from reviewbot.findings import Finding
from reviewbot.github import actions
from reviewbot.github.api import GitHubAPI, PullInfo
from reviewbot.github.publish import (
    Posted,
    Superseded,
    find_summary,
    last_reviewed_head,
    post_review,
    posted_fingerprints,
    summary_markdown,
    upsert_summary,
)
from reviewbot.pipeline import endpoint_for, exit_code, plan_review, run_review, show_plan
from reviewbot.prompts import TEMPLATES
from reviewbot.providers import api_key
from reviewbot.publish import sarif
from reviewbot.redact import Redactor
from reviewbot.result import ReviewResult
from reviewbot.triage import Skipped

log = logging.getLogger("reviewbot")


@dataclass(frozen=True)
class Target:
    repo: str
    number: int
    token: str
    api_url: str


def target_from(args: argparse.Namespace, env: dict[str, str] | None = None) -> Target:
    """Repository, PR number, token and API URL: flags first, then the Actions environment."""
    env = dict(os.environ) if env is None else env
    repo = args.repo or env.get("GITHUB_REPOSITORY", "")
    number = args.pr or _event_number(env)
    token = env.get("GITHUB_TOKEN", "").strip()
    if not repo or "/" not in repo:
        raise UsageError(
            "--github needs the repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY"
        )
    if not number:
        raise UsageError(
            "--github needs a pull request: pass --pr N, or run on a pull_request "
            f"event (this is {env.get('GITHUB_EVENT_NAME') or 'no event'})"
        )
    if not token:
        raise UsageError(
            "--github needs a token: set GITHUB_TOKEN (in a workflow the action "
            "passes ${{ github.token }})"
        )
    api_url = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    return Target(repo, int(number), token, api_url)


def _event_number(env: dict[str, str]) -> int | None:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot read the event file {path}: {err}") from None
    pr = event.get("pull_request") or {}
    number = pr.get("number") or (
        event.get("issue", {}).get("pull_request") and event.get("issue", {}).get("number")
    )
    return int(number) if number else None


def remote_config(
    api: GitHubAPI, pull: PullInfo, args: argparse.Namespace, cli: dict[str, object]
) -> tuple[Config, str]:
    """The config file from the base branch (never the PR's head), then the flags."""
    names = [args.config] if args.config else [*CONFIG_FILES, "pyproject.toml"]
    for name in names:  # in order, stopping at the first: one request for a configured repo
        text = api.file_text(name, pull.base_sha)
        if text is None:
            continue
        values = read_config_text(name, text)
        if name == "pyproject.toml" and not values:
            continue
        source = f"{name} (base branch {pull.base_ref})"
        return build_config(values, cli, source), name
    if args.config:
        raise UsageError(f"config file {args.config} not found on the base branch {pull.base_ref}")
    return build_config({}, cli, "defaults"), ""


def remote_prompts(api: GitHubAPI, pull: PullInfo, folder: str) -> Path:
    """Template overrides from the base branch, copied into a temporary folder."""
    target = Path(tempfile.mkdtemp(prefix="reviewbot-prompts-"))
    for name in TEMPLATES:
        text = api.file_text(f"{folder.rstrip('/')}/{name}", pull.base_sha)
        if text is not None:
            (target / name).write_text(text, encoding="utf-8")
    return target


def skip_reason(pull: PullInfo, config: Config) -> str | None:
    if pull.state != "open":
        return f"pull request #{pull.number} is {pull.state}"
    if pull.draft and not config.review_drafts:
        return f"pull request #{pull.number} is a draft (set review_drafts: true to review drafts)"
    hit = sorted(set(pull.labels) & set(config.ignore_labels))
    if hit:
        return f"pull request #{pull.number} has the label {hit[0]!r}, listed in ignore_labels"
    return None


def notice(message: str) -> None:
    print(f"reviewbot: {message}", file=sys.stderr)
    actions.annotate("notice", message)
    actions.write_summary(f"**reviewbot:** {message}\n")


@dataclass(frozen=True)
class Change:
    """What to review, and against what to place it."""

    review: Diff  # the whole pull request, or what changed since `since`
    whole: Diff  # the pull request's diff: inline comments must land on it
    skipped: list[Skipped]
    since: str | None  # the last reviewed head, for an incremental review


def whole_pull_diff(api: GitHubAPI, pull: PullInfo) -> tuple[Diff, list[Skipped]]:
    text = api.pull_diff(pull.number)
    if text is not None:
        return parse_diff(text), []
    log.warning("GitHub will not send a diff this large; using the file list's patches")
    text, skipped = api.pull_diff_from_files(pull.number)
    return parse_diff(text), skipped


def choose_change(api: GitHubAPI, pull: PullInfo, last: str | None, full: bool) -> Change:
    """Changes since the last reviewed head when possible, else the whole pull request.

    An incremental diff keeps only the pull request's own files: a merge of the base branch
    into it brings changes that are not the author's to review."""
    whole, skipped = whole_pull_diff(api, pull)
    if last and not full and last != pull.head_sha:
        text = api.compare_diff(last, pull.head_sha)
        if text is not None:
            ours = {f.path for f in whole.files}
            since = parse_diff(text)
            kept = tuple(f for f in since.files if f.path in ours)
            if len(kept) < len(since.files):
                log.info(
                    "left out %d files changed by merging the base branch",
                    len(since.files) - len(kept),
                )
            return Change(Diff(kept), whole, [], last)
        log.warning(
            "cannot compare %s...%s (force-push?): reviewing the whole pull request",
            last[:12],
            pull.head_sha[:12],
        )
    return Change(whole, whole, skipped, None)


def reanchor(result: ReviewResult, full: Diff) -> None:
    """Incremental reviews are anchored on the pull request's whole diff before posting."""
    placer = Placer(full)
    moved: list[Finding] = []
    for f in result.findings:
        if f.anchor is None:
            moved.append(f)
            continue
        if f.side == "LEFT":
            moved.append(f.with_(anchor=None, note="on a line deleted since the last review"))
            continue
        spot = placer.place(f.path, f.line, f.end_line, "RIGHT")
        if isinstance(spot, Anchor):
            moved.append(f.with_(anchor=spot, note=spot.moved or f.note))
        else:
            moved.append(f.with_(anchor=None, note=spot.reason))
    result.findings[:] = moved


def fork_without_key(pull: PullInfo, config: Config, err: UsageError) -> int:
    message = (
        f"pull request #{pull.number} comes from the fork {pull.head_repo}; GitHub gives "
        "workflows on fork pull requests no secrets, so there is no API key and no "
        f"review ({err})"
    )
    print(f"reviewbot: {message}", file=sys.stderr)
    actions.annotate("error" if config.fail_on_fork else "warning", message)
    actions.write_summary(f"**reviewbot:** {message}\n")
    return EXIT_USAGE if config.fail_on_fork else EXIT_OK


def run_github(args: argparse.Namespace, redactor: Redactor | None = None) -> int:
    redactor = redactor or Redactor()
    target = target_from(args)
    actions.mask(target.token)
    redactor.add_secret(target.token, "GitHub token")
    api = GitHubAPI(
        target.repo,
        target.token,
        target.api_url,
        write_interval=float(os.environ.get("REVIEWBOT_GITHUB_WRITE_INTERVAL", "1")),
    )
    pull = api.pull(target.number)
    cli = {key: getattr(args, key) for key in CLI_SETTINGS}
    config, _ = remote_config(api, pull, args, cli)
    reason = skip_reason(pull, config)
    if reason:
        notice(f"skipped: {reason}")
        return EXIT_OK
    endpoint = endpoint_for(config)
    tokens.prefetch(endpoint.model)  # loads while we wait on GitHub
    key = None
    if not args.dry_run:
        try:
            key = api_key(endpoint)
        except UsageError as err:
            if pull.is_fork:
                return fork_without_key(pull, config, err)
            raise
        actions.mask(key)
        redactor.add_secret(key, "API key")
    summary = find_summary(api.issue_comments(pull.number))
    last = last_reviewed_head(summary)
    if last == pull.head_sha and not args.full_review:
        notice(
            f"{pull.head_sha[:12]} was already reviewed; nothing new to review "
            "(use the full-review switch to review it again)"
        )
        return EXIT_OK
    change = choose_change(api, pull, last, args.full_review)
    prompts_dir = remote_prompts(api, pull, config.prompts_dir) if config.prompts_dir else None
    plan, prompts = plan_review(
        change.review, config, endpoint, prompts_dir, quiet=args.quiet, redactor=redactor
    )
    if args.dry_run:
        return show_plan(plan, args.format, config, endpoint)
    cache_root = None if args.no_cache else Path.cwd()  # the workspace, kept by actions/cache
    result = run_review(
        plan, prompts, config, endpoint, key, quiet=args.quiet, cache_root=cache_root
    )
    result.skipped.extend(change.skipped)
    if change.since:  # anchors must land on the whole pull request's diff
        reanchor(result, change.whole)
    return publish(api, pull, result, config, summary, change.since, args)


def publish(
    api: GitHubAPI,
    pull: PullInfo,
    result: ReviewResult,
    config: Config,
    summary,
    since: str | None,
    args: argparse.Namespace,
) -> int:
    existing = posted_fingerprints(api.review_comments(pull.number))
    inline = [f for f in result.findings if f.anchor is not None]
    run_id = secrets.token_hex(8)  # makes this run's writes recognisable after a 5xx
    body = (
        f"reviewbot: {len(inline)} inline finding{'s' * (len(inline) != 1)}; the summary "
        f"comment has the overview.\n<!-- reviewbot:run={run_id} -->"
    )
    try:
        posted = post_review(api, pull.number, pull.head_sha, inline, existing, body)
    except Superseded as err:
        notice(
            f"pull request #{pull.number} was updated while it was being reviewed ({err}); "
            "the new push gets its own review"
        )
        return EXIT_OK
    except GitHubError:
        keep(result, summary_markdown(result, None, pull.head_sha, since, list_all=True), args)
        raise
    complete = not result.failed and not result.stopped
    head = pull.head_sha if complete else since  # after a failure, the next run redoes it
    markdown = summary_markdown(result, posted, pull.head_sha, since)
    keep(result, markdown, args, posted)
    posted.summary_url = upsert_summary(api, pull.number, summary, markdown, head, run_id)
    new = len(posted.inline)
    print(
        f"reviewbot: posted {new} inline comment{'s' * (new != 1)}"
        + (f" ({len(posted.already)} already posted)" if posted.already else "")
        + f", {len(result.unplaced) + len(posted.rejected)} in the summary: "
        + posted.summary_url,
        file=sys.stderr,
    )
    return exit_code(result, config)


def keep(
    result: ReviewResult, markdown: str, args: argparse.Namespace, posted: Posted | None = None
) -> None:
    """The job summary, step outputs and SARIF: written before the summary comment, so that
    nothing is lost if GitHub refuses it."""
    actions.write_summary(markdown)
    actions.set_outputs(
        {
            "findings": len(result.findings),
            "score": "" if result.score is None else result.score,
            "review-url": (posted.review_url if posted else None) or "",
        }
    )
    sarif.write(args.sarif, result)
