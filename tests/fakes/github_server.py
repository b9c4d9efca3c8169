"""A fake api.github.com for one repository, served over real HTTP on 127.0.0.1.

Used by end-to-end tests (real PyGithub pointed at it with ``base_url=gh.api_url``, like GitHub
Enterprise's ``GITHUB_API_URL``), by fault-injection tests and by the API-call benchmark.

API::

    from tests.fakes.github_server import FakeGitHub, PullRequestSpec, Fault

    pr = PullRequestSpec(number=7, diff=diff_text, base_sha="a"*40, head_sha="b"*40,
                         base_ref="main", head_ref="feature", title="...", body="...",
                         draft=False, labels=[], state="open",
                         head_repo_full_name=None,    # "fork/repo" makes it a fork PR
                         user_login="alice", omit_patch_for=set())  # patch left out (too large)
    with FakeGitHub(owner="octo", repo="demo", token="ghs_test", pulls=[pr],
                    base_files={"main": {".reviewbot.yml": "strictness: strict\\n"}},
                    permissions="write") as gh:            # "read": every write answers 403
        gh.api_url            # "http://127.0.0.1:PORT" (no trailing slash)
        gh.calls              # [RecordedCall(method, path, query, headers, body, status)]
        gh.count("POST", r"/reviews$")                     # calls matching method + path regex
        gh.enqueue(Fault(status=502, method="GET", path_pattern=r"/pulls/7/files", times=1))
        gh.reviews(7)         # stored reviews as GitHub returns them, plus "comments": [...]
        gh.review_comments(7) # inline comments of submitted reviews
        gh.issue_comments(7)  # the summary comment lives here
        gh.check_runs()       # created check runs
        gh.update_pull(7, diff=new_diff, head_sha="c"*40)  # a (force-)push, see below
        gh.add_commit_range(7, base_sha, head_sha, diff)   # diff for GET compare/{base}...{head}

Keyword-only extras: ``bot_login`` (the token's identity, default ``github-actions[bot]``),
``actions_can_approve`` (default False, GitHub's default for new repositories: APPROVE from
``github-actions[bot]`` is refused), ``default_branch`` ("main"), ``rate_limit`` (5000),
``contract_path`` (GitHub's OpenAPI extract; env ``REVIEWBOT_GITHUB_CONTRACT`` overrides).

Routes (under ``/repos/{owner}/{repo}``; ``/repositories/{id}/...``, which GitHub puts in its
``Link`` headers, works too; owner and repo are case-insensitive; anything else is a 404):

- ``GET ""`` repository; ``GET /pulls/{n}`` pull request, or the raw diff with ``Accept:
  application/vnd.github.diff`` / ``.v3.diff`` (406 ``too_large`` past 300 files or 20,000
  lines); ``GET /pulls/{n}/files`` (3000 files at most) and ``/commits``; ``GET /issues/{n}``.
- Reviews: ``GET|POST /pulls/{n}/reviews``, ``GET|PUT|DELETE /pulls/{n}/reviews/{id}``,
  ``POST .../{id}/events``, ``GET .../{id}/comments``.  Review comments: ``GET|POST
  /pulls/{n}/comments``, ``POST /pulls/{n}/comments/{id}/replies``, ``GET|PATCH|DELETE
  /pulls/comments/{id}``.  Issue comments: ``GET|POST /issues/{n}/comments``, ``GET|PATCH|DELETE
  /issues/comments/{id}``.
- ``GET /contents/{path}?ref=R`` from ``base_files`` (R: branch, base/head sha; raw with
  ``Accept: application/vnd.github.raw``); ``GET /compare/{base}...{head}``; ``GET
  /commits/{sha}``; ``POST /check-runs``, ``GET|PATCH /check-runs/{id}``, ``GET
  /commits/{ref}/check-runs``; ``GET /rate_limit``; ``GET /user`` (403, as for GITHUB_TOKEN).

Lists take ``per_page`` (default 30, max 100) and ``page`` and answer GitHub's ``Link`` header
(URLs under ``/repositories/{id}``, so ``RecordedCall.path`` of a followed page has that form).
Request bodies are checked against the contract's schemas (422 "Invalid request. ...").

Inline comments (in a review or alone) are checked against the PR's diff at ``commit_id``: RIGHT
lines are added or context lines of a hunk, LEFT lines deleted or context lines; ``start_line``
must sit in the same hunk and before ``line``; legacy ``position`` counts lines below the file's
first ``@@`` (later ``@@`` lines count too); binary files and ``omit_patch_for`` paths take no
line comments.  Failures use GitHub's texts: a review answers ``{"message": "Unprocessable
Entity", "errors": ["Pull request review thread line must be part of the diff and ..."]}`` and
stores nothing; a single comment answers ``{"message": "Validation Failed", "errors": [{resource,
code, field, message}]}``.  A ``commit_id`` that is not part of the PR answers 422 "The commitOID
is not part of the pull request".  Comments of a PENDING review only show under
``.../reviews/{id}/comments``.

Pushes: ``update_pull`` makes ``head_sha`` the only commit of the PR (a force-push), so the old
head becomes a stale ``commit_id``; pass ``keep_old_commits=True`` for an ordinary push, after
which reviews on the older commit are still accepted and checked against its diff.  Existing
comments stay: one whose line still exists with the same text gets the new ``position`` and
``commit_id``; the others become outdated like on GitHub (``position``, ``line`` and
``start_line`` null; ``original_*`` and ``diff_hunk`` kept).

Faults (``enqueue``; matched in order by method and ``re.search`` on path + "?" + query, used up
after ``times`` matches, ``times=None`` never): ``kind="status"`` answers ``status`` with
``headers`` and ``body`` (dict → JSON, str/bytes raw, None → GitHub-style message), optionally
after ``delay`` seconds; ``kind="delay"`` waits ``delay`` seconds, then answers normally;
``kind="reset"`` drops the connection without an answer.  ``Fault.secondary_rate_limit()``
builds GitHub's 403 with ``retry-after``.  Faulted calls are recorded (status 0 for a reset).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from tests.fakes import github_state as gs
from tests.fakes.github_state import ApiError, PullRequestSpec, RepoState, Shapes

__all__ = ["FakeGitHub", "Fault", "PullRequestSpec", "RecordedCall"]

JSON = "application/json; charset=utf-8"
_PR = "/repos/{owner}/{repo}/pulls/{pull_number}"
_ISSUE = "/repos/{owner}/{repo}/issues"
_CHECK = "/repos/{owner}/{repo}/check-runs"
SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)


@dataclass(frozen=True)
class RecordedCall:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int


@dataclass
class Fault:
    status: int = 500
    method: str | None = None
    path_pattern: str = ".*"
    times: int | None = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    kind: str = "status"  # "status" | "delay" | "reset"
    delay: float = 0.0

    @classmethod
    def secondary_rate_limit(cls, method: str | None = None, path_pattern: str = ".*",
                             times: int | None = 1, retry_after: int = 1) -> Fault:  # fmt: skip
        doc = ("https://docs.github.com/free-pro-team@latest/rest/overview/"
               "rate-limits-for-the-rest-api#about-secondary-rate-limits")  # fmt: skip
        body = {"message": SECONDARY_RATE_LIMIT, "documentation_url": doc}
        return cls(403, method, path_pattern, times, {"retry-after": str(retry_after)}, body)


@dataclass
class Request:
    method: str
    path: str  # as sent, without the query
    query: dict[str, str]
    query_pairs: list[tuple[str, str]]
    query_string: str
    headers: dict[str, str]
    body: Any
    bad_json: bool = False
    rest: str = ""  # path below /repos/{owner}/{repo}

    def wants(self, media: str) -> bool:
        return media in self.headers.get("accept", "")


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON


def _diff_reply(req: Request, diff: str, state: RepoState) -> Reply | None:
    """The raw diff when the Accept header asks for it (GitHub's diff/patch media types)."""
    kind = next((k for k in ("diff", "patch") if req.wants(f"vnd.github.{k}")
                 or req.wants(f"vnd.github.v3.{k}")), None)  # fmt: skip
    if kind is None:
        return None
    too_large = state.too_large(diff)
    if too_large:
        raise too_large
    return Reply(200, diff, content_type=f"application/vnd.github.{kind}; charset=utf-8")


class Routes:
    """Maps ``(method, path)`` to handlers that read and change ``RepoState``."""

    TABLE: ClassVar[list[tuple[str, str, str, str | None]]] = [
        ("GET", "", "get_repo", None),
        ("GET", r"/pulls/(\d+)", "get_pull", f"GET {_PR}"),
        ("GET", r"/pulls/(\d+)/files", "list_files", f"GET {_PR}/files"),
        ("GET", r"/pulls/(\d+)/commits", "list_commits", f"GET {_PR}/commits"),
        ("GET", r"/pulls/(\d+)/reviews", "list_reviews", f"GET {_PR}/reviews"),
        ("POST", r"/pulls/(\d+)/reviews", "create_review", gs.OP_REVIEWS),
        ("GET", r"/pulls/(\d+)/reviews/(\d+)", "get_review", f"GET {_PR}/reviews/{{review_id}}"),
        ("PUT", r"/pulls/(\d+)/reviews/(\d+)", "update_review", None),
        ("DELETE", r"/pulls/(\d+)/reviews/(\d+)", "delete_review", gs.OP_DELETE_REVIEW),
        ("POST", r"/pulls/(\d+)/reviews/(\d+)/events", "submit_review", gs.OP_EVENTS),
        ("GET", r"/pulls/(\d+)/reviews/(\d+)/comments", "list_review_comments", None),
        ("GET", r"/pulls/(\d+)/comments", "list_comments", f"GET {_PR}/comments"),
        ("POST", r"/pulls/(\d+)/comments", "create_comment", gs.OP_COMMENTS),
        ("POST", r"/pulls/(\d+)/comments/(\d+)/replies", "reply", None),
        ("GET", r"/pulls/comments/(\d+)", "get_comment", None),
        ("PATCH", r"/pulls/comments/(\d+)", "edit_comment", None),
        ("DELETE", r"/pulls/comments/(\d+)", "delete_comment", None),
        ("GET", r"/issues/(\d+)", "get_issue", None),
        ("GET", r"/issues/(\d+)/comments", "list_issue_comments", None),
        ("POST", r"/issues/(\d+)/comments", "create_issue_comment", None),
        ("GET", r"/issues/comments/(\d+)", "get_issue_comment", None),
        ("PATCH", r"/issues/comments/(\d+)", "edit_issue_comment", None),
        ("DELETE", r"/issues/comments/(\d+)", "delete_issue_comment", None),
        ("GET", r"/contents(?:/(.*))?", "contents", None),
        ("GET", r"/compare/(.+?)\.\.\.(.+)", "compare", None),
        ("GET", r"/commits/([^/]+)", "get_commit", None),
        ("GET", r"/commits/([^/]+)/check-runs", "list_check_runs", None),
        ("POST", r"/check-runs", "create_check_run", f"POST {_CHECK}"),
        ("GET", r"/check-runs/(\d+)", "get_check_run", None),
        ("PATCH", r"/check-runs/(\d+)", "update_check_run", f"PATCH {_CHECK}/{{check_run_id}}"),
    ]

    def __init__(self, state: RepoState):
        self.state, self.sh = state, state.shapes
        self.prefix = f"/repos/{self.sh.owner}/{self.sh.repo}".lower()
        self.table = [(m, re.compile(p), getattr(self, h), op) for m, p, h, op in self.TABLE]

    # ------------------------------------------------------------------ dispatch

    def dispatch(self, req: Request) -> Reply:
        path = re.sub(rf"^/repositories/{self.sh.repo_id}(?=/|$)", self.prefix, req.path)
        if path == "/rate_limit":
            return Reply(200, self.rate_limit_body())
        if path == "/user":
            return self._forbidden(gs.DOCS)
        if not (path.lower() + "/").startswith(self.prefix + "/"):
            raise gs.not_found()
        req.rest = path[len(self.prefix) :]
        for method, pattern, handler, op in self.table:
            match = pattern.fullmatch(req.rest)
            if match and method == req.method:
                if method != "GET" and not self.state.can_write:
                    return self._forbidden(self.state.contract.doc_url(op) if op else gs.DOCS)
                return handler(req, *match.groups())
        raise gs.not_found()

    def _forbidden(self, doc: str) -> Reply:
        return Reply(403, gs.error_body(403, "Resource not accessible by integration", doc))

    def paginate(self, req: Request, items: list[Any]) -> Reply:
        per_page = min(_int(req.query.get("per_page"), 30) or 30, 100)
        page = max(_int(req.query.get("page"), 1), 1)
        last = max(math.ceil(len(items) / per_page), 1)
        rels = []
        if page > 1:
            rels.append(("prev", page - 1))
        if page < last:
            rels += [("next", page + 1), ("last", last)]
        if page > 1:
            rels.append(("first", 1))
        base = f"{self.sh.api}/repositories/{self.sh.repo_id}{req.rest}"
        pairs = [(k, v) for k, v in req.query_pairs if k != "page"]
        links = [f'<{base}?{urlencode([*pairs, ("page", n)])}>; rel="{rel}"' for rel, n in rels]
        chunk = items[(page - 1) * per_page : page * per_page]
        return Reply(200, chunk, {"link": ", ".join(links)} if links else {})

    def rate_limit_body(self) -> dict[str, Any]:
        body = self.state.contract.example("GET /rate_limit")
        core = self.state.rate_core()
        body["resources"]["core"] = core
        body["rate"] = dict(core)
        return body

    # ------------------------------------------------------------------ repository, PRs

    def get_repo(self, req: Request) -> Reply:
        return Reply(200, self.state.repo_json())

    def get_pull(self, req: Request, n: str) -> Reply:
        pr = self.state.pull(int(n))
        return _diff_reply(req, pr.diff, self.state) or Reply(200, self.state.pull_json(pr))

    def list_files(self, req: Request, n: str) -> Reply:
        return self.paginate(req, self.state.files_json(self.state.pull(int(n))))

    def list_commits(self, req: Request, n: str) -> Reply:
        return self.paginate(req, self.state.commits_json(self.state.pull(int(n))))

    def get_issue(self, req: Request, n: str) -> Reply:
        return Reply(200, self.state.issue_json(self.state.pull(int(n))))

    # ------------------------------------------------------------------ reviews

    def list_reviews(self, req: Request, n: str) -> Reply:
        number = self.state.pull(int(n)).number
        return self.paginate(req, [r.data for r in self.state.reviews.values() if r.pr == number])

    def create_review(self, req: Request, n: str) -> Reply:
        return Reply(200, self.state.create_review(int(n), req.body or {}))

    def get_review(self, req: Request, n: str, rid: str) -> Reply:
        return Reply(200, self.state.review(int(n), int(rid)).data)

    def update_review(self, req: Request, n: str, rid: str) -> Reply:
        stored = self.state.review(int(n), int(rid))
        stored.data["body"] = (req.body or {}).get("body", stored.data["body"])
        return Reply(200, stored.data)

    def delete_review(self, req: Request, n: str, rid: str) -> Reply:
        return Reply(200, self.state.delete_review(int(n), int(rid)))

    def submit_review(self, req: Request, n: str, rid: str) -> Reply:
        return Reply(200, self.state.submit_review(int(n), int(rid), req.body or {}))

    def list_review_comments(self, req: Request, n: str, rid: str) -> Reply:
        self.state.review(int(n), int(rid))
        return self.paginate(req, self.state.review_comments_of(int(rid)))

    # ------------------------------------------------------------------ review comments

    def list_comments(self, req: Request, n: str) -> Reply:
        number = self.state.pull(int(n)).number
        return self.paginate(req, self.state.visible_comments(number))

    def create_comment(self, req: Request, n: str) -> Reply:
        data = self.state.create_comment(int(n), req.body or {})
        return Reply(201, data, {"location": data["url"]})

    def reply(self, req: Request, n: str, cid: str) -> Reply:
        data = self.state.reply(int(n), int(cid), req.body or {})
        return Reply(201, data, {"location": data["url"]})

    def get_comment(self, req: Request, cid: str) -> Reply:
        return Reply(200, self.state.comment(int(cid), self.state.comments).data)

    def edit_comment(self, req: Request, cid: str) -> Reply:
        op = "PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}"
        return Reply(200, self.state.edit_comment(int(cid), self.state.comments, op, req.body))

    def delete_comment(self, req: Request, cid: str) -> Reply:
        self.state.comment(int(cid), self.state.comments)
        del self.state.comments[int(cid)]
        return Reply(204)

    # ------------------------------------------------------------------ issue comments

    def list_issue_comments(self, req: Request, n: str) -> Reply:
        number = self.state.pull(int(n)).number
        items = [c.data for c in self.state.issue_comments.values() if c.pr == number]
        return self.paginate(req, items)

    def create_issue_comment(self, req: Request, n: str) -> Reply:
        data = self.state.create_issue_comment(int(n), req.body or {})
        return Reply(201, data, {"location": data["url"]})

    def get_issue_comment(self, req: Request, cid: str) -> Reply:
        return Reply(200, self.state.comment(int(cid), self.state.issue_comments).data)

    def edit_issue_comment(self, req: Request, cid: str) -> Reply:
        op = f"PATCH {_ISSUE}/comments/{{comment_id}}"
        table = self.state.issue_comments
        return Reply(200, self.state.edit_comment(int(cid), table, op, req.body))

    def delete_issue_comment(self, req: Request, cid: str) -> Reply:
        self.state.comment(int(cid), self.state.issue_comments)
        del self.state.issue_comments[int(cid)]
        return Reply(204)

    # ------------------------------------------------------------------ contents, commits

    def contents(self, req: Request, path: str | None) -> Reply:
        doc = "https://docs.github.com/rest/repos/contents#get-repository-content"
        ref = req.query.get("ref") or self.state.default_branch
        tree = self.state.tree(ref)
        if tree is None:
            raise gs.not_found(doc, f"No commit found for the ref {ref}")
        path = unquote(path or "").strip("/")
        if path in tree:
            data = tree[path].encode() if isinstance(tree[path], str) else tree[path]
            if req.wants("vnd.github.raw") or req.wants("vnd.github.v3.raw"):
                return Reply(200, data, content_type="text/plain; charset=utf-8")
            return Reply(200, self.state.content_json(path, data, ref))
        listing = self.state.listing(tree, path, ref)
        if not listing:
            raise gs.not_found(doc)
        return Reply(200, listing)

    def compare(self, req: Request, base: str, head: str) -> Reply:
        found = self.state.compare(unquote(base), unquote(head))
        if found is None:
            raise gs.not_found("https://docs.github.com/rest/commits/commits#compare-two-commits")
        diff, body = found
        return _diff_reply(req, diff, self.state) or Reply(200, body)

    def get_commit(self, req: Request, sha: str) -> Reply:
        body = self.state.commit_json(sha)
        return _diff_reply(req, body.pop("_diff"), self.state) or Reply(200, body)

    # ------------------------------------------------------------------ check runs

    def create_check_run(self, req: Request) -> Reply:
        data = self.state.create_check_run(req.body or {})
        return Reply(201, data, {"location": data["url"]})

    def get_check_run(self, req: Request, cid: str) -> Reply:
        if int(cid) not in self.state.check_runs:
            raise gs.not_found()
        return Reply(200, self.state.check_runs[int(cid)])

    def update_check_run(self, req: Request, cid: str) -> Reply:
        if int(cid) not in self.state.check_runs:
            raise gs.not_found()
        data = self.state.update_check_run(int(cid), req.body or {})
        return Reply(200, data)

    def list_check_runs(self, req: Request, ref: str) -> Reply:
        sha = self.state.resolve_sha(ref)
        runs = [r for r in self.state.check_runs.values() if r["head_sha"] == sha]
        return Reply(200, {"total_count": len(runs), "check_runs": runs})


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def version_string(self) -> str:
        return "GitHub.com"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.conn_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.conn_lock:
                self.server.connections.discard(self.connection)

    def _any(self) -> None:
        self.server.fake.handle(self)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # joined in server_close()
    block_on_close = True
    request_queue_size = 128  # the default 5 drops SYNs under concurrent clients

    def __init__(self, fake: FakeGitHub):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()

    def close_connections(self) -> None:
        with self.conn_lock:
            for conn in self.connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)


class FakeGitHub:
    """A fake GitHub REST API for one repository; see the module docstring."""

    def __init__(
        self, owner: str = "octo", repo: str = "demo", token: str = "ghs_test",
        pulls: list[PullRequestSpec] | None = None,
        base_files: dict[str, dict[str, str | bytes]] | None = None,
        permissions: str = "write", *, bot_login: str = "github-actions[bot]",
        actions_can_approve: bool = False, default_branch: str = "main",
        rate_limit: int = 5000, contract_path: str | None = None,
    ) -> None:  # fmt: skip
        if permissions not in ("read", "write"):
            raise ValueError(f"permissions must be 'read' or 'write', not {permissions!r}")
        self.token, self.permissions = token, permissions
        self._server = _Server(self)
        self.api_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        contract = gs.load_contract(contract_path or gs.CONTRACT_PATH)
        shapes = Shapes(contract, self.api_url, owner, repo, repo_id=123456789)
        self.state = RepoState(
            shapes, pulls or [], base_files=base_files, bot_login=bot_login,
            actions_can_approve=actions_can_approve, default_branch=default_branch,
            rate_limit=rate_limit, can_write=permissions == "write",
        )  # fmt: skip
        self.routes = Routes(self.state)
        self._lock = threading.RLock()
        self._faults: list[Fault] = []
        self._calls: list[RecordedCall] = []
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeGitHub:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name=f"FakeGitHub {self.api_url}"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is None:
            self._server.server_close()
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()
        self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ test-side API

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._calls)

    def count(self, method: str | None = None, path_pattern: str = ".*") -> int:
        return sum((method is None or c.method == method) and bool(re.search(path_pattern, c.path))
                   for c in self.calls)  # fmt: skip

    def enqueue(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def reviews(self, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return [{**r.data, "comments": self.state.review_comments_of(r.data["id"])}
                    for r in self.state.reviews.values() if r.pr == number]  # fmt: skip

    def review_comments(self, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self.state.visible_comments(number)]

    def issue_comments(self, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c.data) for c in self.state.issue_comments.values() if c.pr == number]

    def check_runs(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self.state.check_runs.values()]

    def update_pull(self, number: int, diff: str, head_sha: str, *,
                    keep_old_commits: bool = False) -> None:  # fmt: skip
        with self._lock:
            self.state.update_pull(number, diff, head_sha, keep_old_commits)

    def add_commit_range(self, number: int, base_sha: str, head_sha: str, diff: str) -> None:
        with self._lock:
            self.state.pull(number)
            self.state.add_commit_range(base_sha, head_sha, diff)

    # ------------------------------------------------------------------ request handling

    def handle(self, h: _Handler) -> None:
        req = self._read(h)
        fault = self._take_fault(req)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.kind == "reset":
            self._record(req, 0)
            h.close_connection = True
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            return
        with self._lock:
            headers = self._standard_headers()
            if fault is not None and fault.kind == "status":
                reply = self._fault_reply(fault, headers["x-github-request-id"])
            else:
                reply = self._answer(req)
            self._record(req, reply.status)
            headers.update(self._rate_headers())
        self._send(h, reply, headers)

    def _read(self, h: _Handler) -> Request:
        url = urlsplit(h.path)
        raw = h.rfile.read(int(h.headers.get("content-length") or 0))
        body, bad = None, False
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                bad = True
        pairs = parse_qsl(url.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in h.headers.items()}
        return Request(h.command, url.path, dict(pairs), pairs, url.query, headers, body, bad)

    def _take_fault(self, req: Request) -> Fault | None:
        target = req.path + ("?" + req.query_string if req.query_string else "")
        with self._lock:
            for fault in self._faults:
                if fault.method not in (None, req.method):
                    continue
                if not re.search(fault.path_pattern, target):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _fault_reply(fault: Fault, request_id: str) -> Reply:
        body = fault.body
        if body is None:
            message = "Server Error" if fault.status >= 500 else HTTPStatus(fault.status).phrase
            body = gs.error_body(fault.status, message)
        elif isinstance(body, dict) and "{request_id}" in body.get("message", ""):
            body = {**body, "message": body["message"].replace("{request_id}", request_id)}
        headers = {k.lower(): v for k, v in fault.headers.items()}
        return Reply(fault.status, body, headers)

    def _answer(self, req: Request) -> Reply:
        if not self._authorized(req):
            return Reply(401, gs.error_body(401, "Bad credentials"))
        if req.path != "/rate_limit":
            self.state.rate_used += 1
        if req.bad_json:
            return Reply(400, gs.error_body(400, "Problems parsing JSON"))
        try:
            return self.routes.dispatch(req)
        except ApiError as exc:
            return Reply(exc.status, exc.body, exc.headers)

    def _authorized(self, req: Request) -> bool:
        scheme, _, value = req.headers.get("authorization", "").partition(" ")
        return scheme.lower() in ("token", "bearer") and value.strip() == self.token

    def _standard_headers(self) -> dict[str, str]:
        n = len(self._calls) + 1
        return {
            "x-github-request-id": f"F00D:{n:06X}:{n * 7919:08X}:{n * 104729:08X}:{n:08X}",
            "x-github-media-type": "github.v3; format=json",
            "x-github-api-version-selected": "2022-11-28",
        }

    def _rate_headers(self) -> dict[str, str]:
        core = self.state.rate_core()
        names = ("limit", "remaining", "reset", "used")
        return {**{f"x-ratelimit-{k}": str(core[k]) for k in names}, "x-ratelimit-resource": "core"}

    def _record(self, req: Request, status: int) -> None:
        self._calls.append(RecordedCall(req.method, req.path, req.query, req.headers, req.body,
                                        status))  # fmt: skip

    @staticmethod
    def _send(h: _Handler, reply: Reply, headers: dict[str, str]) -> None:
        if isinstance(reply.body, (dict, list)):
            payload = json.dumps(reply.body).encode()
        elif isinstance(reply.body, str):
            payload = reply.body.encode()
        else:
            payload = reply.body or b""
        h.send_response(reply.status)
        for name, value in {**headers, **reply.headers}.items():
            h.send_header(name, value)
        if reply.status != 204:
            h.send_header("content-type", reply.content_type)
            h.send_header("content-length", str(len(payload)))
        h.end_headers()
        if reply.status != 204:
            h.wfile.write(payload)
