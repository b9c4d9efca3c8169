"""Tests for the fake GitHub server, driven through real PyGithub and plain ``requests``."""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import requests
from github import Auth, Github, GithubException
from github.GithubException import (
    BadCredentialsException,
    RateLimitExceededException,
    UnknownObjectException,
)
from unidiff import PatchSet

from tests.fakes import github_state as gs
from tests.fakes.github_server import FakeGitHub, Fault, PullRequestSpec

pytestmark = pytest.mark.skipif(
    not os.path.exists(gs.CONTRACT_PATH), reason=f"GitHub contract missing: {gs.CONTRACT_PATH}"
)

TOKEN = "ghs_test"
BASE, HEAD, NEW_HEAD = "a" * 40, "b" * 40, "c" * 40
CORPUS = Path("/work/shared/corpus/diffs")
LINE_NOT_IN_DIFF = (
    "Pull request review thread line must be part of the diff and "
    "Pull request review thread diff hunk can't be blank"
)


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


# src/app.py: hunk 1 is old 1-6 / new 1-7 (positions 1-8); the second header takes
# position 9; hunk 2 is old 20-23 / new 21-25 (positions 10-14).
APP_DIFF = lines(
    "diff --git a/src/app.py b/src/app.py",
    "index 1111111..2222222 100644",
    "--- a/src/app.py",
    "+++ b/src/app.py",
    "@@ -1,6 +1,7 @@",
    " import os",
    "-import sys",
    "+import sys  # noqa: F401",
    "+import json",
    " ",
    " ",
    " def main():",
    "     return 0",
    "@@ -20,4 +21,5 @@ def helper():",
    "     a = 1",
    "     b = 2",
    "+    c = 3",
    "     return a + b",
    " # end",
)
OTHER_FILES = lines(
    "diff --git a/docs/old.md b/docs/old.md",
    "deleted file mode 100644",
    "index 3333333..0000000",
    "--- a/docs/old.md",
    "+++ /dev/null",
    "@@ -1,2 +0,0 @@",
    "-# Old",
    "-gone",
    "diff --git a/src/old_name.py b/src/new_name.py",
    "similarity index 90%",
    "rename from src/old_name.py",
    "rename to src/new_name.py",
    "index 4444444..5555555 100644",
    "--- a/src/old_name.py",
    "+++ b/src/new_name.py",
    "@@ -1 +1 @@",
    "-x = 1",
    "+x = 2",
    "diff --git a/assets/logo.png b/assets/logo.png",
    "index 6666666..7777777 100644",
    "Binary files a/assets/logo.png and b/assets/logo.png differ",
    "diff --git a/big/generated.json b/big/generated.json",
    "index 8888888..9999999 100644",
    "--- a/big/generated.json",
    "+++ b/big/generated.json",
    "@@ -1 +1 @@",
    '-{"v": 1}',
    '+{"v": 2}',
)
DIFF = APP_DIFF + OTHER_FILES


def added_files(count: int) -> str:
    return "".join(
        lines(
            f"diff --git a/pkg/mod_{i:03d}.py b/pkg/mod_{i:03d}.py",
            "new file mode 100644",
            "index 0000000..1234567",
            "--- /dev/null",
            f"+++ b/pkg/mod_{i:03d}.py",
            "@@ -0,0 +1 @@",
            f"+VALUE = {i}",
        )
        for i in range(count)
    )


def make_pr(number: int = 7, diff: str = DIFF, **kw: object) -> PullRequestSpec:
    kw.setdefault("omit_patch_for", {"big/generated.json"})
    return PullRequestSpec(number=number, diff=diff, base_sha=BASE, head_sha=HEAD, **kw)


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    pulls = [make_pr(labels=["bug"]), make_pr(8, added_files(45)), make_pr(9, APP_DIFF)]
    base_files = {"main": {".reviewbot.yml": "strictness: strict\n", "src/app.py": "x\n"}}
    with FakeGitHub("octo", "demo", TOKEN, pulls, base_files) as server:
        yield server


def client(server: FakeGitHub, token: str = TOKEN) -> Github:
    return Github(auth=Auth.Token(token), base_url=server.api_url, retry=None,
                  seconds_between_requests=None, seconds_between_writes=None)  # fmt: skip


@pytest.fixture
def g(gh: FakeGitHub) -> Iterator[Github]:
    with client(gh) as github:
        yield github


def http(server: FakeGitHub, method: str, path: str, **kw: object) -> requests.Response:
    headers = {"Authorization": f"token {TOKEN}", **kw.pop("headers", {})}  # type: ignore[dict-item]
    return requests.request(method, server.api_url + path, headers=headers, timeout=10, **kw)


# --------------------------------------------------------------------------- reading


def test_repository_and_pull_request_through_pygithub(g: Github) -> None:
    repo = g.get_repo("octo/demo")
    pr = repo.get_pull(7)
    assert (repo.full_name, repo.default_branch) == ("octo/demo", "main")
    assert (pr.number, pr.head.sha, pr.base.sha, pr.base.ref, pr.head.ref) == (
        7, HEAD, BASE, "main", "feature")  # fmt: skip
    assert pr.head.repo.full_name == "octo/demo"
    assert [label.name for label in pr.labels] == ["bug"]
    assert (pr.user.login, pr.draft, pr.state, pr.changed_files) == ("alice", False, "open", 5)
    assert pr.as_issue().number == 7


def test_fork_pull_request_has_fork_head_repo() -> None:
    fork_pr = make_pr(head_repo_full_name="forker/demo")
    with FakeGitHub(pulls=[fork_pr]) as gh, client(gh) as g:
        pr = g.get_repo("octo/demo").get_pull(7)
        assert (pr.head.repo.full_name, pr.head.repo.fork, pr.head.label) == (
            "forker/demo", True, "forker:feature")  # fmt: skip
        assert pr.base.repo.full_name == "octo/demo"


def test_files_follow_link_pagination(gh: FakeGitHub, g: Github) -> None:
    files = list(g.get_repo("octo/demo").get_pull(8).get_files())
    assert [f.filename for f in files] == [f"pkg/mod_{i:03d}.py" for i in range(45)]
    assert gh.count("GET", r"/files$") == 2
    assert gh.calls[-1].query == {"page": "2"}
    assert gh.calls[-1].path == "/repositories/123456789/pulls/8/files"


def test_link_header_is_githubs(gh: FakeGitHub) -> None:
    first = http(gh, "GET", "/repos/octo/demo/pulls/8/files?per_page=10")
    base = f"{gh.api_url}/repositories/123456789/pulls/8/files"
    assert first.headers["link"] == (
        f'<{base}?per_page=10&page=2>; rel="next", <{base}?per_page=10&page=5>; rel="last"'
    )
    middle = http(gh, "GET", "/repos/octo/demo/pulls/8/files?per_page=10&page=3")
    rels = [part.split('rel="')[1].rstrip('"') for part in middle.headers["link"].split(", ")]
    assert rels == ["prev", "next", "last", "first"]
    last = http(gh, "GET", first.links["last"]["url"].removeprefix(gh.api_url))
    assert len(last.json()) == 5
    assert [p.split('rel="')[1][:-1] for p in last.headers["link"].split(", ")] == ["prev", "first"]
    single = http(gh, "GET", "/repos/octo/demo/pulls/8/files?per_page=100")
    assert len(single.json()) == 45
    assert "link" not in single.headers


def test_file_entries_are_computed_from_the_diff(gh: FakeGitHub) -> None:
    files = {f["filename"]: f for f in http(gh, "GET", "/repos/octo/demo/pulls/7/files").json()}
    app = files["src/app.py"]
    assert (app["status"], app["additions"], app["deletions"], app["changes"]) == (
        "modified", 3, 1, 4)  # fmt: skip
    assert app["patch"] == APP_DIFF.split("+++ b/src/app.py\n")[1].rstrip("\n")
    assert files["docs/old.md"]["status"] == "removed"
    renamed = files["src/new_name.py"]
    assert (renamed["status"], renamed["previous_filename"]) == ("renamed", "src/old_name.py")
    assert "patch" not in files["assets/logo.png"]
    assert "patch" not in files["big/generated.json"]
    assert files["big/generated.json"]["changes"] == 2
    assert app["contents_url"].endswith(f"/repos/octo/demo/contents/src/app.py?ref={HEAD}")


def test_raw_diff_with_diff_media_types(gh: FakeGitHub) -> None:
    for accept in ("application/vnd.github.diff", "application/vnd.github.v3.diff"):
        resp = http(gh, "GET", "/repos/octo/demo/pulls/7", headers={"Accept": accept})
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "application/vnd.github.diff; charset=utf-8"
        assert resp.text == DIFF


def test_diff_over_300_files_is_refused_but_files_list_works(gh: FakeGitHub) -> None:
    gh.update_pull(8, added_files(301), HEAD)
    resp = http(gh, "GET", "/repos/octo/demo/pulls/8",
                headers={"Accept": "application/vnd.github.diff"})  # fmt: skip
    assert resp.status_code == 406
    assert resp.json()["message"].startswith(
        "Sorry, the diff exceeded the maximum number of files (300). Consider using 'List pull "
        "requests files' API"
    )
    assert resp.json()["errors"] == [
        {"resource": "PullRequest", "field": "diff", "code": "too_large"}
    ]
    with client(gh) as g:
        assert g.get_repo("octo/demo").get_pull(8).get_files().totalCount == 301


def test_commits_contents_and_compare(gh: FakeGitHub, g: Github) -> None:
    repo = g.get_repo("octo/demo")
    assert [c.sha for c in repo.get_pull(7).get_commits()] == [HEAD]
    assert repo.get_contents(".reviewbot.yml", ref="main").decoded_content == (
        b"strictness: strict\n")  # fmt: skip
    assert repo.get_contents(".reviewbot.yml", ref=BASE).decoded_content.startswith(b"strict")
    assert repo.get_contents(".reviewbot.yml").decoded_content.startswith(b"strict")
    with pytest.raises(UnknownObjectException) as missing:
        repo.get_contents("nope.txt", ref="main")
    assert missing.value.data["message"] == "Not Found"
    with pytest.raises(GithubException) as bad_ref:
        repo.get_contents(".reviewbot.yml", ref="no-such-branch")
    assert bad_ref.value.status == 404
    assert bad_ref.value.data["message"] == "No commit found for the ref no-such-branch"
    gh.add_commit_range(7, HEAD, NEW_HEAD, APP_DIFF)
    comparison = repo.compare(HEAD, NEW_HEAD)
    assert [f.filename for f in comparison.files] == ["src/app.py"]
    raw = http(gh, "GET", f"/repos/octo/demo/compare/{HEAD}...{NEW_HEAD}",
               headers={"Accept": "application/vnd.github.v3.diff"})  # fmt: skip
    assert raw.text == APP_DIFF


# --------------------------------------------------------------------------- reviews


def test_review_with_valid_comments_is_stored(gh: FakeGitHub, g: Github) -> None:
    pr = g.get_repo("octo/demo").get_pull(7)
    review = pr.create_review(
        commit=g.get_repo("octo/demo").get_commit(HEAD), body="Summary", event="COMMENT",
        comments=[
            {"path": "src/app.py", "line": 3, "side": "RIGHT", "body": "added line"},
            {"path": "src/app.py", "line": 2, "side": "LEFT", "body": "deleted line"},
            {"path": "src/app.py", "start_line": 21, "line": 23, "body": "range"},
            {"path": "src/app.py", "position": 4, "body": "legacy position"},
        ],
    )  # fmt: skip
    assert (review.state, review.commit_id, review.body) == ("COMMENTED", HEAD, "Summary")
    stored = gh.reviews(7)
    assert [r["id"] for r in stored] == [review.id]
    comments = {c["body"]: c for c in stored[0]["comments"]}
    added = comments["added line"]
    assert (added["line"], added["side"], added["position"], added["original_line"]) == (
        3, "RIGHT", 4, 3)  # fmt: skip
    assert added["diff_hunk"].splitlines()[-1] == "+import json"
    assert added["diff_hunk"].startswith("@@ -1,6 +1,7 @@")
    assert (comments["deleted line"]["side"], comments["deleted line"]["position"]) == ("LEFT", 2)
    ranged = comments["range"]
    assert (ranged["start_line"], ranged["line"], ranged["start_side"]) == (21, 23, "RIGHT")
    assert (ranged["position"], ranged["commit_id"]) == (12, HEAD)
    assert (comments["legacy position"]["line"], comments["legacy position"]["side"]) == (
        3, "RIGHT")  # fmt: skip
    assert all(c["pull_request_review_id"] == review.id for c in comments.values())
    assert len(gh.review_comments(7)) == 4
    assert {c.body for c in pr.get_review_comments()} == set(comments)


@pytest.mark.parametrize(
    ("comment", "error"),
    [
        ({"path": "src/app.py", "line": 10}, LINE_NOT_IN_DIFF),
        ({"path": "src/app.py", "line": 7, "side": "LEFT"}, LINE_NOT_IN_DIFF),
        ({"path": "src/app.py", "line": 24, "side": "LEFT"}, LINE_NOT_IN_DIFF),
        ({"path": "nope.py", "line": 1},
         "Pull request review thread path is invalid and "
         "Pull request review thread diff hunk can't be blank"),
        ({"path": "src/app.py", "start_line": 6, "line": 23},
         "Pull request review thread start line must be part of the same hunk as the line."),
        ({"path": "src/app.py", "start_line": 23, "line": 23},
         "Pull request review thread start line must precede the end line."),
        ({"path": "src/app.py", "start_line": 21, "line": 40},
         "Pull request review thread line must be part of the diff, Pull request review thread "
         "start line must be part of the same hunk as the line., and Pull request review "
         "thread diff hunk can't be blank"),
        ({"path": "assets/logo.png", "line": 1}, LINE_NOT_IN_DIFF),
        ({"path": "big/generated.json", "line": 1}, LINE_NOT_IN_DIFF),
    ],
)  # fmt: skip
def test_invalid_comment_rejects_the_whole_review(
    gh: FakeGitHub, g: Github, comment: dict[str, object], error: str
) -> None:
    pr = g.get_repo("octo/demo").get_pull(7)
    good = {"path": "src/app.py", "line": 3, "body": "fine"}
    with pytest.raises(GithubException) as exc:
        pr.create_review(body="x", event="COMMENT", comments=[good, {**comment, "body": "bad"}])
    assert exc.value.status == 422
    assert exc.value.data == {
        "message": "Unprocessable Entity", "errors": [error], "status": "422",
        "documentation_url":
            "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
    }  # fmt: skip
    assert gh.reviews(7) == []
    assert gh.review_comments(7) == []


def test_stale_commit_after_force_push_is_refused(gh: FakeGitHub, g: Github) -> None:
    pr = g.get_repo("octo/demo").get_pull(7)
    commit_read_before_push = pr.get_commits()[0]
    gh.update_pull(7, DIFF, NEW_HEAD)
    with pytest.raises(GithubException) as exc:
        pr.create_review(commit=commit_read_before_push, body="late", event="COMMENT")
    assert exc.value.status == 422
    assert exc.value.data["errors"] == ["The commitOID is not part of the pull request"]
    assert gh.reviews(7) == []


def test_old_commit_of_an_ordinary_push_is_accepted(gh: FakeGitHub) -> None:
    gh.update_pull(9, DIFF, NEW_HEAD, keep_old_commits=True)
    body = {"commit_id": HEAD, "event": "COMMENT", "body": "old",
            "comments": [{"path": "src/app.py", "line": 3, "body": "ok"}]}  # fmt: skip
    assert http(gh, "POST", "/repos/octo/demo/pulls/9/reviews", json=body).status_code == 200
    late = {**body, "comments": [{"path": "docs/old.md", "line": 1, "side": "LEFT", "body": "x"}]}
    resp = http(gh, "POST", "/repos/octo/demo/pulls/9/reviews", json=late)
    assert resp.status_code == 422  # docs/old.md is not in the diff at the old commit


def test_push_makes_changed_lines_outdated(gh: FakeGitHub, g: Github) -> None:
    pr = g.get_repo("octo/demo").get_pull(9)
    pr.create_review(body="r", event="COMMENT", comments=[
        {"path": "src/app.py", "line": 3, "body": "stays"},
        {"path": "src/app.py", "line": 23, "body": "goes"}])  # fmt: skip
    gh.update_pull(9, APP_DIFF.replace("+    c = 3", "+    c = 4"), NEW_HEAD)
    comments = {c["body"]: c for c in gh.review_comments(9)}
    assert (comments["stays"]["line"], comments["stays"]["commit_id"]) == (3, NEW_HEAD)
    goes = comments["goes"]
    assert (goes["line"], goes["position"], goes["original_line"]) == (None, None, 23)
    assert (goes["commit_id"], goes["original_commit_id"]) == (HEAD, HEAD)


def test_pending_review_submit_and_delete(gh: FakeGitHub, g: Github) -> None:
    pr = g.get_repo("octo/demo").get_pull(7)
    pending = pr.create_review(body="draft", comments=[
        {"path": "src/app.py", "line": 3, "body": "later"}])  # fmt: skip
    assert pending.state == "PENDING"
    assert gh.review_comments(7) == []  # pending comments are private to their author
    with pytest.raises(GithubException) as exc:
        pr.create_review(body="again")
    assert exc.value.data["errors"] == ["User can only have one pending review per pull request"]
    path = f"/repos/octo/demo/pulls/7/reviews/{pending.id}"
    submitted = http(gh, "POST", f"{path}/events", json={"event": "REQUEST_CHANGES"}).json()
    assert submitted["state"] == "CHANGES_REQUESTED"
    assert [c["body"] for c in gh.review_comments(7)] == ["later"]
    refused = http(gh, "DELETE", path)
    assert (refused.status_code, refused.json()["errors"]) == (
        422, ["Can not delete a non-pending pull request review"])  # fmt: skip
    draft = pr.create_review(body="second draft")
    draft.delete()
    assert [r["body"] for r in gh.reviews(7)] == ["draft"]


def test_approve_rules(g: Github) -> None:
    pr = g.get_repo("octo/demo").get_pull(7)
    with pytest.raises(GithubException) as exc:
        pr.create_review(body="lgtm", event="APPROVE")
    assert exc.value.data["errors"] == ["GitHub Actions is not permitted to approve pull requests."]
    with FakeGitHub(pulls=[make_pr()], actions_can_approve=True) as gh, client(gh) as g2:
        approved = g2.get_repo("octo/demo").get_pull(7).create_review(event="APPROVE")
        assert approved.state == "APPROVED"
    with FakeGitHub(pulls=[make_pr(user_login="reviewbot[bot]")], bot_login="reviewbot[bot]") as gh:
        body = {"event": "REQUEST_CHANGES", "body": "no"}
        own = http(gh, "POST", "/repos/octo/demo/pulls/7/reviews", json=body).json()
        assert own["errors"] == ["Can not request changes on your own pull request"]


def test_single_comments_and_replies(gh: FakeGitHub, g: Github) -> None:
    pr = g.get_repo("octo/demo").get_pull(7)
    comment = pr.create_review_comment("one", HEAD, "src/app.py", line=24, side="RIGHT")
    assert (comment.line, comment.position, comment.commit_id) == (24, 13, HEAD)
    on_file = pr.create_review_comment("file", HEAD, "docs/old.md", subject_type="file")
    assert (on_file.subject_type, on_file.line) == ("file", None)
    on_file.delete()
    reply = pr.create_review_comment_reply(comment.id, "answer")
    assert (reply.in_reply_to_id, reply.path, reply.line) == (comment.id, "src/app.py", 24)
    with pytest.raises(GithubException) as exc:
        pr.create_review_comment("bad", HEAD, "src/app.py", line=10)
    assert exc.value.data["message"] == "Validation Failed"
    assert exc.value.data["errors"][0] == {
        "resource": "PullRequestReviewComment", "code": "custom",
        "field": "pull_request_review_thread.line",
        "message": "pull_request_review_thread.line must be part of the diff",
    }  # fmt: skip
    with pytest.raises(GithubException) as stale:
        pr.create_review_comment("old", NEW_HEAD, "src/app.py", line=3)
    assert stale.value.data["errors"][0]["message"] == (
        "end_commit_oid is not part of the pull request")  # fmt: skip
    fetched = g.get_repo("octo/demo").get_pull(7).get_review_comment(comment.id)
    fetched.edit("edited")
    assert [c["body"] for c in gh.review_comments(7)] == ["edited", "answer"]
    fetched.delete()
    assert [c["body"] for c in gh.review_comments(7)] == ["answer"]


def test_issue_comment_create_edit_delete(gh: FakeGitHub, g: Github) -> None:
    pr = g.get_repo("octo/demo").get_pull(7)
    comment = pr.create_issue_comment("## reviewbot summary")
    assert comment.user.login == "github-actions[bot]"
    comment.edit("## reviewbot summary (updated)")
    assert [c.body for c in pr.get_issue_comments()] == ["## reviewbot summary (updated)"]
    assert gh.issue_comments(7)[0]["body"] == "## reviewbot summary (updated)"
    comment.delete()
    assert gh.issue_comments(7) == []


def test_check_runs(gh: FakeGitHub, g: Github) -> None:
    repo = g.get_repo("octo/demo")
    run = repo.create_check_run(name="reviewbot", head_sha=HEAD, status="in_progress")
    run.edit(conclusion="neutral", output={"title": "Review", "summary": "2 findings"})
    stored = gh.check_runs()[0]
    assert (stored["status"], stored["conclusion"], stored["output"]["summary"]) == (
        "completed", "neutral", "2 findings")  # fmt: skip
    assert [r.name for r in repo.get_commit(HEAD).get_check_runs()] == ["reviewbot"]


# --------------------------------------------------------------------------- errors, faults


def test_bad_credentials(gh: FakeGitHub) -> None:
    with client(gh, "wrong") as g, pytest.raises(BadCredentialsException) as exc:
        g.get_repo("octo/demo")
    assert exc.value.data == {"message": "Bad credentials",
                              "documentation_url": "https://docs.github.com/rest",
                              "status": "401"}  # fmt: skip
    assert requests.get(f"{gh.api_url}/repos/octo/demo", timeout=10).status_code == 401
    bearer = requests.get(f"{gh.api_url}/repos/octo/demo", timeout=10,
                          headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    assert bearer.status_code == 200


def test_read_only_token_gets_403_on_writes() -> None:
    with FakeGitHub(pulls=[make_pr()], permissions="read") as gh, client(gh) as g:
        pr = g.get_repo("octo/demo").get_pull(7)
        for write in (lambda: pr.create_review(body="x", event="COMMENT"),
                      lambda: pr.create_issue_comment("x")):  # fmt: skip
            with pytest.raises(GithubException) as exc:
                write()
            assert exc.value.status == 403
            assert exc.value.data["message"] == "Resource not accessible by integration"
        assert gh.reviews(7) == [] and gh.issue_comments(7) == []
        assert len(list(pr.get_files())) == 5


def test_request_bodies_are_checked_against_the_contract(gh: FakeGitHub) -> None:
    resp = http(gh, "POST", "/repos/octo/demo/issues/7/comments", json={"text": "x"})
    assert (resp.status_code, resp.json()["message"]) == (
        422, 'Invalid request.\n\n"body" wasn\'t supplied.')  # fmt: skip
    resp = http(gh, "POST", "/repos/octo/demo/pulls/7/reviews", json={"event": "MAYBE"})
    assert resp.status_code == 422
    assert resp.json()["message"].startswith("Invalid request.\n\nFor 'properties/event', ")
    resp = http(gh, "POST", "/repos/octo/demo/issues/7/comments", data="{not json")
    assert (resp.status_code, resp.json()["message"]) == (400, "Problems parsing JSON")


def test_502_on_a_page_then_success(gh: FakeGitHub, g: Github) -> None:
    gh.enqueue(Fault(status=502, method="GET", path_pattern=r"/pulls/8/files\?page=2"))
    pr = g.get_repo("octo/demo").get_pull(8)
    with pytest.raises(GithubException) as exc:
        list(pr.get_files())
    assert exc.value.status == 502
    assert len(list(pr.get_files())) == 45
    assert [c.status for c in gh.calls if c.path.endswith("/files")] == [200, 502, 200, 200]


def test_secondary_rate_limit_fault(gh: FakeGitHub, g: Github) -> None:
    gh.enqueue(Fault.secondary_rate_limit(method="POST", path_pattern=r"/reviews$"))
    pr = g.get_repo("octo/demo").get_pull(7)
    with pytest.raises(RateLimitExceededException) as exc:
        pr.create_review(body="x", event="COMMENT")
    assert exc.value.headers["retry-after"] == "1"
    assert exc.value.data["message"].startswith(
        "You have exceeded a secondary rate limit. Please wait a few minutes"
    )
    assert pr.create_review(body="x", event="COMMENT").state == "COMMENTED"


def test_deleted_pull_request_fault_and_unknown_routes(gh: FakeGitHub, g: Github) -> None:
    gh.enqueue(Fault(status=404, path_pattern=r"/pulls/7$", times=None))
    with pytest.raises(UnknownObjectException):
        g.get_repo("octo/demo").get_pull(7)
    assert http(gh, "GET", "/repos/octo/demo/wiki").json()["message"] == "Not Found"
    assert http(gh, "GET", "/repos/other/repo/pulls/7").status_code == 404
    assert http(gh, "GET", "/repos/OCTO/Demo/pulls/8").status_code == 200


def test_reset_and_delay_faults(gh: FakeGitHub) -> None:
    gh.enqueue(Fault(kind="reset", path_pattern=r"/pulls/7$"))
    with pytest.raises(requests.ConnectionError):
        http(gh, "GET", "/repos/octo/demo/pulls/7")
    gh.enqueue(Fault(kind="delay", delay=0.3, path_pattern=r"/pulls/7$"))
    started = time.monotonic()
    assert http(gh, "GET", "/repos/octo/demo/pulls/7").status_code == 200
    assert time.monotonic() - started >= 0.3
    assert [c.status for c in gh.calls] == [0, 200]


def test_call_log_and_headers(gh: FakeGitHub, g: Github) -> None:
    pr = g.get_repo("octo/demo").get_pull(7)
    pr.create_issue_comment("hello")
    post = gh.calls[-1]
    assert (post.method, post.path, post.body, post.status) == (
        "POST", "/repos/octo/demo/issues/7/comments", {"body": "hello"}, 201)  # fmt: skip
    assert post.headers["authorization"] == f"token {TOKEN}"
    assert gh.count() == 3 and gh.count("GET") == 2 and gh.count(path_pattern=r"/pulls/7$") == 1
    resp = http(gh, "GET", "/repos/octo/demo/pulls/7")
    assert resp.headers["content-type"] == "application/json; charset=utf-8"
    assert resp.headers["x-ratelimit-used"] == "4"
    assert int(resp.headers["x-ratelimit-remaining"]) == 5000 - 4
    assert resp.headers["x-ratelimit-resource"] == "core"
    assert len(resp.headers["x-github-request-id"].split(":")) == 5
    assert g.get_rate_limit().resources.core.remaining == 4996


def test_concurrent_requests(gh: FakeGitHub) -> None:
    statuses: list[int] = []

    def worker() -> None:
        for _ in range(5):
            statuses.append(http(gh, "POST", "/repos/octo/demo/issues/7/comments",
                                 json={"body": "x"}).status_code)  # fmt: skip

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 40
    assert len({c["id"] for c in gh.issue_comments(7)}) == 40


# --------------------------------------------------------------------------- contract, corpus


def test_responses_match_the_contract_schemas(gh: FakeGitHub) -> None:
    contract = gs.load_contract()
    pr_path = "/repos/{owner}/{repo}/pulls/{pull_number}"
    review = {"event": "COMMENT", "body": "b", "comments": [
        {"path": "src/app.py", "start_line": 21, "line": 23, "body": "c"}]}  # fmt: skip
    rid = http(gh, "POST", "/repos/octo/demo/pulls/7/reviews", json=review).json()["id"]
    http(gh, "POST", "/repos/octo/demo/issues/7/comments", json={"body": "s"})
    run = {"name": "reviewbot", "head_sha": HEAD, "conclusion": "success"}
    http(gh, "POST", "/repos/octo/demo/check-runs", json=run)
    checks = {
        f"GET {pr_path}": "/pulls/7",
        f"GET {pr_path}/files": "/pulls/7/files",
        f"GET {pr_path}/commits": "/pulls/7/commits",
        f"GET {pr_path}/reviews": "/pulls/7/reviews",
        f"GET {pr_path}/reviews/{{review_id}}": f"/pulls/7/reviews/{rid}",
        f"GET {pr_path}/comments": "/pulls/7/comments",
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments": "/issues/7/comments",
        "GET /repos/{owner}/{repo}/commits/{ref}/check-runs": f"/commits/{HEAD}/check-runs",
        "GET /rate_limit": "",
    }
    for op, path in checks.items():
        url = f"/repos/octo/demo{path}" if path else "/rate_limit"
        jsonschema.validate(http(gh, "GET", url).json(), contract.response_schema(op))


def corpus_patches() -> list[Path]:
    wanted = ["c-mpv-302ccf1-no-eol", "c-mpv-5631d83-binary", "go-gofr-7fec8a5-space-in-path",
              "go-runc-e8bece6-crlf", "go-runc-7ab66b1-non-utf8", "ts-cline-311959e-symlinks",
              "py-browser-use-6eac1f6-rename-modechange", "rs-uv-1c5cab0-rename-mode-create-delete",
              "ts-cline-791d238-mass-rename-1534-files"]  # fmt: skip
    return [CORPUS / f"{name}.patch" for name in wanted]


@pytest.mark.parametrize("patch", corpus_patches(), ids=lambda p: p.stem)
def test_corpus_diffs_round_trip(patch: Path) -> None:
    if not patch.exists():
        pytest.skip(f"{patch} not available")
    diff = patch.read_bytes().decode("utf-8", errors="replace")
    expected = PatchSet(diff)
    with FakeGitHub(pulls=[make_pr(1, diff, omit_patch_for=set())]) as gh:
        files: list[dict[str, object]] = []
        url: str | None = f"{gh.api_url}/repos/octo/demo/pulls/1/files?per_page=100"
        while url:
            resp = requests.get(url, headers={"Authorization": f"token {TOKEN}"}, timeout=30)
            files += resp.json()
            url = resp.links.get("next", {}).get("url")
        assert [(f["additions"], f["deletions"]) for f in files] == [
            (pf.added, pf.removed) for pf in expected]  # fmt: skip
        for entry, pf in zip(files, expected, strict=True):
            patch_text = entry.get("patch")
            assert patch_text is None or str(patch_text).startswith("@@")
            assert (patch_text is None) == (pf.is_binary_file or not len(pf))
        raw = http(gh, "GET", "/repos/octo/demo/pulls/1",
                   headers={"Accept": "application/vnd.github.diff"})  # fmt: skip
        assert raw.status_code == (406 if len(expected) > 300 else 200)


def test_contents_are_base64_like_github(gh: FakeGitHub) -> None:
    body = http(gh, "GET", "/repos/octo/demo/contents/src/app.py?ref=main").json()
    assert (body["type"], body["encoding"], body["size"]) == ("file", "base64", 2)
    assert base64.b64decode(body["content"]) == b"x\n"
    assert body["sha"] == "587be6b4c3f93f93c489c0111bba5596147a26cb"  # git hash-object
    raw = http(gh, "GET", "/repos/octo/demo/contents/src/app.py?ref=main",
               headers={"Accept": "application/vnd.github.raw"})  # fmt: skip
    assert raw.content == b"x\n"
    listing = http(gh, "GET", "/repos/octo/demo/contents/src?ref=main").json()
    assert [(e["name"], e["type"]) for e in listing] == [("app.py", "file")]
