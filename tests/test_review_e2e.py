"""The review end to end: `python -m reviewbot` as a subprocess against the fake OpenAI server.

The scripted model reports a finding on every added line matching a rule, citing the line number
the prompt shows; the self-check drops the findings titled "DROP ...". So each test knows the
exact lines a correct pipeline reports.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reviewbot.config import Config
from reviewbot.diff import Diff, whole_file
from reviewbot.model import Completion, OpenAIModel
from reviewbot.plan import make_plan
from reviewbot.prompts import load_prompts
from reviewbot.providers import resolve
from reviewbot.result import ReviewResult
from reviewbot.review import Reviewer
from reviewbot.tokens import tokenizer_for
from tests.conftest import KEY_VARS
from tests.fakes import openai_server
from tests.fakes.openai_server import FakeOpenAI, Fault, Reply, make_usage
from tests.fakes.scripted_model import Rule, ScriptedReviewer

KEY = "sk-test-e2e-0123456789abcdef"
CONTRACT = Path(os.environ.get("OPENAI_CONTRACT_PATH") or openai_server._CONTRACT)
APP = """\
import os


def ratio(a):
    return a / 0


def run(cmd):
    eval(cmd)


password = "hunter2"
print(password)
"""
RULES = [
    Rule(r"/ 0", "Division by zero", severity="major", score=8, suggestion="    return a"),
    Rule(r"eval\(", "DROP eval of input", severity="critical", category="security", score=9),
    Rule(r"^password =", "Hard-coded password", severity="critical", category="security", score=9),
    Rule(r"print\(", "Debug print", severity="minor", category="maintainability", score=4),
]
REVIEW_USAGE, CHECK_USAGE = (1000, 100), (200, 20)
FINDING_ROW = re.compile(r"^\s+(\d+(?:-\d+)?)\s+([A-Z]+)\s+score (\d+)/10\s+(\S+)\s+(.+)$")


@pytest.fixture(autouse=True)
def _needs_contract() -> None:
    if not CONTRACT.is_file():
        pytest.skip(f"the fake OpenAI server needs the contract {CONTRACT} (../shared is absent)")


def is_self_check(request: dict[str, Any]) -> bool:
    return "second reviewer" in request["messages"][0]["content"]


def fixed_usage(responder: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], Reply]:
    """The responder's text with known usage, so the run's usage can be checked exactly."""

    def answer(request: dict[str, Any]) -> Reply:
        prompt, completion = CHECK_USAGE if is_self_check(request) else REVIEW_USAGE
        return Reply(responder(request), usage=make_usage(prompt, completion))

    return answer


@pytest.fixture
def scripted() -> ScriptedReviewer:
    return ScriptedReviewer(rules=list(RULES))


@pytest.fixture
def srv(scripted: ScriptedReviewer) -> Iterator[FakeOpenAI]:
    with FakeOpenAI(responder=fixed_usage(scripted), api_key=KEY) as server:
        yield server


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


def reviewbot(
    cwd: Path,
    *args: str,
    server: FakeOpenAI | None = None,
    key: str | None = KEY,
    stdin: str | None = None,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """`python -m reviewbot ARGS` with only the environment given here (no developer keys)."""
    clean = {k: v for k, v in os.environ.items() if k not in KEY_VARS and "proxy" not in k.lower()}
    clean.update(REVIEWBOT_OFFLINE="1", NO_COLOR="1", NO_PROXY="127.0.0.1,localhost", **env)
    if key is not None:
        clean["OPENAI_API_KEY"] = key
    if server is not None:
        clean["OPENAI_BASE_URL"] = server.base_url
    return subprocess.run(
        [sys.executable, "-m", "reviewbot", *args],
        input=stdin,
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def rows(stdout: str) -> list[tuple[str, str, int, str, str]]:
    """The finding rows of the text report: (lines, SEVERITY, score, category, title)."""
    out = []
    for line in stdout.splitlines():
        m = FINDING_ROW.match(line)
        if m:
            out.append((m[1], m[2], int(m[3]), m[4], m[5]))
    return out


def as_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.stdout.startswith("{"), proc.stderr
    return json.loads(proc.stdout)


def write_config(cwd: Path, **settings: Any) -> str:
    path = cwd / "reviewbot-test.yml"
    path.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items()))
    return str(path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- a whole file -----------------------------------------------------------------------------


def test_text_report_has_the_exact_lines(srv: FakeOpenAI, work: Path) -> None:
    proc = reviewbot(work, "app.py", server=srv)
    assert proc.returncode == 0, proc.stderr
    assert rows(proc.stdout) == [
        ("5", "MAJOR", 8, "bug", "Division by zero"),
        ("12", "CRITICAL", 9, "security", "Hard-coded password"),
    ]
    out = proc.stdout
    assert out.startswith("app.py\n")
    assert "|     return a" in out  # the suggestion
    assert "2 findings (1 critical, 1 major) in 1 reviewed file, 0 skipped" in out
    assert "Dropped: 1 below the minimum score; 1 by the self-check" in out
    assert "Usage: 2 requests (review 1, self-check 1), 1,200 prompt + 120 completion tokens" in out
    assert [is_self_check(r.body) for r in srv.requests] == [False, True]


def test_json_report(srv: FakeOpenAI, work: Path) -> None:
    doc = as_json(reviewbot(work, "app.py", "--format", "json", server=srv))
    got = [(f["path"], f["line"], f["severity"], f["score"], f["checked"]) for f in doc["findings"]]
    assert got == [("app.py", 5, "major", 8, True), ("app.py", 12, "critical", 9, True)]
    assert doc["findings"][0]["suggestion"] == "    return a"
    assert doc["findings"][0]["inline"] is True
    assert doc["counts"] == {"critical": 1, "major": 1, "minor": 0, "nit": 0}
    assert doc["dropped"] == {"below_min_score": 1, "self_check": 1}
    assert (doc["chunks"], doc["failed_chunks"], doc["invalid_findings"]) == (1, [], [])
    assert (doc["files_reviewed"], doc["stopped"]) == (["app.py"], None)
    assert doc["usage"] == {
        "requests": 2,
        "prompt_tokens": 1200,
        "completion_tokens": 120,
        "review": {"requests": 1, "prompt_tokens": 1000, "completion_tokens": 100,
                   "estimated": False},
        "self_check": {"requests": 1, "prompt_tokens": 200, "completion_tokens": 20,
                       "estimated": False},
        "cost": None,  # a custom base URL: no known price
        "currency": "USD",
    }  # fmt: skip
    review = srv.requests[0].body
    assert review["response_format"]["type"] == "json_schema"
    assert "5+     return a / 0" in review["messages"][1]["content"]


def test_min_score_filters(srv: FakeOpenAI, work: Path) -> None:
    doc = as_json(reviewbot(work, "app.py", "--min-score", "9", "--format", "json", server=srv))
    assert [f["line"] for f in doc["findings"]] == [12]
    assert doc["dropped"]["below_min_score"] == 2


def test_no_self_check_makes_one_request_per_chunk(srv: FakeOpenAI, work: Path) -> None:
    doc = as_json(reviewbot(work, "app.py", "--no-self-check", "--format", "json", server=srv))
    assert [(f["line"], f["checked"]) for f in doc["findings"]] == [
        (5, False),
        (9, False),  # "DROP eval of input": only the self-check would have dropped it
        (12, False),
    ]
    assert len(srv.requests) == 1
    assert doc["usage"]["self_check"]["requests"] == 0
    assert "self_check" not in doc["dropped"]


def test_fail_on_major_exits_1(srv: FakeOpenAI, work: Path) -> None:
    proc = reviewbot(work, "app.py", "--fail-on", "major", server=srv)
    assert proc.returncode == 1, proc.stderr
    assert len(rows(proc.stdout)) == 2


def test_markdown_report(srv: FakeOpenAI, work: Path) -> None:
    proc = reviewbot(work, "app.py", "--format", "markdown", server=srv)
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout
    assert md.startswith("## reviewbot: 2 findings (1 critical, 1 major) · score 6.0/10\n")
    assert "### `app.py` line 5\n\n🟠 **Major** · score 8/10 · bug — **Division by zero**" in md
    assert "### `app.py` line 12\n" in md
    assert "Dropped: 1 below the minimum score; 1 by the self-check." in md
    assert "<sub>2 requests (review 1, self-check 1)" in md


def test_language_reaches_both_system_prompts(srv: FakeOpenAI, work: Path) -> None:
    proc = reviewbot(work, "app.py", "--language", "zh-CN", server=srv)
    assert proc.returncode == 0, proc.stderr
    systems = [r.body["messages"][0]["content"] for r in srv.requests]
    assert len(systems) == 2
    for system in systems:
        assert "Simplified Chinese (简体中文)" in system


def test_stream_reads_usage_and_survives_a_reset(srv: FakeOpenAI, work: Path) -> None:
    srv.enqueue(Fault(reset_mid_stream=True, after_chunks=2))
    doc = as_json(reviewbot(work, "app.py", "--stream", "--format", "json", server=srv))
    assert [f["line"] for f in doc["findings"]] == [5, 12]
    assert len(srv.requests) == 3  # the cut-off stream, its retry, the self-check
    assert all(r.body["stream"] is True for r in srv.requests)
    assert all(r.body["stream_options"] == {"include_usage": True} for r in srv.requests)
    usage = doc["usage"]
    assert (usage["review"]["prompt_tokens"], usage["review"]["estimated"]) == (1000, False)
    assert (usage["self_check"]["completion_tokens"], usage["requests"]) == (20, 2)


# -- a diff -----------------------------------------------------------------------------------

PATCH = """\
diff --git a/src/calc.py b/src/calc.py
index 1111111..2222222 100644
--- a/src/calc.py
+++ b/src/calc.py
@@ -1,4 +1,5 @@
 import math
-
+import os
+
 def area(r):
     return math.pi * r * r
@@ -20,3 +21,4 @@ def mean(xs):
     total = sum(xs)
-    return total / len(xs)
+    print(total)
+    return total / 0
 # end
"""


def test_diff_findings_land_on_new_file_lines(srv: FakeOpenAI, work: Path) -> None:
    (work / "change.patch").write_text(PATCH, encoding="utf-8")
    proc = reviewbot(work, "--diff", "change.patch", "--format", "json", server=srv)
    doc = as_json(proc)
    assert [(f["path"], f["line"], f["title"]) for f in doc["findings"]] == [
        ("src/calc.py", 23, "Division by zero"),  # new-file line 23; the old file had 21
    ]
    assert doc["dropped"] == {"below_min_score": 1}  # the debug print on line 22
    prompt = srv.requests[0].body["messages"][1]["content"]
    assert "=== FILE: src/calc.py (modified) ===" in prompt
    assert "23+     return total / 0" in prompt
    assert "-21     return total / len(xs)" in prompt


def test_diff_from_stdin_and_off_diff_findings_are_counted(
    scripted: ScriptedReviewer, work: Path
) -> None:
    def responder(request: dict[str, Any]) -> str:
        if is_self_check(request):
            return scripted(request)
        reply = scripted.review(request["messages"][-1]["content"])
        extra = dict(reply["findings"][0], title="Elsewhere")
        reply["findings"] += [
            dict(extra, path="src/other.py"),  # not a file of the chunk
            dict(extra, line=10),  # an unchanged line outside every hunk
            dict(extra, line="not a number"),  # not a finding at all
        ]
        return json.dumps(reply)

    with FakeOpenAI(responder=responder, api_key=KEY) as server:
        proc = reviewbot(work, "--diff", "-", "--format", "json", server=server, stdin=PATCH)
    doc = as_json(proc)
    assert [f["line"] for f in doc["findings"]] == [23]
    invalid = doc["invalid_findings"]
    assert len(invalid) == 3
    assert any("'src/other.py' is not a file in this diff" in i for i in invalid)
    assert any("line 10 of src/calc.py (RIGHT) not in the diff" in i for i in invalid)
    assert any(re.search(r"finding 5: line: .*integer", i) for i in invalid)
    assert doc["dropped"]["invalid"] == 3


# -- failures ---------------------------------------------------------------------------------


def test_no_key_exits_2_naming_the_variable(srv: FakeOpenAI, work: Path) -> None:
    proc = reviewbot(work, "app.py", server=srv, key=None)
    assert proc.returncode == 2
    assert "set OPENAI_API_KEY" in proc.stderr
    assert (proc.stdout, srv.requests) == ("", [])


def test_unreachable_model_exits_3(work: Path) -> None:
    config = write_config(work, max_retries=0)  # a retry waits 0.5-1 s and changes nothing here
    url = f"http://127.0.0.1:{free_port()}/v1"
    proc = reviewbot(work, "app.py", "--config", config, OPENAI_BASE_URL=url)
    assert proc.returncode == 3, proc.stderr
    assert "no chunk could be reviewed" in proc.stderr
    assert "could not connect" in proc.stderr
    assert "Failed chunks:\n  chunk 1 (app.py): could not connect" in proc.stdout


def test_wrong_key_exits_3_without_retries(srv: FakeOpenAI, work: Path) -> None:
    proc = reviewbot(work, "app.py", server=srv, key="sk-wrong-0123456789abcdefghij")
    assert proc.returncode == 3, proc.stderr
    assert "refused the key" in proc.stderr
    assert "check OPENAI_API_KEY" in proc.stderr
    assert "sk-wrong-0123456789abcdefghij" not in proc.stderr + proc.stdout
    assert [r.status for r in srv.requests] == [401]


def test_server_errors_are_retried_through(srv: FakeOpenAI, work: Path) -> None:
    srv.enqueue(Fault(status=503, retry_after="0.01"), Fault(status=429, retry_after="0.01"))
    doc = as_json(reviewbot(work, "app.py", "--format", "json", server=srv))
    assert [f["line"] for f in doc["findings"]] == [5, 12]
    assert [r.status for r in srv.requests] == [503, 429, 200, 200]
    assert any("rate-limited" in note for note in doc["notes"])


def one_file_per_chunk(work: Path, files: list[str], config: str) -> str:
    """A --chunk-tokens giving each file chunks of its own, whichever token counter is in use.

    Exact tiktoken counts and the conservative estimate differ about twofold, so the budget that
    keeps the files apart is chosen from the plan (--dry-run) rather than fixed.
    """
    for budget in ("3000", "5000", "8000"):
        proc = reviewbot(work, *files, "--chunk-tokens", budget, "--config", config, "--dry-run",
                         "--format", "json", key=None)  # fmt: skip
        plan = as_json(proc)
        paths = [{f["path"] for f in chunk["files"]} for chunk in plan["chunks"]]
        if len(paths) >= len(files) and all(len(p) == 1 for p in paths):
            return budget
    pytest.fail(f"no chunk budget keeps {files} apart: {paths}")


def test_failed_chunks_exit_5_and_the_others_are_reported(
    scripted: ScriptedReviewer, work: Path
) -> None:
    """Several chunks; those of bad.py answer garbage twice and fail, the others are kept."""
    expected = set()
    for name in ("good1", "bad", "good2"):
        funcs = [
            f"def {name}_{i}(value):\n    total = value * {i} + len(str(value))\n    return total\n"
            for i in range(30)
        ]
        funcs[7] += "\n\ndef broken():\n    return 1 / 0\n"
        text = "\n".join(funcs)
        if name == "bad":
            text = "".join(f"{row}  # poisoned\n" for row in text.splitlines())
        else:
            expected.add((f"{name}.py", text.splitlines().index("    return 1 / 0") + 1))
        (work / f"{name}.py").write_text(text, encoding="utf-8")
    scripted.broken_pattern = "# poisoned"
    files = ["good1.py", "bad.py", "good2.py"]
    config = write_config(work, max_output_tokens=256, max_retries=0)
    args = [*files, "--chunk-tokens", one_file_per_chunk(work, files, config), "--config", config]
    with FakeOpenAI(responder=scripted, api_key=KEY) as server:
        proc = reviewbot(work, *args, "--format", "json", server=server)
    assert proc.returncode == 5, proc.stderr
    doc = as_json(proc)
    assert doc["chunks"] >= 3
    failed = doc["failed_chunks"]
    assert failed
    assert all(c["paths"] == ["bad.py"] for c in failed)
    assert all(c["reason"].startswith("unusable answer twice") for c in failed)
    assert {(f["path"], f["line"]) for f in doc["findings"]} == expected
    assert f"{len(failed)} of {doc['chunks']} chunks failed" in proc.stderr
    assert re.search(r"\] bad\.py: failed: unusable answer twice", proc.stderr)  # progress


# -- the review loop in process: concurrency, rate limits, unusable answers -------------------


def review_in_process(
    server: FakeOpenAI, files: dict[str, str], **settings: Any
) -> tuple[ReviewResult, OpenAIModel]:
    """Plan `files` (whole files) and review them with OpenAIModel against `server`."""
    config = Config(**{"max_output_tokens": 256, **settings})
    endpoint = resolve("openai", base_url=server.base_url, model="gpt-4o-mini", env={})
    prompts = load_prompts()
    tokenizer = tokenizer_for(endpoint.model, quiet=True)
    diff = Diff(tuple(whole_file(path, text.encode()) for path, text in files.items()))
    plan = make_plan(diff, config, endpoint, prompts, tokenizer)
    with OpenAIModel(endpoint, KEY, config, sleep=lambda seconds: None) as model:
        return Reviewer(plan, model, config, prompts, endpoint).run(), model


def many_files(n: int) -> dict[str, str]:
    """`n` files of a few hundred tokens, each with one division by zero on line 3."""
    body = "".join(f"\ndef helper_{i}(value):\n    return value * {i}\n" for i in range(25))
    return {f"mod{k}.py": f"def f{k}(a):\n\n    return a / 0\n{body}" for k in range(n)}


def test_a_429_burst_lowers_the_limit_and_the_run_completes(srv: FakeOpenAI) -> None:
    srv.enqueue(*[Fault(status=429, retry_after="0.01")] * 6)
    files = many_files(8)
    result, model = review_in_process(srv, files, chunk_tokens=3000, concurrency=4)
    assert result.chunks >= 3
    assert (result.failed, result.stopped) == ([], None)
    assert {(f.path, f.line) for f in result.findings} == {(path, 3) for path in files}
    assert model.limiter.lowest <= 2
    assert any("concurrency went down to" in note for note in result.notes)
    assert [r.status for r in srv.requests].count(429) == 6


def test_chunks_are_reviewed_concurrently(scripted: ScriptedReviewer) -> None:
    lock = threading.Lock()
    active, peak = [0], [0]

    def responder(request: dict[str, Any]) -> Reply:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return Reply(scripted(request))

    files = many_files(8)
    with FakeOpenAI(responder=responder, api_key=KEY) as server:
        result, _ = review_in_process(server, files, chunk_tokens=3000, concurrency=4)
        assert peak[0] >= 2
        assert len(result.findings) == len(files)
        peak[0] = 0
        review_in_process(server, files, chunk_tokens=3000, concurrency=1)
        assert peak[0] == 1


def _review_only(responder: Callable[[dict[str, Any]], Reply | str]):
    def answer(request: dict[str, Any]) -> Reply | str:
        if is_self_check(request):
            return json.dumps({"findings": [{"id": 1, "score": 8, "severity": "major"}]})
        return responder(request)

    return answer


def test_a_cut_off_answer_is_retried_once_then_salvaged(scripted: ScriptedReviewer) -> None:
    def cut_off(request: dict[str, Any]) -> Reply:
        full = json.dumps(scripted.review(request["messages"][-1]["content"]))
        return Reply(full[: full.index('"Hard-coded password"')], finish_reason="length")

    with FakeOpenAI(responder=_review_only(cut_off), api_key=KEY) as server:
        result, _ = review_in_process(server, {"app.py": APP})
        reviews = [r.body for r in server.requests if not is_self_check(r.body)]
    assert len(reviews) == 2
    assert "cut off at the output token limit" in reviews[1]["messages"][1]["content"]
    assert [(f.line, f.title) for f in result.findings] == [(5, "Division by zero")]
    assert result.failed == []
    assert any("kept 2 complete findings of a broken answer" in note for note in result.notes)
    assert result.usage.review.requests == 2


def test_an_invalid_answer_is_retried_once(scripted: ScriptedReviewer) -> None:
    answers = iter(["Sorry, here you go: {'findings': []}"])

    def first_bad(request: dict[str, Any]) -> str:
        return next(answers, None) or json.dumps(
            scripted.review(request["messages"][-1]["content"])
        )

    with FakeOpenAI(responder=_review_only(first_bad), api_key=KEY) as server:
        result, _ = review_in_process(server, {"app.py": APP})
    assert [f.line for f in result.findings] == [5]  # id 1 kept by the self-check, the rest not
    assert result.failed == []
    assert result.usage.review.requests == 2


def test_an_unusable_self_check_keeps_the_findings_unchecked(scripted: ScriptedReviewer) -> None:
    def responder(request: dict[str, Any]) -> str:
        return "no idea" if is_self_check(request) else scripted(request)

    with FakeOpenAI(responder=responder, api_key=KEY) as server:
        result, _ = review_in_process(server, {"app.py": APP})
    assert [(f.line, f.checked) for f in result.findings] == [(5, False), (9, False), (12, False)]
    assert any("self-check failed for chunk 1" in note for note in result.notes)


def test_a_cut_off_self_check_keeps_what_it_did_not_reach(scripted: ScriptedReviewer) -> None:
    """Candidates 1-4; the self-check keeps 1, drops 2, and is cut off before judging 3 and 4
    (4, a debug print scoring 4, then falls below the minimum score)."""

    def responder(request: dict[str, Any]) -> str | Reply:
        if not is_self_check(request):
            return scripted(request)
        whole = '{"findings": [{"id": 1, "score": 9, "severity": "critical"}, {"id": 3, "sco'
        return Reply(whole, finish_reason="length")

    with FakeOpenAI(responder=responder, api_key=KEY) as server:
        result, _ = review_in_process(server, {"app.py": APP})
    assert [(f.line, f.checked, f.score) for f in result.findings] == [(5, True, 9), (12, False, 9)]
    assert result.dropped.get("self_check") == 1
    assert any(
        "cut off at the output token limit; 2 findings it did not reach are" in n
        for n in result.notes
    )


def test_quota_running_out_in_the_self_check_stops_but_keeps_the_review(srv: FakeOpenAI) -> None:
    srv.enqueue(Fault(delay=0.001), Fault(status=429, code="insufficient_quota"))
    result, _ = review_in_process(srv, {"app.py": APP})
    assert result.stopped is not None and "quota" in result.stopped
    assert [(f.line, f.checked) for f in result.findings] == [(5, False), (9, False), (12, False)]
    assert result.failed == []


def test_a_self_check_with_string_ids_and_corrections(scripted: ScriptedReviewer) -> None:
    def responder(request: dict[str, Any]) -> str:
        if not is_self_check(request):
            return scripted(request)
        return json.dumps({"findings": [
            {"id": "1", "score": 10, "severity": "critical", "suggestion": None},
            {"id": 3, "score": "7", "severity": "major", "body": "Read it from the environment."},
            {"id": "4", "score": 6, "severity": "minor", "line": 12, "suggestion": "pass"},
        ]})  # fmt: skip

    with FakeOpenAI(responder=responder, api_key=KEY) as server:
        result, _ = review_in_process(server, {"app.py": APP})
    got = [(f.line, f.severity, f.score, f.suggestion, f.body) for f in result.findings]
    assert got == [
        (5, "critical", 10, None, "Explanation."),  # its suggestion withdrawn
        (12, "major", 7, None, "Read it from the environment."),
        (13, "minor", 6, None, "Explanation."),  # not moved, nor given a fix for other lines
    ]
    assert result.dropped["self_check"] == 1  # line 9


class _NoUsageModel:
    """A model whose answers carry no usage: reviewbot counts the tokens itself."""

    def __init__(self, scripted: ScriptedReviewer) -> None:
        self.scripted = scripted

    def complete(self, messages: list[dict[str, str]], schema: Any, max_tokens: int) -> Completion:
        text = self.scripted({"messages": messages})
        return Completion(text, "stop", 0, 0, "json_object", usage_reported=False)


def test_usage_is_estimated_when_the_server_gives_none(scripted: ScriptedReviewer) -> None:
    config = Config()
    endpoint = resolve("deepseek", env={})
    prompts = load_prompts()
    tokenizer = tokenizer_for(endpoint.model, quiet=True)
    plan = make_plan(Diff((whole_file("app.py", APP.encode()),)), config, endpoint, prompts,
                     tokenizer)  # fmt: skip
    result = Reviewer(plan, _NoUsageModel(scripted), config, prompts, endpoint).run()
    usage = result.usage
    assert (usage.review.requests, usage.self_check.requests) == (1, 1)
    assert usage.review.estimated and usage.self_check.estimated
    assert usage.review.prompt_tokens >= tokenizer.count(plan.system_prompt)
    assert usage.review.completion_tokens > 0
    assert usage.cost is not None and usage.cost > 0  # a preset's own model: priced
