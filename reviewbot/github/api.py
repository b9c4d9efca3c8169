"""The GitHub API, behind one small class, through PyGithub.

Reads the pull request, its diff (or its files' patches when GitHub refuses a diff that large),
a file from the base branch, earlier comments; writes one review and one summary comment.
Transient failures (5xx, secondary rate limits with `retry-after`) are retried by PyGithub's
`GithubRetry`; what remains becomes a `GitHubError` with a message saying what to do.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from github import Auth, Github, GithubException, GithubRetry

from reviewbot.errors import GitHubError
from reviewbot.triage import Skipped

log = logging.getLogger("reviewbot")
DIFF_MEDIA = "application/vnd.github.diff"


@dataclass(frozen=True)
class PullInfo:
    number: int
    title: str
    state: str
    draft: bool
    labels: tuple[str, ...]
    base_sha: str
    head_sha: str
    base_ref: str
    head_ref: str
    base_repo: str
    head_repo: str | None  # None when the head repository was deleted
    author: str
    url: str

    @property
    def is_fork(self) -> bool:
        return self.head_repo is not None and self.head_repo.lower() != self.base_repo.lower()


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    author: str
    path: str | None = None
    line: int | None = None
    url: str = ""
    author_type: str = ""


class ReviewRejected(Exception):
    """GitHub answered 422 to a review: `errors` holds its sentences."""

    def __init__(self, errors: list[str], message: str) -> None:
        super().__init__(message)
        self.errors = errors


def _retry_after(headers: Any) -> float | None:
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None


def explain(err: GithubException, doing: str, repo: str) -> GitHubError:
    """One line saying what failed, the likely cause and the fix."""
    data = err.data if isinstance(err.data, dict) else {}
    message = str(data.get("message") or err.data or "")[:200]
    status = err.status
    if status == 401:
        return GitHubError(
            f"GitHub refused the token while {doing} ({message}); check the "
            "github-token input or GITHUB_TOKEN"
        )
    if status == 403 and "not accessible by integration" in message.lower():
        return GitHubError(
            f"the token may not {doing} ({message}): add `permissions: pull-requests: write` "
            "(and `contents: read`) to the workflow job; a pull request from a fork only gets a "
            "read-only token"
        )
    if status == 403 and "rate limit" in message.lower():
        return GitHubError(
            f"GitHub's rate limit stopped us while {doing} ({message}); re-run the job later"
        )
    if status == 404:
        return GitHubError(
            f"not found while {doing} in {repo} ({message}): the pull request "
            "may be deleted, the repository renamed, or the token lacks access"
        )
    return GitHubError(f"GitHub answered {status} while {doing}: {message}")


def _comment(c: Any, **extra: Any) -> Comment:
    user = c.user
    return Comment(
        c.id,
        c.body or "",
        user.login if user else "",
        author_type=user.type if user else "",
        **extra,
    )


def _file_patch(status: str, old: str, new: str, patch: str) -> str:
    """One file of a `git diff`, rebuilt from the file list's status and patch."""
    head, tail, extra = f"a/{old}", f"b/{new}", ""
    if status == "added":
        head, extra = "/dev/null", "new file mode 100644\n"
    elif status == "removed":
        tail, extra = "/dev/null", "deleted file mode 100644\n"
    elif status == "renamed" and old != new:
        extra = f"rename from {old}\nrename to {new}\n"
    return f"diff --git a/{old} b/{new}\n{extra}--- {head}\n+++ {tail}\n{patch.rstrip(chr(10))}\n"


class GitHubAPI:
    """One repository's pull requests. Construction does no I/O."""

    def __init__(
        self,
        repo: str,
        token: str,
        api_url: str = "https://api.github.com",
        retries: int = 4,
        write_interval: float | None = 1.0,
    ) -> None:
        self.repo_name = repo
        self.retries = retries
        self.gh = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            per_page=100,
            timeout=30,
            # idempotent methods only: POSTs are retried by `_post`, which avoids duplicates
            retry=GithubRetry(
                total=retries,
                backoff_factor=0.5,
                secondary_rate_wait=60,
                allowed_methods=frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"}),
            ),
            seconds_between_requests=None,
            seconds_between_writes=write_interval,
            lazy=True,  # no request until one is needed: the constructor does no I/O
        )
        self.repo = self.gh.get_repo(repo)
        self._pulls: dict[int, Any] = {}

    def _call(self, doing: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GithubException as err:
            raise explain(err, doing, self.repo_name) from None

    def _pull(self, number: int) -> Any:
        if number not in self._pulls:
            self._pulls[number] = self._call(
                f"reading pull request #{number}", self.repo.get_pull, number
            )
        return self._pulls[number]

    def pull(self, number: int) -> PullInfo:
        """The pull request's facts (the first request of a run: errors here name the cause)."""
        return self._call(f"reading pull request #{number}", self._pull_info, number)

    def _pull_info(self, number: int) -> PullInfo:
        pr = self._pull(number)
        head_repo = pr.head.repo.full_name if pr.head.repo is not None else None
        return PullInfo(
            number=pr.number,
            title=pr.title or "",
            state=pr.state,
            draft=bool(pr.draft),
            labels=tuple(label.name for label in pr.labels),
            base_sha=pr.base.sha,
            head_sha=pr.head.sha,
            base_ref=pr.base.ref,
            head_ref=pr.head.ref,
            base_repo=pr.base.repo.full_name,
            head_repo=head_repo,
            author=pr.user.login if pr.user else "",
            url=pr.html_url,
        )

    def _raw(self, url: str, doing: str) -> tuple[int, str]:
        status, _, body = self.gh.requester.requestJson("GET", url, headers={"Accept": DIFF_MEDIA})
        if status >= 400 and status != 406:
            raise GitHubError(f"GitHub answered {status} while {doing}: {body[:200]}")
        return status, body

    def pull_diff(self, number: int) -> str | None:
        """The pull request's diff, or None when GitHub finds it too large to send (406)."""
        pr = self._pull(number)
        status, body = self._raw(pr.url, f"reading the diff of #{number}")
        return None if status == 406 else body

    def pull_diff_from_files(self, number: int) -> tuple[str, list[Skipped]]:
        """A diff assembled from the file list's patches (at most 3,000 files, per GitHub)."""
        pr = self._pull(number)
        parts: list[str] = []
        skipped: list[Skipped] = []
        files = self._call(f"listing the files of #{number}", lambda: list(pr.get_files()))
        for f in files:
            old = f.previous_filename or f.filename
            if f.patch is None:
                if f.status != "renamed" or f.changes:
                    skipped.append(
                        Skipped(
                            f.filename,
                            "no-patch",
                            "GitHub sends no patch for this file (too large or binary)",
                        )
                    )
                continue
            parts.append(_file_patch(f.status, old, f.filename, f.patch))
        if len(files) >= 3000:
            skipped.append(
                Skipped(
                    "(more files)",
                    "file-limit",
                    "GitHub lists at most 3,000 files of a pull request; the "
                    "rest were not reviewed",
                )
            )
        return "".join(parts), skipped

    def compare_diff(self, base: str, head: str) -> str | None:
        """The diff base..head, or None if GitHub cannot compare them (e.g. after a force-push)."""
        url = f"{self.repo.url}/compare/{base}...{head}"
        status, _, body = self.gh.requester.requestJson("GET", url, headers={"Accept": DIFF_MEDIA})
        return body if status == 200 else None

    def file_text(self, path: str, ref: str) -> str | None:
        try:
            content = self.repo.get_contents(path, ref=ref)
        except GithubException as err:
            if err.status == 404:
                return None
            raise explain(err, f"reading {path} at {ref[:12]}", self.repo_name) from None
        if isinstance(content, list):
            return None
        return content.decoded_content.decode("utf-8", errors="replace")

    def review_comments(self, number: int) -> list[Comment]:
        pr = self._pull(number)
        return self._call(
            f"listing review comments of #{number}",
            lambda: [_comment(c, path=c.path, line=c.line) for c in pr.get_review_comments()],
        )

    def issue_comments(self, number: int) -> list[Comment]:
        pr = self._pull(number)
        return self._call(
            f"listing comments of #{number}",
            lambda: [_comment(c, url=c.html_url) for c in pr.get_issue_comments()],
        )

    def create_review(
        self, number: int, commit: str, body: str, event: str | None, comments: list[dict[str, Any]]
    ) -> tuple[int, str]:
        """Post one review; returns (id, html_url). A 422 raises `ReviewRejected`.

        `body` should carry a marker unique to this run: after a 5xx the reviews are searched
        for it before posting again, so a review GitHub did store is never posted twice.
        """
        pr = self._pull(number)
        payload: dict[str, Any] = {"commit_id": commit, "body": body, "comments": comments}
        if event:
            payload["event"] = event

        def stored() -> dict[str, Any] | None:
            if not body:
                return None
            _, reviews = self._call(
                "listing reviews",
                self.gh.requester.requestJsonAndCheck,
                "GET",
                f"{pr.url}/reviews",
                parameters={"per_page": 100},
            )
            return next((r for r in reviews or [] if r.get("body") == body), None)

        try:
            data = self._post(f"{pr.url}/reviews", payload, stored)
        except GithubException as err:
            if err.status == 422:
                data = err.data if isinstance(err.data, dict) else {}
                errors = [
                    str(e if isinstance(e, str) else e.get("message", e))
                    for e in data.get("errors", [])
                ]
                raise ReviewRejected(errors, str(data.get("message", "Unprocessable"))) from None
            raise explain(err, f"posting a review on #{number}", self.repo_name) from None
        return int(data["id"]), str(data.get("html_url", ""))

    def _post(self, url: str, payload: dict[str, Any], stored: Any) -> dict[str, Any]:
        """POST without duplicates: PyGithub does not retry POSTs; this does, safely.

        A 403 rate limit or a 5xx is retried after `retry-after` (or an exponential wait); after a
        5xx, `stored()` first checks whether GitHub kept the write anyway.
        """
        for attempt in range(self.retries + 1):
            try:
                _, data = self.gh.requester.requestJsonAndCheck("POST", url, input=payload)
                return data
            except GithubException as err:
                limited = err.status == 403 and "rate limit" in str(err.data).lower()
                if attempt == self.retries or not (limited or err.status >= 500):
                    raise
                if err.status >= 500:
                    found = stored()
                    if found is not None:
                        return found
                hinted = _retry_after(err.headers)
                wait = hinted if hinted is not None else min(2.0**attempt, 30.0)
                log.info("GitHub answered %s to a POST; retrying in %.0fs", err.status, wait)
                time.sleep(min(wait, 60.0))
        raise AssertionError("unreachable")

    def delete_pending_review(self, number: int, review_id: int) -> None:
        pr = self._pull(number)
        self._call(
            "deleting a pending review",
            self.gh.requester.requestJsonAndCheck,
            "DELETE",
            f"{pr.url}/reviews/{review_id}",
        )

    def post_comment(self, number: int, body: str) -> str:
        """A new issue comment; `body` should carry a marker unique to this run (see _post)."""
        url = f"{self.repo.url}/issues/{number}/comments"

        def stored() -> dict[str, Any] | None:
            found = [c for c in self.issue_comments(number) if c.body == body]
            return {"html_url": found[0].url} if found else None

        try:
            data = self._post(url, {"body": body}, stored)
        except GithubException as err:
            raise explain(err, f"commenting on #{number}", self.repo_name) from None
        return str(data.get("html_url", ""))

    def edit_comment(self, comment_id: int, body: str) -> str:
        url = f"{self.repo.url}/issues/comments/{comment_id}"
        _, data = self._call(
            "editing the summary comment",
            self.gh.requester.requestJsonAndCheck,
            "PATCH",
            url,
            input={"body": body},
        )
        return str(data.get("html_url", ""))
