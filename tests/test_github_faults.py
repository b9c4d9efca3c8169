"""GitHub failing in the ways GitHub fails: retried where it helps, a clear message where not,
nothing posted twice, nothing lost that could be kept."""

from __future__ import annotations

import pytest

from tests.conftest import needs_contracts
from tests.test_github_e2e import BASE, DIFF, HEAD, make_env

pytestmark = needs_contracts


@pytest.fixture
def pr():
    from tests.fakes.github_server import PullRequestSpec

    return PullRequestSpec(number=7, diff=DIFF, base_sha=BASE, head_sha=HEAD)


def test_bad_token_is_a_clear_error(monkeypatch, tmp_path, pr, capsys) -> None:
    with make_env(monkeypatch, tmp_path, [pr]) as env:
        monkeypatch.setenv("GITHUB_TOKEN", "ghs_wrong")
        assert env.run() == 4
        err = capsys.readouterr().err
        assert "GitHub refused the token" in err
        assert "ghs_wrong" not in err
        assert "Traceback" not in err


def test_deleted_pull_request_is_a_clear_error(monkeypatch, tmp_path, pr, capsys) -> None:
    from tests.fakes.github_server import Fault

    with make_env(monkeypatch, tmp_path, [pr]) as env:
        env.gh.enqueue(Fault(status=404, method="GET", path_pattern=r"/pulls/7$"))
        assert env.run() == 4
        err = capsys.readouterr().err
        assert "deleted" in err and "renamed" in err


def test_secondary_rate_limit_on_a_read_is_waited_out(monkeypatch, tmp_path, pr) -> None:
    from tests.fakes.github_server import Fault

    with make_env(monkeypatch, tmp_path, [pr]) as env:
        env.gh.enqueue(
            Fault.secondary_rate_limit(method="GET", path_pattern=r"/pulls/7$", retry_after=1)
        )
        assert env.run() == 0
        assert len(env.gh.reviews(7)) == 1


def test_secondary_rate_limit_on_the_review_post_is_retried_once(monkeypatch, tmp_path, pr) -> None:
    from tests.fakes.github_server import Fault

    with make_env(monkeypatch, tmp_path, [pr]) as env:
        env.gh.enqueue(
            Fault.secondary_rate_limit(method="POST", path_pattern=r"/reviews$", retry_after=1)
        )
        assert env.run() == 0
        assert len(env.gh.reviews(7)) == 1
        assert env.gh.count("POST", r"/reviews$") == 2


def test_502_on_the_review_post_does_not_post_twice(monkeypatch, tmp_path, pr) -> None:
    from tests.fakes.github_server import Fault

    with make_env(monkeypatch, tmp_path, [pr]) as env:
        env.gh.enqueue(Fault(status=502, method="POST", path_pattern=r"/reviews$"))
        assert env.run() == 0
        assert len(env.gh.reviews(7)) == 1
        assert len(env.gh.review_comments(7)) == 2
        assert env.gh.count("GET", r"/reviews$") >= 1  # looked before posting again


def test_502_on_a_page_of_files_is_retried(monkeypatch, tmp_path) -> None:
    from tests.fakes.github_server import Fault, PullRequestSpec

    parts = [
        f"diff --git a/f{i}.py b/f{i}.py\nnew file mode 100644\n--- /dev/null\n"
        f"+++ b/f{i}.py\n@@ -0,0 +1 @@\n+v = {i}\n"
        for i in range(310)
    ]
    big = PullRequestSpec(number=7, diff="".join(parts), base_sha=BASE, head_sha=HEAD)
    with make_env(monkeypatch, tmp_path, [big]) as env:
        env.gh.enqueue(Fault(status=502, method="GET", path_pattern=r"/files\?.*page=2"))
        assert env.run() == 0
        (summary,) = env.gh.issue_comments(7)
        assert "310 reviewed files" in summary["body"]


def test_connection_reset_on_a_read_is_retried(monkeypatch, tmp_path, pr) -> None:
    from tests.fakes.github_server import Fault

    with make_env(monkeypatch, tmp_path, [pr]) as env:
        env.gh.enqueue(Fault(kind="reset", method="GET", path_pattern=r"/issues/7/comments"))
        assert env.run() == 0
        assert len(env.gh.issue_comments(7)) == 1


def test_summary_post_failing_for_good_keeps_the_review(monkeypatch, tmp_path, pr, capsys) -> None:
    from tests.fakes.github_server import Fault

    with make_env(monkeypatch, tmp_path, [pr]) as env:
        env.gh.enqueue(
            Fault(
                status=503,
                method="POST",
                path_pattern=r"/issues/7/comments$",
                times=None,
                headers={"retry-after": "0"},
            )
        )
        assert env.run() == 4
        assert len(env.gh.reviews(7)) == 1  # the inline review was posted before
        assert "503" in capsys.readouterr().err
        # nothing lost: the whole summary is in the job summary
        assert "Division by zero" in env.summary or "2 findings" in env.summary
        assert env.outputs()["findings"] == "2"


def test_a_failed_chunk_is_named_and_the_others_are_posted(monkeypatch, tmp_path, capsys) -> None:
    """The model fails one chunk for good: the rest is posted, the summary and exit code say so."""
    from tests.fakes.github_server import PullRequestSpec

    def new_file(name: str, body: str) -> str:
        rows = body.splitlines()
        added = "".join(f"+{row}\n" for row in rows)
        return (
            f"diff --git a/{name} b/{name}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{name}\n@@ -0,0 +1,{len(rows)} @@\n{added}"
        )

    filler = "".join(f"value_{n} = compute({n}, factor={n * 7})\n" for n in range(220))
    diff = new_file("good.py", "x = a / 0\n" + filler) + new_file("bad.py", "POISON = 1\n" + filler)
    pr = PullRequestSpec(number=7, diff=diff, base_sha=BASE, head_sha=HEAD)
    files = {"main": {".reviewbot.yml": "chunk_tokens: 6000\nmax_output_tokens: 512\n"}}
    with make_env(monkeypatch, tmp_path, [pr], base_files=files) as env:
        env.reviewer.broken_pattern = "POISON"
        assert env.run() == 5
        assert [(c["path"], c["line"]) for c in env.gh.review_comments(7)] == [("good.py", 1)]
        (summary,) = env.gh.issue_comments(7)
        assert "Not reviewed: failed chunks" in summary["body"]
        assert "bad.py" in summary["body"]
        assert "<!-- reviewbot:head=" not in summary["body"]  # the next run reviews it again
        assert "chunks failed" in capsys.readouterr().err
