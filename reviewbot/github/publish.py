"""Posting a result on a pull request: one review with inline comments, one summary comment.

- Every inline comment carries a hidden fingerprint; a finding whose fingerprint is already on
  the pull request (from an earlier run, by a bot) is not posted again.
- Anchors were checked against the diff before posting. If GitHub still answers 422, the
  offending comments are found by bisection with pending (invisible) reviews that are deleted
  again, moved to the summary with GitHub's reason, and the review is posted without them.
- The summary is one issue comment, found again by a hidden marker written by a bot account,
  and edited in place on later runs. It also records the head commit reviewed, for incremental
  reviews.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from reviewbot import __version__
from reviewbot.findings import Finding
from reviewbot.github.api import Comment, GitHubAPI, ReviewRejected
from reviewbot.publish.markdown import finding_markdown, where
from reviewbot.publish.summary import counts_line, dropped_line, plural, usage_line
from reviewbot.result import ReviewResult

log = logging.getLogger("reviewbot")
SUMMARY_MARKER = "<!-- reviewbot:summary -->"
FP_MARKER = re.compile(r"<!-- reviewbot:fp=([0-9a-f]{16}) -->")
HEAD_MARKER = re.compile(r"<!-- reviewbot:head=([0-9a-f]{40}) -->")
STALE = ("commitoid is not part", "commit_id is not part", "is not part of the pull request")


class Superseded(Exception):
    """The pull request moved on (force-push) between reading and posting."""


@dataclass
class Posted:
    review_url: str | None = None
    summary_url: str | None = None
    inline: list[Finding] = field(default_factory=list)
    already: list[Finding] = field(default_factory=list)  # posted by an earlier run
    rejected: list[tuple[Finding, str]] = field(default_factory=list)  # 422 per comment


def sanitize(text: str) -> str:
    """Model text in a comment: no hidden markers, no @-mentions that ping people."""
    text = text.replace("<!--", "&lt;!--")
    return re.sub(r"(?<![\w`])@(?=[A-Za-z0-9])", "@\u200b", text)


def _clean(f: Finding) -> Finding:
    return f.with_(title=sanitize(f.title), body=sanitize(f.body))


def comment_body(f: Finding) -> str:
    text = finding_markdown(_clean(f), suggestion_block=True)
    return f"{text}\n\n<!-- reviewbot:fp={f.fingerprint} -->"


def is_bot(comment: Comment) -> bool:
    return comment.author.endswith("[bot]") or comment.author_type == "Bot"


def posted_fingerprints(comments: list[Comment]) -> set[str]:
    found: set[str] = set()
    for c in comments:
        if is_bot(c):
            found.update(FP_MARKER.findall(c.body))
    return found


def find_summary(comments: list[Comment]) -> Comment | None:
    for c in comments:
        if is_bot(c) and c.body.startswith(SUMMARY_MARKER):
            return c
    return None


def last_reviewed_head(summary: Comment | None) -> str | None:
    if summary is None:
        return None
    found = HEAD_MARKER.findall(summary.body)
    return found[-1] if found else None


def post_review(
    api: GitHubAPI, number: int, commit: str, findings: list[Finding], existing: set[str], body: str
) -> Posted:
    """One COMMENT review with every new inline finding; nothing posted twice."""
    posted = Posted()
    fresh = []
    for f in findings:
        (posted.already if f.fingerprint in existing else fresh).append(f)
    if not fresh:
        return posted
    comments = [{**f.anchor.github_fields(), "body": comment_body(f)} for f in fresh]  # type: ignore[union-attr]
    try:
        _, posted.review_url = api.create_review(number, commit, body, "COMMENT", comments)
        posted.inline = fresh
        return posted
    except ReviewRejected as err:
        if _stale(err):
            raise Superseded(" ".join(err.errors) or str(err)) from None
        log.warning(
            "GitHub rejected the review (%s); finding the comments it refuses",
            "; ".join(err.errors)[:200],
        )
    bad = _find_rejected(api, number, commit, list(range(len(comments))), comments)
    posted.rejected = [(fresh[i], reason) for i, reason in bad.items()]
    keep = [i for i in range(len(comments)) if i not in bad]
    posted.inline = [fresh[i] for i in keep]
    if keep:
        _, posted.review_url = api.create_review(
            number, commit, body, "COMMENT", [comments[i] for i in keep]
        )
    return posted


def _stale(err: ReviewRejected) -> bool:
    text = " ".join(err.errors).lower() + str(err).lower()
    return any(s in text for s in STALE)


def _find_rejected(
    api: GitHubAPI, number: int, commit: str, idx: list[int], comments: list[dict[str, Any]]
) -> dict[int, str]:
    """Bisection with pending reviews (invisible to others, deleted at once)."""
    try:
        review_id, _ = api.create_review(number, commit, "", None, [comments[i] for i in idx])
    except ReviewRejected as err:
        if len(idx) == 1:
            return {idx[0]: "; ".join(err.errors) or str(err)}
        half = len(idx) // 2
        return {
            **_find_rejected(api, number, commit, idx[:half], comments),
            **_find_rejected(api, number, commit, idx[half:], comments),
        }
    api.delete_pending_review(number, review_id)
    return {}


# -- the summary ---------------------------------------------------------------------------


def summary_markdown(
    result: ReviewResult,
    posted: Posted | None,
    head: str,
    incremental_from: str | None = None,
    list_all: bool = False,
) -> str:
    """The summary comment. `list_all` lists every finding (when none could be posted)."""
    score = f" · score {result.score}/10" if result.score is not None else ""
    out = [
        f"## reviewbot{score}",
        "",
        f"**{counts_line(result)}** in "
        f"{plural(len(result.files_reviewed), 'reviewed file')} "
        f"({plural(result.chunks, 'chunk')}); {plural(len(result.skipped), 'file')} skipped.",
    ]
    if result.summaries:
        out += ["", sanitize(" ".join(result.summaries[:6]))]
    if posted is not None:
        out += [
            "",
            f"Inline comments: {len(posted.inline)} new"
            + (f", {len(posted.already)} already posted earlier" if posted.already else "")
            + ".",
        ]
    listed = result.findings if list_all else result.unplaced
    outside = [(f, f.note or "no inline position") for f in listed]
    if posted is not None:
        outside += [(f, f"GitHub refused the inline comment: {r}") for f, r in posted.rejected]
    if outside:
        title = (
            "Findings (not posted: GitHub refused)" if list_all else ("Findings not placed inline")
        )
        out += ["", f"### {title}", ""]
        for f, why in outside:
            out += [
                f"#### {where(f)}",
                "",
                finding_markdown(_clean(f)),
                "",
                f"<sub>Not inline: {sanitize(why)}</sub>",
                "",
            ]
    out += _failures(result)
    out += [
        "",
        f"<sub>{usage_line(result.usage, result.cached)}. Reviewed up to {head[:12]}"
        + (f" (changes since {incremental_from[:12]})" if incremental_from else "")
        + f" by reviewbot {__version__}.</sub>",
    ]
    return "\n".join(out)


def _failures(result: ReviewResult) -> list[str]:
    out: list[str] = []
    if result.failed:
        out += ["", "### Not reviewed: failed chunks", ""]
        out += [f"- {sanitize(str(c))}" for c in result.failed]
    if result.stopped:
        out += ["", f"**The review stopped early:** {sanitize(result.stopped)}"]
    dropped = dropped_line(result)
    if dropped:
        out += ["", dropped + "."]
    if result.skipped:
        out += ["", f"<details><summary>Skipped files ({len(result.skipped):,})</summary>", ""]
        out += [f"- `{s.path}`: {s.detail}" for s in result.skipped[:300]]
        if len(result.skipped) > 300:
            out.append(f"- ... and {len(result.skipped) - 300:,} more")
        out += ["", "</details>"]
    return out


def upsert_summary(
    api: GitHubAPI,
    number: int,
    existing: Comment | None,
    markdown: str,
    head: str | None,
    run_id: str,
) -> str:
    """Create or edit the summary; `head` (if any) is recorded as reviewed for the next run."""
    tail = f"\n<!-- reviewbot:run={run_id} -->"
    if head:
        tail += f"\n<!-- reviewbot:head={head} -->"
    body = f"{SUMMARY_MARKER}\n{markdown}"
    if len(body) > 64_000:  # GitHub's limit is 65,536 characters
        body = body[:64_000] + "\n\n*(summary shortened to GitHub's size limit)*"
    if existing is not None:
        return api.edit_comment(existing.id, body + tail)
    return api.post_comment(number, body + tail)
