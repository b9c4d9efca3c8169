"""Repository state, diff model and JSON shapes behind ``FakeGitHub``.

The HTTP side (routing, auth, faults, pagination) lives in ``github_server``; this module holds
what GitHub would keep in its database and the rules GitHub applies to writes.  Response bodies
start from the examples in GitHub's OpenAPI description (the contract extract named by
``CONTRACT_PATH``) with the URLs moved to the fake's address, then get the real values set.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import os
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

import jsonschema
from unidiff import PatchSet

CONTRACT_PATH = os.environ.get(
    "REVIEWBOT_GITHUB_CONTRACT", "/work/shared/contracts/github-pulls-openapi.json"
)
DOCS = "https://docs.github.com/rest"
HTML = "https://github.com"
MAX_LIST_FILES = 3000
EXAMPLE_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
BOT_IDS = {"github-actions[bot]": 41898282}
_PR = "/repos/{owner}/{repo}/pulls/{pull_number}"
OP_REVIEWS = f"POST {_PR}/reviews"
OP_COMMENTS = f"POST {_PR}/comments"
OP_EVENTS = f"POST {_PR}/reviews/{{review_id}}/events"
OP_DELETE_REVIEW = f"DELETE {_PR}/reviews/{{review_id}}"


@dataclass
class PullRequestSpec:
    """One pull request of the fake repository (``head_repo_full_name`` set = fork PR)."""

    number: int
    diff: str
    base_sha: str = "a" * 40
    head_sha: str = "b" * 40
    base_ref: str = "main"
    head_ref: str = "feature"
    title: str = "Test pull request"
    body: str | None = ""
    draft: bool = False
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    head_repo_full_name: str | None = None
    user_login: str = "alice"
    omit_patch_for: set[str] = field(default_factory=set)


class ApiError(Exception):
    """An HTTP error answer: status, JSON body and extra headers."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None):
        super().__init__(f"{status} {body}")
        self.status, self.body, self.headers = status, body, headers or {}


def error_body(status: int, message: str, doc: str = DOCS, **extra: Any) -> dict[str, Any]:
    return {"message": message, **extra, "documentation_url": doc, "status": str(status)}


def not_found(doc: str = DOCS, message: str = "Not Found") -> ApiError:
    return ApiError(404, error_body(404, message, doc))


def unprocessable(errors: list[Any], doc: str) -> ApiError:
    return ApiError(422, error_body(422, "Unprocessable Entity", doc, errors=errors))


def validation_failed(errors: list[dict[str, Any]], doc: str) -> ApiError:
    return ApiError(422, error_body(422, "Validation Failed", doc, errors=errors))


def to_sentence(parts: list[str]) -> str:
    """Join like Rails' ``to_sentence``, as GitHub does for review-thread errors."""
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + ", and " + parts[-1]


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# --------------------------------------------------------------------------- diff model


@dataclass
class DiffLine:
    kind: str  # "+", "-", " " or "\\"
    old: int | None
    new: int | None
    position: int
    hunk: int
    index: int  # index in the hunk's raw lines (the header is 0)
    text: str

    @property
    def side(self) -> str:
        return "LEFT" if self.kind == "-" else "RIGHT"


@dataclass
class FileDiff:
    filename: str
    previous_filename: str | None
    status: str
    additions: int
    deletions: int
    binary: bool
    hunks: list[list[str]]  # raw lines of each hunk, header first
    lines: dict[tuple[str, int], DiffLine]  # (side, line number) -> commentable line
    by_position: dict[int, DiffLine]

    @property
    def patch(self) -> str | None:
        if self.binary or not self.hunks:
            return None
        return "\n".join("\n".join(h) for h in self.hunks)

    def diff_hunk(self, dl: DiffLine) -> str:
        """GitHub's ``diff_hunk``: the hunk from its header down to the commented line."""
        return "\n".join(self.hunks[dl.hunk][: dl.index + 1])


def _status(pf: Any) -> str:
    info = "".join(pf.patch_info or [])
    if pf.is_added_file:
        return "added"
    if pf.is_removed_file:
        return "removed"
    if "\ncopy from " in "\n" + info:
        return "copied"
    if pf.is_rename:
        return "renamed"
    if not len(pf) and pf.source_mode != pf.target_mode:
        return "changed"
    return "modified"


def _unquote(name: str) -> str:
    """Undo git's C-style quoting of unusual paths (``"caf\\303\\251.txt"`` → ``café.txt``)."""
    if len(name) < 2 or name[0] != '"' or name[-1] != '"':
        return name
    escaped = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return escaped.encode("latin-1").decode("utf-8", "replace")


def _strip_prefix(name: str) -> str:
    name = _unquote(name)
    return name[2:] if name[:2] in ("a/", "b/") else name


def _file_diff(pf: Any, headers: list[str]) -> FileDiff:
    hunks: list[list[str]] = []
    lines: dict[tuple[str, int], DiffLine] = {}
    by_position: dict[int, DiffLine] = {}
    position = 0
    for h_idx, hunk in enumerate(pf):
        position += 1 if h_idx else 0
        raw = [headers.pop(0) if headers else str(hunk).split("\n", 1)[0]]
        for ln in hunk:
            if ln.line_type == "":  # unidiff's marker for a trailing blank line
                continue
            position += 1
            text = ln.value.rstrip("\n")
            dl = DiffLine(
                ln.line_type, ln.source_line_no, ln.target_line_no, position, h_idx, len(raw), text
            )
            raw.append(ln.line_type + text)
            by_position[position] = dl
            if ln.is_added or ln.is_context:
                lines[("RIGHT", ln.target_line_no)] = dl
            if ln.is_removed or ln.is_context:
                lines[("LEFT", ln.source_line_no)] = dl
        hunks.append(raw)
    status = _status(pf)
    previous = _strip_prefix(pf.source_file) if status in ("renamed", "copied") else None
    return FileDiff(
        _unquote(pf.path), previous, status, pf.added, pf.removed, bool(pf.is_binary_file),
        hunks, lines, by_position,
    )  # fmt: skip


@functools.lru_cache(maxsize=64)
def parse_diff(text: str) -> tuple[FileDiff, ...]:
    """Parse a unified git diff into GitHub's per-file view (cached; treat as read-only)."""
    headers = [ln.rstrip("\r") for ln in text.split("\n") if ln.startswith("@@")]
    files = []
    for pf in PatchSet(text):
        mine, headers = headers[: len(pf)], headers[len(pf) :]
        files.append(_file_diff(pf, mine))
    return tuple(files)


# --------------------------------------------------------------------------- contract


def openapi_to_jsonschema(schema: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: ``nullable`` becomes a null type, cycles accept anything."""
    if isinstance(schema, list):
        return [openapi_to_jsonschema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("x-circular-ref"):
        return {}
    out = {k: openapi_to_jsonschema(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "type" not in out and "enum" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Contract:
    """GitHub's REST contract extract: request schemas, examples, documentation URLs."""

    def __init__(self, path: str = CONTRACT_PATH):
        with open(path, encoding="utf-8") as fh:
            self.ops: dict[str, Any] = json.load(fh)["operations"]

    def doc_url(self, op: str) -> str:
        return self.ops[op].get("externalDocs", {}).get("url", DOCS)

    def example(self, op: str, code: str = "200", name: str | None = None) -> Any:
        examples = self.ops[op]["responses"][code]["content"]["application/json"]["examples"]
        return copy.deepcopy(examples[name or next(iter(examples))]["value"])

    def response_schema(self, op: str, code: str = "200") -> Any:
        media = self.ops[op]["responses"][code]["content"]["application/json"]
        return openapi_to_jsonschema(media["schema"])

    @functools.cached_property
    def _validators(self) -> dict[str, Any]:
        out = {}
        for op, spec in self.ops.items():
            body = spec.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                out[op] = jsonschema.Draft4Validator(openapi_to_jsonschema(body["schema"]))
        return out

    def validate(self, op: str, body: Any) -> None:
        """Raise GitHub's 422 "Invalid request." answer when ``body`` breaks the schema."""
        validator = self._validators.get(op)
        error = validator and jsonschema.exceptions.best_match(validator.iter_errors(body))
        if error:
            message = "Invalid request.\n\n" + _schema_message(error)
            raise ApiError(422, error_body(422, message, self.doc_url(op)))


def _ruby_inspect(value: Any) -> str:
    return "nil" if value is None else json.dumps(value)


def _schema_message(error: Any) -> str:
    if error.validator == "required":
        return error.message.split(" is a required")[0].replace("'", '"') + " wasn't supplied."
    where = "/".join(
        f"properties/{p}" if isinstance(p, str) else "items" for p in error.absolute_path
    )
    what = {
        "type": f"is not {'an' if str(error.validator_value)[0] in 'aeiou' else 'a'} "
        f"{error.validator_value}.",
        "enum": f"is not a member of {json.dumps(error.validator_value)}.",
    }.get(error.validator, f"is invalid ({error.message}).")
    return f"For '{where or 'body'}', {_ruby_inspect(error.instance)} {what}"


@functools.lru_cache(maxsize=4)
def load_contract(path: str = CONTRACT_PATH) -> Contract:
    try:
        return Contract(path)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"GitHub's REST contract extract is missing at {path}; set "
            "REVIEWBOT_GITHUB_CONTRACT to the github-pulls-openapi.json file"
        ) from None


def relocate(obj: Any, mapping: dict[str, str]) -> Any:
    """Rewrite every string of an example so its URLs point at the fake repository."""
    if isinstance(obj, dict):
        return {k: relocate(v, mapping) for k, v in obj.items()}
    if isinstance(obj, list):
        return [relocate(v, mapping) for v in obj]
    if isinstance(obj, str):
        for old, new in mapping.items():
            obj = obj.replace(old, new)
    return obj


def node_id(prefix: str, ident: int) -> str:
    return prefix + "_kwDO" + base64.b64encode(str(ident).encode()).decode().rstrip("=")


def fake_sha(*parts: str) -> str:
    return hashlib.sha1(":".join(parts).encode()).hexdigest()


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# --------------------------------------------------------------------------- shapes


class Shapes:
    """Builds GitHub's JSON objects for this repository from the contract's examples."""

    def __init__(self, contract: Contract, api_url: str, owner: str, repo: str, repo_id: int):
        self.contract, self.api, self.owner, self.repo = contract, api_url, owner, repo
        self.repo_id = repo_id
        self.base = f"{api_url}/repos/{owner}/{repo}"
        self.html = f"{HTML}/{owner}/{repo}"
        self._moves = {
            "https://api.github.com": api_url,
            "octocat/Hello-World": f"{owner}/{repo}",
            "github/hello-world": f"{owner}/{repo}",
        }

    def example(self, op: str, code: str = "200", name: str | None = None) -> Any:
        return relocate(self.contract.example(op, code, name), self._moves)

    @functools.cached_property
    def _pull_example(self) -> dict[str, Any]:
        return self.contract.example(f"GET {_PR}")

    def user(self, login: str) -> dict[str, Any]:
        moves = {**self._moves, "/users/octocat": f"/users/{quote(login)}", "octocat": login}
        out = relocate(self._pull_example["user"], moves)
        ident = BOT_IDS.get(login, zlib.crc32(login.encode()) % 10_000_000 + 1000)
        is_bot = login.endswith("[bot]")
        out.update(
            id=ident,
            node_id=node_id("U", ident),
            type="Bot" if is_bot else "User",
            avatar_url=f"https://avatars.githubusercontent.com/u/{ident}?v=4",
        )
        if is_bot:
            out["html_url"] = f"{HTML}/apps/{login[:-5]}"
        return out

    def repository(self, full_name: str, default_branch: str, push: bool) -> dict[str, Any]:
        owner, name = full_name.split("/", 1)
        moves = {**self._moves, "octocat/Hello-World": full_name}
        out = relocate(self._pull_example["head"]["repo"], moves)
        ident = self.repo_id if full_name == f"{self.owner}/{self.repo}" else self.repo_id + 1
        out.update(
            id=ident, node_id=node_id("R", ident), name=name, full_name=full_name,
            owner=self.user(owner), private=True, fork=ident != self.repo_id,
            description="Fake repository served by tests.fakes.github_server",
            default_branch=default_branch, topics=[],
            permissions={"admin": False, "maintain": False, "push": push, "triage": push,
                         "pull": True},
        )  # fmt: skip
        return out

    def file(self, fd: FileDiff, sha: str, with_patch: bool) -> dict[str, Any]:
        quoted = quote(fd.filename)
        out = {
            "sha": fake_sha(sha, fd.filename),
            "filename": fd.filename,
            "status": fd.status,
            "additions": fd.additions,
            "deletions": fd.deletions,
            "changes": fd.additions + fd.deletions,
            "blob_url": f"{self.html}/blob/{sha}/{quoted}",
            "raw_url": f"{self.html}/raw/{sha}/{quoted}",
            "contents_url": f"{self.base}/contents/{quoted}?ref={sha}",
        }
        if with_patch and fd.patch is not None:
            out["patch"] = fd.patch
        if fd.previous_filename:
            out["previous_filename"] = fd.previous_filename
        return out

    def commit(self, sha: str, parent: str, message: str, author: str) -> dict[str, Any]:
        out = relocate(self.example(f"GET {_PR}/commits")[0], {EXAMPLE_SHA: sha})
        out.update(node_id=node_id("C", zlib.crc32(sha.encode())), author=self.user(author))
        out["committer"] = self.user("web-flow")
        out["commit"]["message"] = message
        out["parents"] = [{"url": f"{self.base}/commits/{parent}", "sha": parent,
                           "html_url": f"{self.html}/commit/{parent}"}]  # fmt: skip
        return out


# --------------------------------------------------------------------------- state


@dataclass
class PullState:
    spec: PullRequestSpec
    head_sha: str
    commits: list[str]  # shas that are part of the pull request, oldest first
    diffs: dict[str, str]  # commit sha -> the PR's diff at that commit
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)

    @property
    def number(self) -> int:
        return self.spec.number

    @property
    def diff(self) -> str:
        return self.diffs[self.head_sha]

    def files(self, sha: str | None = None) -> tuple[FileDiff, ...]:
        return parse_diff(self.diffs[sha or self.head_sha])

    def commentable(self, path: str, sha: str) -> FileDiff | None:
        """The file of the diff at ``sha`` when GitHub shows hunks for it, else None."""
        for fd in self.files(sha):
            if fd.filename == path and path not in self.spec.omit_patch_for and fd.patch:
                return fd
        return None

    def touches(self, path: str, sha: str) -> bool:
        return any(fd.filename == path for fd in self.files(sha))


@dataclass
class Anchor:
    """Where an inline comment sits in the diff, kept to re-anchor it after a push."""

    path: str
    side: str | None = None
    line: int | None = None
    text: str = ""
    start_side: str | None = None
    start_line: int | None = None
    position: int | None = None
    diff_hunk: str = ""


@dataclass
class Stored:
    pr: int
    data: dict[str, Any]
    anchor: Anchor | None = None


class ThreadError(Exception):
    """A review-thread validation failure; ``kinds`` name GitHub's failing checks."""

    REVIEW_TEXT: ClassVar[dict[str, str]] = {
        "path": "Pull request review thread path is invalid",
        "line": "Pull request review thread line must be part of the diff",
        "start_hunk": "Pull request review thread start line must be part of the same hunk as "
        "the line.",
        "start_order": "Pull request review thread start line must precede the end line.",
        "diff_hunk": "Pull request review thread diff hunk can't be blank",
    }
    FIELD: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "path": ("invalid", "pull_request_review_thread.path", None),
        "line": ("custom", "pull_request_review_thread.line", "must be part of the diff"),
        "start_hunk": ("custom", "pull_request_review_thread.start_line",
                       "must be part of the same hunk as the line."),
        "start_order": ("custom", "pull_request_review_thread.start_line",
                        "must precede the end line."),
        "diff_hunk": ("missing_field", "pull_request_review_thread.diff_hunk", None),
    }  # fmt: skip

    def __init__(self, *kinds: str):
        super().__init__(", ".join(kinds))
        self.kinds = kinds

    def for_review(self, doc: str) -> ApiError:
        return unprocessable([to_sentence([self.REVIEW_TEXT[k] for k in self.kinds])], doc)

    def for_comment(self, doc: str) -> ApiError:
        errors = []
        for kind in self.kinds:
            code, name, text = self.FIELD[kind]
            item = {"resource": "PullRequestReviewComment", "code": code, "field": name}
            errors.append({**item, "message": f"{name} {text}"} if text else item)
        return validation_failed(errors, doc)


def locate(pr: PullState, sha: str, c: dict[str, Any]) -> Anchor:
    """Check one inline comment against the diff at ``sha`` the way GitHub does."""
    if not pr.touches(c["path"], sha):
        raise ThreadError("path", "diff_hunk")
    fd = pr.commentable(c["path"], sha)
    if c.get("line") is None and c.get("position") is not None:
        dl = fd.by_position.get(c["position"]) if fd else None
        if dl is None or dl.kind == "\\":
            raise ThreadError("diff_hunk")
        line = dl.old if dl.side == "LEFT" else dl.new
        return Anchor(c["path"], dl.side, line, dl.text, position=dl.position,
                      diff_hunk=fd.diff_hunk(dl))  # fmt: skip
    side, start = c.get("side") or "RIGHT", c.get("start_line")
    dl = fd.lines.get((side, c.get("line"))) if fd else None
    if dl is None:
        raise ThreadError("line", *(["start_hunk"] if start else []), "diff_hunk")
    anchor = Anchor(c["path"], side, c["line"], dl.text, position=dl.position,
                    diff_hunk=fd.diff_hunk(dl))  # fmt: skip
    if start is not None:
        start_side = c.get("start_side") or side
        sdl = fd.lines.get((start_side, start))
        if sdl is None or sdl.hunk != dl.hunk:
            raise ThreadError("start_hunk")
        if sdl.position >= dl.position:
            raise ThreadError("start_order")
        anchor.start_side, anchor.start_line = start_side, start
    return anchor


REVIEW_STATES = {None: "PENDING", "APPROVE": "APPROVED", "COMMENT": "COMMENTED",
                 "REQUEST_CHANGES": "CHANGES_REQUESTED"}  # fmt: skip


class RepoState:
    """Everything the fake GitHub stores for one repository, and the rules for writes.

    Not thread-safe by itself: the server serialises requests with one lock.
    """

    def __init__(self, shapes: Shapes, pulls: list[PullRequestSpec], **options: Any):
        self.shapes, self.contract = shapes, shapes.contract
        self.bot_login: str = options.get("bot_login", "github-actions[bot]")
        self.base_files: dict[str, dict[str, str | bytes]] = options.get("base_files") or {}
        self.default_branch: str = options.get("default_branch", "main")
        self.actions_can_approve: bool = options.get("actions_can_approve", False)
        self.can_write: bool = options.get("can_write", True)
        self.pulls = {p.number: self._pull_state(p) for p in pulls}
        self.reviews: dict[int, Stored] = {}
        self.comments: dict[int, Stored] = {}
        self.issue_comments: dict[int, Stored] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.compares: dict[tuple[str, str], str] = {}
        self._next_id = 1000
        self.rate_limit: int = options.get("rate_limit", 5000)
        self.rate_used = 0
        self.rate_reset = int(time.time()) + 3600

    @staticmethod
    def _pull_state(spec: PullRequestSpec) -> PullState:
        spec = copy.deepcopy(spec)
        parse_diff(spec.diff)  # fail early on a diff unidiff cannot read
        return PullState(spec, spec.head_sha, [spec.head_sha], {spec.head_sha: spec.diff})

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def pull(self, number: int, doc: str = DOCS) -> PullState:
        if number not in self.pulls:
            raise not_found(doc)
        return self.pulls[number]

    # ------------------------------------------------------------------ pull request JSON

    def repo_json(self, full_name: str | None = None) -> dict[str, Any]:
        own = f"{self.shapes.owner}/{self.shapes.repo}"
        return self.shapes.repository(full_name or own, self.default_branch, self.can_write)

    def pull_json(self, pr: PullState) -> dict[str, Any]:
        s, sh, spec = self, self.shapes, pr.spec
        files = pr.files()
        out = sh.example(f"GET {_PR}")
        url, html = f"{sh.base}/pulls/{pr.number}", f"{sh.html}/pull/{pr.number}"
        out.update(
            url=url, id=900000 + pr.number, node_id=node_id("PR", pr.number), html_url=html,
            diff_url=f"{html}.diff", patch_url=f"{html}.patch",
            issue_url=f"{sh.base}/issues/{pr.number}", commits_url=f"{url}/commits",
            review_comments_url=f"{url}/comments",
            review_comment_url=f"{sh.base}/pulls/comments{{/number}}",
            comments_url=f"{sh.base}/issues/{pr.number}/comments",
            statuses_url=f"{sh.base}/statuses/{pr.head_sha}", number=pr.number,
            state=spec.state, locked=False, title=spec.title, user=sh.user(spec.user_login),
            body=spec.body, labels=[self._label(n) for n in spec.labels], milestone=None,
            active_lock_reason=None, created_at=pr.created_at, updated_at=pr.updated_at,
            closed_at=None if spec.state == "open" else pr.updated_at, merged_at=None,
            merge_commit_sha=fake_sha("merge", pr.head_sha), assignee=None, assignees=[],
            requested_reviewers=[], requested_teams=[], head=self._head(pr),
            base=self._ref(spec.base_ref, spec.base_sha, None), author_association="CONTRIBUTOR",
            auto_merge=None, draft=spec.draft, merged=False, mergeable=True, rebaseable=True,
            mergeable_state="clean", merged_by=None, maintainer_can_modify=False,
            comments=sum(c.pr == pr.number for c in s.issue_comments.values()),
            review_comments=len(s.visible_comments(pr.number)),
            commits=len(pr.commits), additions=sum(f.additions for f in files),
            deletions=sum(f.deletions for f in files), changed_files=len(files),
        )  # fmt: skip
        out.pop("stack", None)
        out["_links"] = {k: {"href": v} for k, v in {
            "self": url, "html": html, "issue": out["issue_url"], "comments": out["comments_url"],
            "review_comments": f"{url}/comments", "review_comment": out["review_comment_url"],
            "commits": f"{url}/commits", "statuses": out["statuses_url"]}.items()}  # fmt: skip
        return out

    def _label(self, name: str) -> dict[str, Any]:
        label = self.shapes.example(f"GET {_PR}")["labels"][0]
        ident = zlib.crc32(name.encode())
        label.update(id=ident, node_id=node_id("LA", ident), name=name, default=False,
                     url=f"{self.shapes.base}/labels/{quote(name)}", description=None)  # fmt: skip
        return label

    def _ref(self, ref: str, sha: str, repo: str | None) -> dict[str, Any]:
        repo_json = self.repo_json(repo)
        login = repo_json["owner"]["login"]
        return {"label": f"{login}:{ref}", "ref": ref, "sha": sha,
                "user": repo_json["owner"], "repo": repo_json}  # fmt: skip

    def _head(self, pr: PullState) -> dict[str, Any]:
        return self._ref(pr.spec.head_ref, pr.head_sha, pr.spec.head_repo_full_name)

    def issue_json(self, pr: PullState) -> dict[str, Any]:
        sh, full = self.shapes, self.pull_json(pr)
        keys = ("id", "node_id", "number", "title", "user", "labels", "state", "locked",
                "assignee", "assignees", "milestone", "created_at", "updated_at", "closed_at",
                "author_association", "body", "comments", "active_lock_reason")  # fmt: skip
        out = {k: full[k] for k in keys}
        url = f"{sh.base}/issues/{pr.number}"
        out.update(url=url, repository_url=sh.base, labels_url=f"{url}/labels{{/name}}",
                   comments_url=f"{url}/comments", events_url=f"{url}/events",
                   html_url=full["html_url"], draft=pr.spec.draft, state_reason=None)  # fmt: skip
        out["pull_request"] = {"url": full["url"], "html_url": full["html_url"],
                               "diff_url": full["diff_url"], "patch_url": full["patch_url"],
                               "merged_at": None}  # fmt: skip
        return out

    def files_json(self, pr: PullState, sha: str | None = None) -> list[dict[str, Any]]:
        sha = sha or pr.head_sha
        omit = pr.spec.omit_patch_for
        files = pr.files(sha)[:MAX_LIST_FILES]
        return [self.shapes.file(fd, sha, fd.filename not in omit) for fd in files]

    def commits_json(self, pr: PullState) -> list[dict[str, Any]]:
        parents = [pr.spec.base_sha, *pr.commits[:-1]]
        return [self.shapes.commit(sha, parent, f"Commit {sha[:7]}", pr.spec.user_login)
                for sha, parent in zip(pr.commits, parents, strict=True)]  # fmt: skip

    def too_large(self, diff: str) -> ApiError | None:
        """GitHub's 406 for diffs over 300 files or 20,000 lines (the media-type diff only)."""
        doc = "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files"
        if len(parse_diff(diff)) > 300:
            message = ("Sorry, the diff exceeded the maximum number of files (300). Consider "
                       "using 'List pull requests files' API or locally cloning the repository "
                       "instead.")  # fmt: skip
        elif diff.count("\n") > 20000:
            message = "Sorry, the diff exceeded the maximum number of lines (20000)"
        else:
            return None
        errors = [{"resource": "PullRequest", "field": "diff", "code": "too_large"}]
        return ApiError(406, error_body(406, message, doc, errors=errors))

    # ------------------------------------------------------------------ reviews

    def create_review(self, number: int, body: dict[str, Any]) -> dict[str, Any]:
        doc = self.contract.doc_url(OP_REVIEWS)
        pr = self.pull(number, doc)
        self.contract.validate(OP_REVIEWS, body)
        commit_id = body.get("commit_id") or pr.head_sha
        if commit_id not in pr.commits:
            raise unprocessable(["The commitOID is not part of the pull request"], doc)
        event = body.get("event")
        self._check_event(pr, event, doc)
        if event is None and any(
            r.pr == number and r.data["state"] == "PENDING" for r in self.reviews.values()
        ):
            raise unprocessable(["User can only have one pending review per pull request"], doc)
        try:
            anchors = [locate(pr, commit_id, c) for c in body.get("comments") or []]
        except ThreadError as exc:
            raise exc.for_review(doc) from None
        review = self._new_review(pr, body.get("body") or "", REVIEW_STATES[event], commit_id)
        for comment, anchor in zip(body.get("comments") or [], anchors, strict=True):
            self._new_comment(pr, review.data, comment["body"], anchor, commit_id)
        return review.data

    def _check_event(self, pr: PullState, event: str | None, doc: str) -> None:
        if event in ("APPROVE", "REQUEST_CHANGES") and pr.spec.user_login == self.bot_login:
            verb = "approve" if event == "APPROVE" else "request changes on"
            raise unprocessable([f"Can not {verb} your own pull request"], doc)
        actions = self.bot_login == "github-actions[bot]" and not self.actions_can_approve
        if event == "APPROVE" and actions:
            message = "GitHub Actions is not permitted to approve pull requests."
            raise unprocessable([message], doc)

    def _new_review(self, pr: PullState, text: str, state: str, commit_id: str) -> Stored:
        sh, rid = self.shapes, self.new_id()
        html = f"{sh.html}/pull/{pr.number}#pullrequestreview-{rid}"
        pr_url = f"{sh.base}/pulls/{pr.number}"
        data = sh.example(OP_REVIEWS)
        data.update(
            id=rid,
            node_id=node_id("PRR", rid),
            user=sh.user(self.bot_login),
            body=text,
            state=state,
            html_url=html,
            pull_request_url=pr_url,
            _links={"html": {"href": html}, "pull_request": {"href": pr_url}},
            submitted_at=now_iso(),
            commit_id=commit_id,
            author_association="NONE",
        )
        if state == "PENDING":
            del data["submitted_at"]
        self.reviews[rid] = Stored(pr.number, data)
        return self.reviews[rid]

    def _new_comment(
        self, pr: PullState, review: dict[str, Any], text: str, anchor: Anchor, commit_id: str,
        reply_to: int | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        sh, cid = self.shapes, self.new_id()
        url, pr_url = f"{sh.base}/pulls/comments/{cid}", f"{sh.base}/pulls/{pr.number}"
        html = f"{sh.html}/pull/{pr.number}#discussion_r{cid}"
        data = sh.example(OP_COMMENTS, "201")
        data.pop("in_reply_to_id")
        data.update(
            url=url, pull_request_review_id=review["id"], id=cid, node_id=node_id("PRRC", cid),
            diff_hunk=anchor.diff_hunk, path=anchor.path, position=anchor.position,
            original_position=anchor.position, commit_id=commit_id,
            original_commit_id=commit_id, user=sh.user(self.bot_login), body=text,
            created_at=now_iso(), updated_at=now_iso(), html_url=html, pull_request_url=pr_url,
            author_association="NONE", start_line=anchor.start_line,
            original_start_line=anchor.start_line, start_side=anchor.start_side,
            line=anchor.line, original_line=anchor.line, side=anchor.side,
            subject_type="line" if anchor.line else "file",
            _links={"self": {"href": url}, "html": {"href": html},
                    "pull_request": {"href": pr_url}},
        )  # fmt: skip
        if reply_to is not None:
            data["in_reply_to_id"] = reply_to
        self.comments[cid] = Stored(pr.number, data, anchor)
        return data

    def review(self, number: int, review_id: int, doc: str = DOCS) -> Stored:
        found = self.reviews.get(review_id)
        if found is None or found.pr != self.pull(number, doc).number:
            raise not_found(doc)
        return found

    def review_comments_of(self, review_id: int) -> list[dict[str, Any]]:
        return [c.data for c in self.comments.values()
                if c.data["pull_request_review_id"] == review_id]  # fmt: skip

    def submit_review(self, number: int, review_id: int, body: dict[str, Any]) -> dict[str, Any]:
        doc = self.contract.doc_url(OP_EVENTS)
        stored = self.review(number, review_id, doc)
        self.contract.validate(OP_EVENTS, body)
        if stored.data["state"] != "PENDING":
            raise unprocessable(["Can not submit a non-pending pull request review"], doc)
        self._check_event(self.pulls[number], body["event"], doc)
        stored.data.update(state=REVIEW_STATES[body["event"]], submitted_at=now_iso())
        if body.get("body"):
            stored.data["body"] = body["body"]
        return stored.data

    def delete_review(self, number: int, review_id: int) -> dict[str, Any]:
        doc = self.contract.doc_url(OP_DELETE_REVIEW)
        stored = self.review(number, review_id, doc)
        if stored.data["state"] != "PENDING":
            raise unprocessable(["Can not delete a non-pending pull request review"], doc)
        del self.reviews[review_id]
        for cid in [c["id"] for c in self.review_comments_of(review_id)]:
            del self.comments[cid]
        return stored.data

    def visible_comments(self, number: int) -> list[dict[str, Any]]:
        """Review comments of submitted reviews (pending ones are private to their author)."""
        return [
            c.data for c in self.comments.values()
            if c.pr == number and self.reviews[c.data["pull_request_review_id"]].data["state"]
            != "PENDING"
        ]  # fmt: skip

    # ------------------------------------------------------------------ single review comments

    def create_comment(self, number: int, body: dict[str, Any]) -> dict[str, Any]:
        doc = self.contract.doc_url(OP_COMMENTS)
        pr = self.pull(number, doc)
        if body.get("in_reply_to") is not None:
            self.contract.validate(f"POST {_PR}/comments/{{comment_id}}/replies", body)
            return self.reply(number, body["in_reply_to"], body)
        self.contract.validate(OP_COMMENTS, body)
        commit_id = body["commit_id"]
        if commit_id not in pr.commits:
            raise validation_failed(
                [
                    {
                        "resource": "PullRequestReviewComment",
                        "code": "custom",
                        "field": "end_commit_oid",
                        "message": "end_commit_oid is not part of the pull request",
                    }
                ],
                doc,
            )
        try:
            if body.get("subject_type") == "file":
                if not pr.touches(body["path"], commit_id):
                    raise ThreadError("path", "diff_hunk")
                anchor = Anchor(body["path"])
            else:
                anchor = locate(pr, commit_id, body)
        except ThreadError as exc:
            raise exc.for_comment(doc) from None
        review = self._new_review(pr, "", "COMMENTED", commit_id)
        return self._new_comment(pr, review.data, body["body"], anchor, commit_id)

    def reply(self, number: int, comment_id: int, body: dict[str, Any]) -> dict[str, Any]:
        pr = self.pull(number)
        self.contract.validate(f"POST {_PR}/comments/{{comment_id}}/replies", body)
        target = self.comments.get(comment_id)
        if target is None or target.pr != number:
            raise not_found(self.contract.doc_url(f"POST {_PR}/comments/{{comment_id}}/replies"))
        root_id = target.data.get("in_reply_to_id") or comment_id
        root = self.comments[root_id]
        review = self._new_review(pr, "", "COMMENTED", root.data["commit_id"])
        data = self._new_comment(pr, review.data, body["body"], copy.copy(root.anchor),
                                 root.data["commit_id"], reply_to=root_id)  # fmt: skip
        for key in ("position", "line", "start_line", "original_commit_id", "original_line"):
            data[key] = root.data[key]
        return data

    def comment(self, comment_id: int, table: dict[int, Stored]) -> Stored:
        if comment_id not in table:
            raise not_found()
        return table[comment_id]

    def edit_comment(self, comment_id: int, table: dict[int, Stored], op: str,
                     body: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
        stored = self.comment(comment_id, table)
        self.contract.validate(op, body)
        stored.data.update(body=body["body"], updated_at=now_iso())
        return stored.data

    # ------------------------------------------------------------------ issue comments

    def create_issue_comment(self, number: int, body: dict[str, Any]) -> dict[str, Any]:
        op = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
        self.pull(number, self.contract.doc_url(op))
        self.contract.validate(op, body)
        sh, cid = self.shapes, self.new_id()
        data = sh.example(op, "201")
        data.update(
            id=cid,
            node_id=node_id("IC", cid),
            url=f"{sh.base}/issues/comments/{cid}",
            html_url=f"{sh.html}/pull/{number}#issuecomment-{cid}",
            body=body["body"],
            user=sh.user(self.bot_login),
            created_at=now_iso(),
            updated_at=now_iso(),
            issue_url=f"{sh.base}/issues/{number}",
            author_association="NONE",
        )
        self.issue_comments[cid] = Stored(number, data)
        return data

    # ------------------------------------------------------------------ pushes

    def update_pull(self, number: int, diff: str, head_sha: str, keep_old_commits: bool) -> None:
        """A push: new head and diff; comments whose line changed become outdated."""
        pr = self.pull(number)
        parse_diff(diff)
        pr.commits = [*pr.commits, head_sha] if keep_old_commits else [head_sha]
        pr.diffs = {sha: d for sha, d in pr.diffs.items() if sha in pr.commits}
        pr.diffs[head_sha], pr.head_sha, pr.updated_at = diff, head_sha, now_iso()
        for stored in self.comments.values():
            if stored.pr == number and stored.anchor and stored.data["line"] is not None:
                self._reanchor(pr, stored)

    def _reanchor(self, pr: PullState, stored: Stored) -> None:
        a = stored.anchor
        fd = pr.commentable(a.path, pr.head_sha)
        dl = fd.lines.get((a.side, a.line)) if fd else None
        if dl is not None and dl.text == a.text:
            stored.data.update(position=dl.position, commit_id=pr.head_sha)
        else:
            stored.data.update(position=None, line=None, start_line=None)

    def add_commit_range(self, base_sha: str, head_sha: str, diff: str) -> None:
        parse_diff(diff)
        self.compares[(base_sha, head_sha)] = diff

    # ------------------------------------------------------------------ refs, contents, commits

    def resolve_sha(self, ref: str) -> str | None:
        """A branch name or sha of this repository → a commit sha (None when unknown)."""
        ref = ref.removeprefix("refs/heads/")
        for pr in self.pulls.values():
            if ref in (pr.spec.base_sha, pr.spec.base_ref):
                return pr.spec.base_sha
            if ref in pr.commits or (ref == pr.spec.head_ref and not pr.spec.head_repo_full_name):
                return pr.head_sha if ref == pr.spec.head_ref else ref
        if ref in {sha for pair in self.compares for sha in pair}:
            return ref
        if ref == self.default_branch or ref in self.base_files:
            return fake_sha("branch", ref)
        return None

    def tree(self, ref: str) -> dict[str, str | bytes] | None:
        """Files at ``ref`` for the contents API: ``base_files`` by branch, PR shas mapped."""
        ref = ref.removeprefix("refs/heads/")
        if ref in self.base_files:
            return self.base_files[ref]
        for pr in self.pulls.values():
            if ref == pr.spec.base_sha:
                return self.base_files.get(pr.spec.base_ref, {})
            if ref in pr.commits:
                return self.base_files.get(pr.spec.head_ref, {})
        return {} if self.resolve_sha(ref) else None

    def content_json(self, path: str, data: bytes, ref: str) -> dict[str, Any]:
        sh, sha = self.shapes, blob_sha(data)
        encoded = base64.b64encode(data).decode()
        url = f"{sh.base}/contents/{quote(path)}?ref={quote(ref)}"
        links = {"self": url, "git": f"{sh.base}/git/blobs/{sha}",
                 "html": f"{sh.html}/blob/{ref}/{quote(path)}"}  # fmt: skip
        return {
            "type": "file", "encoding": "base64", "size": len(data),
            "name": path.rsplit("/", 1)[-1], "path": path,
            "content": "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60)),
            "sha": sha, "url": url, "git_url": links["git"], "html_url": links["html"],
            "download_url": f"https://raw.githubusercontent.com/{sh.owner}/{sh.repo}/{ref}/{path}",
            "_links": links,
        }  # fmt: skip

    def listing(self, tree: dict[str, str | bytes], path: str, ref: str) -> list[dict[str, Any]]:
        """A directory listing (files and sub-directories) or [] when ``path`` is no dir."""
        prefix = f"{path}/" if path else ""
        entries: dict[str, dict[str, Any]] = {}
        for name, content in sorted(tree.items()):
            if name.startswith(prefix):
                head, _, rest = name[len(prefix) :].partition("/")
                data = content.encode() if isinstance(content, str) else content
                item = self.content_json(prefix + head, data, ref)
                del item["content"], item["encoding"]
                if rest:
                    item.update(type="dir", size=0, download_url=None)
                entries.setdefault(head, item)
        return list(entries.values())

    def compare(self, base: str, head: str) -> tuple[str, dict[str, Any]] | None:
        base_sha, head_sha = self.resolve_sha(base), self.resolve_sha(head)
        diff = self.compares.get((base_sha or base, head_sha or head))
        pr = next((p for p in self.pulls.values()
                   if p.spec.base_sha == base_sha and head_sha in p.diffs), None)  # fmt: skip
        if diff is None and pr is not None:
            diff = pr.diffs[head_sha]
        if diff is None or not base_sha or not head_sha:
            return None
        sh, author = self.shapes, pr.spec.user_login if pr else "alice"
        head_commit = sh.commit(head_sha, base_sha, f"Commit {head_sha[:7]}", author)
        base_commit = sh.commit(base_sha, base_sha, f"Commit {base_sha[:7]}", author)
        files = [sh.file(fd, head_sha, True) for fd in parse_diff(diff)[:300]]
        spec, short = f"{base}...{head}", f"{sh.owner}:{base_sha[:7]}...{sh.owner}:{head_sha[:7]}"
        body = {
            "url": f"{sh.base}/compare/{spec}", "html_url": f"{sh.html}/compare/{spec}",
            "permalink_url": f"{sh.html}/compare/{short}",
            "diff_url": f"{sh.html}/compare/{spec}.diff",
            "patch_url": f"{sh.html}/compare/{spec}.patch",
            "base_commit": base_commit, "merge_base_commit": base_commit, "status": "ahead",
            "ahead_by": 1, "behind_by": 0, "total_commits": 1, "commits": [head_commit],
            "files": files,
        }  # fmt: skip
        return diff, body

    def commit_json(self, ref: str) -> dict[str, Any]:
        sha = self.resolve_sha(ref)
        if sha is None:
            doc = "https://docs.github.com/rest/commits/commits#get-a-commit"
            raise ApiError(422, error_body(422, f"No commit found for SHA: {ref}", doc))
        pr = next((p for p in self.pulls.values() if sha in p.diffs), None)
        diff = pr.diffs[sha] if pr else ""
        files = [self.shapes.file(fd, sha, True) for fd in parse_diff(diff)[:300]]
        parent, author = (pr.spec.base_sha, pr.spec.user_login) if pr else (sha, "alice")
        out = self.shapes.commit(sha, parent, f"Commit {sha[:7]}", author)
        added, removed = sum(f["additions"] for f in files), sum(f["deletions"] for f in files)
        out.update(stats={"total": added + removed, "additions": added, "deletions": removed},
                   files=files, _diff=diff)  # fmt: skip
        return out

    # ------------------------------------------------------------------ check runs, rate limit

    def create_check_run(self, body: dict[str, Any]) -> dict[str, Any]:
        op = "POST /repos/{owner}/{repo}/check-runs"
        self.contract.validate(op, body)
        sh, rid = self.shapes, self.new_id()
        data = sh.example(op, "201", "example-of-in-progress-conclusion")
        data.update(id=rid, node_id=node_id("CR", rid), head_sha=body["head_sha"],
                    name=body["name"], url=f"{sh.base}/check-runs/{rid}",
                    html_url=f"{sh.html}/runs/{rid}", details_url=body.get("details_url"),
                    external_id=body.get("external_id", ""), status="queued", conclusion=None,
                    started_at=body.get("started_at", now_iso()), completed_at=None,
                    check_suite={"id": rid + 1}, output={"title": None, "summary": None,
                    "text": None, "annotations_count": 0,
                    "annotations_url": f"{sh.base}/check-runs/{rid}/annotations"},
                    pull_requests=[])  # fmt: skip
        self.check_runs[rid] = data
        return self._apply_check_run(data, body)

    def update_check_run(self, rid: int, body: dict[str, Any]) -> dict[str, Any]:
        self.contract.validate("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", body)
        return self._apply_check_run(self.check_runs[rid], body)

    @staticmethod
    def _apply_check_run(data: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("name", "details_url", "external_id", "started_at", "status", "completed_at"):
            if key in body:
                data[key] = body[key]
        if body.get("conclusion"):
            data.update(conclusion=body["conclusion"], status="completed")
            data["completed_at"] = data["completed_at"] or now_iso()
        output = body.get("output") or {}
        for key in ("title", "summary", "text"):
            if key in output:
                data["output"][key] = output[key]
        data["output"]["annotations_count"] += len(output.get("annotations") or [])
        return data

    def rate_core(self) -> dict[str, int]:
        remaining = max(self.rate_limit - self.rate_used, 0)
        return {"limit": self.rate_limit, "used": self.rate_used, "remaining": remaining,
                "reset": self.rate_reset}  # fmt: skip
