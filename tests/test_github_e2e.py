"""`reviewbot --github` end to end, against the local GitHub and model servers.

Each test runs `main([...])` with the Actions environment pointing at both fakes and checks what
was posted: one review with comments on the right lines, one summary edited in place, nothing
posted twice, and a clear outcome for forks, drafts, permissions and GitHub's refusals.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewbot.main import main
from tests.conftest import needs_contracts
from tests.fakes.scripted_model import Rule, ScriptedReviewer

pytestmark = needs_contracts

BASE, HEAD, HEAD2 = "a" * 40, "b" * 40, "c" * 40
DIFF = """\
diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -1,4 +1,6 @@
 def f(a):
-    return a
+    x = a / 0
+    return eval(x)
+
 # end
 
diff --git a/util.py b/util.py
new file mode 100644
--- /dev/null
+++ b/util.py
@@ -0,0 +1,3 @@
+def g(b):
+    return b
+
"""
PUSH = """\
diff --git a/util.py b/util.py
--- a/util.py
+++ b/util.py
@@ -1,3 +1,4 @@
 def g(b):
-    return b
+    y = b / 0
+    return y
 
"""
FULL_AFTER_PUSH = DIFF.replace("+    return b\n", "+    y = b / 0\n+    return y\n").replace(
    "@@ -0,0 +1,3 @@", "@@ -0,0 +1,4 @@"
)
RULES = [
    Rule(r"/ 0", "Division by zero", suggestion="    x = a"),
    Rule(r"eval\(", "eval on untrusted data", severity="critical", category="security"),
]


@dataclass
class Env:
    gh: object
    model: object
    reviewer: ScriptedReviewer
    tmp: Path

    def run(self, *extra: str) -> int:
        return main(["--github", "-q", *extra])

    @property
    def summary(self) -> str:
        return (
            (self.tmp / "step_summary.md").read_text()
            if (self.tmp / "step_summary.md").exists()
            else ""
        )

    def outputs(self) -> dict[str, str]:
        text = (self.tmp / "outputs.txt").read_text()
        matches = re.findall(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", text, re.M | re.S)
        return {name: value for name, _, value in matches}


@contextmanager
def make_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    pulls: list,
    rules=RULES,
    base_files=None,
    permissions="write",
    key: str | None = "sk-test",
    **gh_kwargs,
) -> Iterator[Env]:
    from tests.fakes.github_server import FakeGitHub
    from tests.fakes.openai_server import FakeOpenAI

    reviewer = ScriptedReviewer(list(rules))
    with (
        FakeOpenAI(responder=reviewer) as model,
        FakeGitHub(
            pulls=pulls, base_files=base_files or {}, permissions=permissions, **gh_kwargs
        ) as gh,
    ):
        event = tmp_path / "event.json"
        event.write_text(
            json.dumps({"action": "opened", "pull_request": {"number": pulls[0].number}})
        )
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_TOKEN": "ghs_test",
            "GITHUB_REPOSITORY": "octo/demo",
            "GITHUB_API_URL": gh.api_url,
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_EVENT_NAME": "pull_request",
            "OPENAI_BASE_URL": model.base_url,
            "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md"),
            "GITHUB_OUTPUT": str(tmp_path / "outputs.txt"),
            "REVIEWBOT_GITHUB_WRITE_INTERVAL": "0",
        }
        if key:
            env["OPENAI_API_KEY"] = key
        monkeypatch.chdir(tmp_path)  # the result cache lands in the workspace
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield Env(gh, model, reviewer, tmp_path)


@pytest.fixture
def pr():
    from tests.fakes.github_server import PullRequestSpec

    return PullRequestSpec(number=7, diff=DIFF, base_sha=BASE, head_sha=HEAD)


@pytest.fixture
def env(monkeypatch, tmp_path, pr) -> Iterator[Env]:
    with make_env(monkeypatch, tmp_path, [pr]) as e:
        yield e


def test_first_run_posts_one_review_on_the_right_lines(env: Env, capsys) -> None:
    assert env.run() == 0
    (review,) = env.gh.reviews(7)
    assert review["state"] == "COMMENTED"
    placed = sorted((c["path"], c["line"], c["side"]) for c in review["comments"])
    assert placed == [("app.py", 2, "RIGHT"), ("app.py", 3, "RIGHT")]
    by_line = {c["line"]: c["body"] for c in review["comments"]}
    assert "```suggestion\n    x = a\n```" in by_line[2]
    assert "Critical" in by_line[3] and "score 8/10" in by_line[3]
    assert "security" in by_line[3]
    (summary,) = env.gh.issue_comments(7)
    assert summary["body"].startswith("<!-- reviewbot:summary -->")
    assert "2 findings" in summary["body"]
    assert f"<!-- reviewbot:head={HEAD} -->" in summary["body"]
    outputs = env.outputs()
    assert outputs["findings"] == "2"
    assert outputs["review-url"].startswith("https://github.com/octo/demo/pull/7")
    assert "2 findings" in env.summary
    out = capsys.readouterr().out
    assert "::add-mask::ghs_test" in out
    assert "::add-mask::sk-test" in out


def test_rerun_posts_nothing_twice_and_edits_the_summary(env: Env) -> None:
    assert env.run() == 0
    assert env.run() == 0  # same head: nothing new to review
    assert env.reviewer.reviews == 1
    assert env.run("--full-review") == 0  # the result cache answers: no model call
    assert env.reviewer.reviews == 1
    assert env.run("--full-review", "--no-cache") == 0  # reviewed again: the same findings
    assert env.reviewer.reviews == 2
    assert len(env.gh.reviews(7)) == 1
    assert len(env.gh.review_comments(7)) == 2
    (summary,) = env.gh.issue_comments(7)
    assert "2 already posted earlier" in summary["body"]
    edits = env.gh.count("PATCH", r"/issues/comments/\d+$")
    assert edits == 2


def test_push_reviews_only_what_changed(env: Env) -> None:
    assert env.run() == 0
    env.gh.update_pull(7, diff=FULL_AFTER_PUSH, head_sha=HEAD2, keep_old_commits=True)
    env.gh.add_commit_range(7, HEAD, HEAD2, PUSH)
    env.model.reset()
    assert env.run() == 0
    prompts = [
        r.body["messages"][-1]["content"]
        for r in env.model.requests
        if "second reviewer" not in r.body["messages"][0]["content"]
    ]
    assert len(prompts) == 1
    assert "util.py" in prompts[0] and "app.py" not in prompts[0]
    reviews = env.gh.reviews(7)
    assert len(reviews) == 2
    assert [(c["path"], c["line"]) for c in reviews[1]["comments"]] == [("util.py", 2)]
    (summary,) = env.gh.issue_comments(7)
    assert f"changes since {HEAD[:12]}" in summary["body"]
    assert f"<!-- reviewbot:head={HEAD2} -->" in summary["body"]


def test_force_push_falls_back_to_a_full_review(env: Env) -> None:
    assert env.run() == 0
    env.gh.update_pull(7, diff=FULL_AFTER_PUSH, head_sha=HEAD2)  # HEAD is gone: no compare
    env.model.reset()
    assert env.run() == 0
    prompts = " ".join(r.body["messages"][-1]["content"] for r in env.model.requests)
    assert "app.py" in prompts and "util.py" in prompts
    new = env.gh.reviews(7)[-1]["comments"]
    assert [(c["path"], c["line"]) for c in new] == [("util.py", 2)]  # app.py's already posted


def test_github_422_moves_refused_comments_to_the_summary(monkeypatch, tmp_path) -> None:
    from tests.fakes.github_server import PullRequestSpec

    pr = PullRequestSpec(
        number=7, diff=DIFF, base_sha=BASE, head_sha=HEAD, omit_patch_for={"util.py"}
    )
    rules = [*RULES, Rule(r"return b", "Returns its input")]
    with make_env(monkeypatch, tmp_path, [pr], rules=rules) as env:
        assert env.run() == 0
        (review,) = env.gh.reviews(7)
        assert sorted(c["path"] for c in review["comments"]) == ["app.py", "app.py"]
        (summary,) = env.gh.issue_comments(7)
        assert "Findings not placed inline" in summary["body"]
        assert "`util.py` line 2" in summary["body"]
        assert "GitHub refused the inline comment" in summary["body"]
        assert env.gh.count("DELETE", r"/reviews/\d+$") >= 1  # pending probes cleaned up


def test_fork_without_key_is_skipped_gracefully(monkeypatch, tmp_path) -> None:
    from tests.fakes.github_server import PullRequestSpec

    pr = PullRequestSpec(
        number=7, diff=DIFF, base_sha=BASE, head_sha=HEAD, head_repo_full_name="stranger/demo"
    )
    with make_env(monkeypatch, tmp_path, [pr], key=None) as env:
        assert env.run() == 0
        assert "fork" in env.summary and "no secrets" in env.summary
        assert env.gh.reviews(7) == []
        assert env.model.requests == []


def test_fork_without_key_can_be_made_to_fail(monkeypatch, tmp_path) -> None:
    from tests.fakes.github_server import PullRequestSpec

    pr = PullRequestSpec(
        number=7, diff=DIFF, base_sha=BASE, head_sha=HEAD, head_repo_full_name="stranger/demo"
    )
    files = {"main": {".reviewbot.yml": "fail_on_fork: true\n"}}
    with make_env(monkeypatch, tmp_path, [pr], key=None, base_files=files) as env:
        assert env.run() == 2


def test_draft_and_ignored_label_are_skipped(monkeypatch, tmp_path) -> None:
    from tests.fakes.github_server import PullRequestSpec

    draft = PullRequestSpec(number=7, diff=DIFF, base_sha=BASE, head_sha=HEAD, draft=True)
    with make_env(monkeypatch, tmp_path, [draft]) as env:
        assert env.run() == 0
        assert "draft" in env.summary
        assert env.model.requests == []
    labelled = PullRequestSpec(
        number=7, diff=DIFF, base_sha=BASE, head_sha=HEAD, labels=["no-review"]
    )
    files = {"main": {".reviewbot.yml": "ignore_labels: [no-review]\n"}}
    with make_env(monkeypatch, tmp_path, [labelled], base_files=files) as env:
        assert env.run() == 0
        assert "no-review" in env.summary
        assert env.model.requests == []


def test_config_comes_from_the_base_branch_not_the_pull_request(monkeypatch, tmp_path) -> None:
    from tests.fakes.github_server import PullRequestSpec

    hostile = DIFF + (
        "diff --git a/.reviewbot.yml b/.reviewbot.yml\nnew file mode 100644\n--- /dev/null\n"
        "+++ b/.reviewbot.yml\n@@ -0,0 +1,2 @@\n+min_score: 1\n+base_url: http://evil.example\n"
    )
    pr = PullRequestSpec(number=7, diff=hostile, base_sha=BASE, head_sha=HEAD)
    files = {"main": {".reviewbot.yml": "min_score: 9\n"}}
    with make_env(monkeypatch, tmp_path, [pr], base_files=files) as env:
        assert env.run() == 0
        assert env.gh.reviews(7) == []  # both findings score 8 < 9
        assert all(r.path.startswith("/v1/") for r in env.model.requests)
        (summary,) = env.gh.issue_comments(7)
        assert "below the minimum score" in summary["body"]


def test_missing_write_permission_says_which_to_add(monkeypatch, tmp_path, pr, capsys) -> None:
    with make_env(monkeypatch, tmp_path, [pr], permissions="read") as env:
        assert env.run() == 4
        err = capsys.readouterr().err
        assert "pull-requests: write" in err
        assert "Traceback" not in err, err


def test_api_calls_do_not_grow_with_findings(monkeypatch, tmp_path) -> None:
    from tests.fakes.github_server import PullRequestSpec

    def big_diff(n: int) -> str:
        body = "".join(f"+x{i} = {i} / 0\n" for i in range(n))
        return (
            f"diff --git a/m.py b/m.py\nnew file mode 100644\n--- /dev/null\n+++ b/m.py\n"
            f"@@ -0,0 +1,{n} @@\n{body}"
        )

    counts = []
    for n in (1, 30):
        pr = PullRequestSpec(number=7, diff=big_diff(n), base_sha=BASE, head_sha=HEAD)
        files = {"main": {".reviewbot.yml": "max_findings: 100\n"}}
        with make_env(monkeypatch, tmp_path, [pr], base_files=files) as env:
            assert env.run() == 0
            assert len(env.gh.review_comments(7)) == n
            counts.append(len(env.gh.calls))
    assert counts[0] == counts[1]


def test_stale_commit_between_reading_and_posting(monkeypatch, tmp_path, pr, capsys) -> None:
    with make_env(monkeypatch, tmp_path, [pr]) as env:
        original = env.reviewer.review

        def push_during_review(user: str) -> dict:
            env.gh.update_pull(7, diff=FULL_AFTER_PUSH, head_sha=HEAD2)
            return original(user)

        env.reviewer.review = push_during_review
        assert env.run() == 0
        assert env.gh.reviews(7) == []
        assert "was updated while it was being reviewed" in capsys.readouterr().err


def test_huge_pull_request_uses_the_file_list(monkeypatch, tmp_path) -> None:
    from tests.fakes.github_server import PullRequestSpec

    parts = [
        f"diff --git a/f{i}.py b/f{i}.py\nnew file mode 100644\n--- /dev/null\n"
        f"+++ b/f{i}.py\n@@ -0,0 +1 @@\n+v = {i}\n"
        for i in range(305)
    ]
    parts.append(
        "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n"
        "+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n"
    )
    parts.append(
        "diff --git a/old.py b/moved.py\nsimilarity index 50%\nrename from old.py\n"
        "rename to moved.py\n--- a/old.py\n+++ b/moved.py\n@@ -1 +1 @@\n-a = 1\n+v = 4\n"
    )
    pr = PullRequestSpec(
        number=7, diff="".join(parts), base_sha=BASE, head_sha=HEAD, omit_patch_for={"f3.py"}
    )
    with make_env(monkeypatch, tmp_path, [pr], rules=[Rule(r"v = 4$", "Four")]) as env:
        assert env.run() == 0
        (summary,) = env.gh.issue_comments(7)
        assert "305 reviewed files" in summary["body"]
        assert "f3.py" in summary["body"] and "no patch" in summary["body"]
        assert "`gone.py`: file deleted" in summary["body"]
        placed = sorted((c["path"], c["line"]) for c in env.gh.review_comments(7))
        assert placed == [("f4.py", 1), ("moved.py", 1)]


def test_dry_run_needs_no_key_and_posts_nothing(monkeypatch, tmp_path, pr, capsys) -> None:
    with make_env(monkeypatch, tmp_path, [pr], key=None) as env:
        assert env.run("--dry-run", "--format", "json") == 0
        out = capsys.readouterr().out  # in Actions, workflow commands (::add-mask::) come first
        plan = json.loads("\n".join(r for r in out.splitlines() if not r.startswith("::")))
        files = {f["path"] for chunk in plan["chunks"] for f in chunk["files"]}
        assert files == {"app.py", "util.py"}
        assert {row["provider"] for row in plan["prices"]} >= {"openai", "deepseek", "qwen"}
        assert env.model.requests == []
        writes = [c for c in env.gh.calls if c.method != "GET"]
        assert writes == []


def test_sarif_from_a_pull_request_review(env: Env) -> None:
    assert env.run("--sarif", str(env.tmp / "review.sarif")) == 0
    results = json.loads((env.tmp / "review.sarif").read_text())["runs"][0]["results"]
    assert sorted(
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results
    ) == [2, 3]


def test_a_merge_from_the_base_branch_is_not_reviewed(env: Env) -> None:
    """The compare diff of a push that merged main holds main's changes; they are left out."""
    assert env.run() == 0
    upstream = (
        "diff --git a/upstream.py b/upstream.py\nnew file mode 100644\n--- /dev/null\n"
        "+++ b/upstream.py\n@@ -0,0 +1 @@\n+z = 1 / 0\n"
    )
    env.gh.update_pull(7, diff=FULL_AFTER_PUSH, head_sha=HEAD2, keep_old_commits=True)
    env.gh.add_commit_range(7, HEAD, HEAD2, PUSH + upstream)
    env.model.reset()
    assert env.run() == 0
    prompts = " ".join(r.body["messages"][-1]["content"] for r in env.model.requests)
    assert "util.py" in prompts
    assert "upstream.py" not in prompts
    assert [(c["path"], c["line"]) for c in env.gh.reviews(7)[-1]["comments"]] == [("util.py", 2)]
