"""End to end against a real llama.cpp server: `python -m reviewbot` with SmolLM2-135M-Instruct.

Mocks only prove that reviewbot agrees with our idea of the protocol. Here the server is
llama.cpp's own (embedded in the `xllamacpp` wheel, see `realmodel/server.py`) and the model is
a 135M one that writes no useful review: echoes of the prompt, placeholder text, findings on
lines that do not exist, loops until the token limit. So the tests assert the pipeline, not the
content: the requests are accepted, structured output is requested the way the server supports
it (json_schema), usage is read from the server, and whatever the model says ends in a clean
result: invalid findings dropped and counted, failed chunks named, a documented exit code, never
a traceback.

A recording proxy between reviewbot and the server (`realmodel/wire.py`) lets the tests check
the wire itself rather than reviewbot's account of it. Two runs, a file and a diff, cover both
values of `--stream` and of `--no-self-check`; a third has the server refuse a prompt too long
for its context. Run `pytest -m realmodel -rP` to see what the model wrote.

Deselect with `-m 'not realmodel'`. Without the packages (`.ci/realmodel-deps`) they are skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from unidiff import PatchSet

from reviewbot.config import CATEGORIES, SEVERITIES
from reviewbot.tokens import tokenizer_for
from tests.conftest import GitRepo
from tests.realmodel import server
from tests.realmodel.wire import Exchange, WireTap

pytestmark = pytest.mark.realmodel

MAX_OUTPUT = 256  # the least reviewbot accepts; the tiny model often loops until it
CHUNK_TOKENS = 2048  # half the server's context: room for its tokenizer counting more
RUN_TIMEOUT = 240.0  # seconds for one reviewbot run; more is a hang
DOCUMENTED_EXITS = {0, 1, 3, 5}  # README "Exit codes"
REFUSED = ("HTTP ", "could not connect", "the request timed out", "rate limited")

CONFIG = f"""\
context_window: {server.N_CTX}  # the server's (the llamacpp preset says 8192)
max_output_tokens: {MAX_OUTPUT}
temperature: 0  # less variety run to run (the prompt's random delimiters still vary)
concurrency: 1  # the server has one slot
timeout: 60
max_retries: 1
cache_dir: ""  # every run asks the model
"""

BEFORE = """\
import sqlite3


def find_user(db: sqlite3.Connection, name: str):
    cur = db.cursor()
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
    return cur.fetchone()


def average(values):
    return sum(values) / len(values)
"""

AFTER = BEFORE.replace(
    "    return sum(values) / len(values)\n",
    "    total = 0\n"
    "    for i in range(len(values) + 1):\n"
    "        total += values[i]\n"
    "    return total / len(values)\n",
)

# Chinese comments: about 2.5 times more tokens for SmolLM2's tokenizer than for tiktoken's.
WIDE = (
    "def total(values):\n    total = 0\n"
    + "".join(
        f"    # 第{i}步：检查用户输入是否为空，如果为空则返回默认值，否则计算平均值并记录日志。\n"
        f"    total += values[{i}]\n"
        for i in range(40)
    )
    + "    return total\n"
)


@pytest.fixture(scope="session")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[server.LlamaServer]:
    """One llama.cpp server for the session: 127.0.0.1, a free port, one thread."""
    if not tokenizer_for("default", quiet=True).exact:
        pytest.skip(
            "the budgets here are sized for exact token counts: set TIKTOKEN_CACHE_DIR to a "
            "folder holding tiktoken's o200k_base file (CI does)"
        )
    try:
        running = server.start(server.find_model(), tmp_path_factory.mktemp("llama") / "server.log")
    except server.Unavailable as err:
        pytest.skip(str(err))
    yield running
    running.stop()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    exchanges: list[Exchange]

    def document(self) -> dict[str, Any]:
        try:
            return json.loads(self.stdout)
        except ValueError:
            pytest.fail(f"exit {self.code}, stdout is not JSON:\n{self.stdout}\n{self.stderr}")


def run_reviewbot(
    llama: server.LlamaServer,
    cwd: Path,
    config: Path,
    args: list[str],
    chunk_tokens: int | None = CHUNK_TOKENS,
) -> Run:
    """`python -m reviewbot --format json ARGS` against the server, through a wire tap."""
    env = {**os.environ, "REVIEWBOT_OFFLINE": "1"}  # TIKTOKEN_CACHE_DIR passes through if set
    with WireTap(llama.url) as tap:
        command = [sys.executable, "-m", "reviewbot", "--provider", "llamacpp"]
        command += ["--base-url", f"{tap.url}/v1", "--config", str(config), "--format", "json"]
        command += ["--chunk-tokens", str(chunk_tokens)] if chunk_tokens else []
        command += args
        started = time.monotonic()
        try:
            done = subprocess.run(
                command, cwd=cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"reviewbot did not finish in {RUN_TIMEOUT:.0f} s; server log:\n{llama.log_tail()}"
            )
        seconds = time.monotonic() - started
    return Run(done.returncode, done.stdout, done.stderr, seconds, tap.chat())


# Each value of each option once. Streaming and the self-check are independent of each other and
# of the input, and every further run costs about 20 s on one thread.
CASES = [
    pytest.param("file", True, False, id="file-stream-noselfcheck"),
    pytest.param("diff", False, True, id="diff-plain-selfcheck"),
]


@pytest.mark.parametrize(("source", "stream", "self_check"), CASES)
def test_review_against_llama_cpp(
    llama: server.LlamaServer,
    repo: GitRepo,
    tmp_path: Path,
    source: str,
    stream: bool,
    self_check: bool,
) -> None:
    repo.write("app.py", BEFORE)
    repo.commit("before")
    repo.write("app.py", AFTER)
    config = tmp_path / ".reviewbot.yml"
    config.write_text(CONFIG, encoding="utf-8")
    if source == "file":
        args = ["app.py"]
        lines = {"RIGHT": set(range(1, AFTER.count("\n") + 1)), "LEFT": set()}
    else:
        patch = tmp_path / "change.diff"
        patch.write_text(repo.diff(), encoding="utf-8")
        args = ["--diff", str(patch)]
        lines = shown_lines(patch.read_text(encoding="utf-8"))
    args += ["--stream"] if stream else []
    args += [] if self_check else ["--no-self-check"]

    run = run_reviewbot(llama, repo.root, config, args)
    print(transcript(run))  # shown with -rP, and on failure

    doc = check_clean_end(run)
    for chunk in doc["failed_chunks"]:
        assert not chunk["reason"].startswith(REFUSED), f"a request was refused: {chunk}"
    check_findings(doc, lines, self_check)
    check_wire(run.exchanges, doc, stream)


def test_a_chunk_too_large_for_the_server_context(
    llama: server.LlamaServer, repo: GitRepo, tmp_path: Path
) -> None:
    """The server refuses a prompt longer than its context: a named failed chunk, exit 3.

    reviewbot counts tokens with tiktoken; llama.cpp counts with the model's own tokenizer. With
    `context_window` set to the server's and `chunk_tokens` left at its default (the whole
    context), Chinese text that fits by reviewbot's count does not fit by the server's. The
    400 must fail that chunk at once (no retry), name the server's reason, and not be taken for
    a refused `response_format` (no downgrade from json_schema).
    """
    repo.write("wide.py", WIDE)
    config = tmp_path / ".reviewbot.yml"
    config.write_text(CONFIG, encoding="utf-8")

    run = run_reviewbot(llama, repo.root, config, ["wide.py", "--no-self-check"], chunk_tokens=None)
    print(transcript(run))

    doc = check_clean_end(run, path="wide.py")
    assert run.code == 3
    assert len(run.exchanges) == doc["chunks"]  # one request per chunk: a 400 is not retried
    for e in run.exchanges:
        assert e.status == 400
        assert e.request["response_format"]["type"] == "json_schema"
        assert b"context" in e.body
    for chunk in doc["failed_chunks"]:
        assert chunk["reason"].startswith("HTTP 400"), chunk
        assert "context" in chunk["reason"], chunk
    assert not any(note.startswith("structured output") for note in doc["notes"]), doc["notes"]
    assert doc["usage"]["requests"] == 0


def shown_lines(patch: str) -> dict[str, set[int]]:
    """The lines a finding may point at, per side: the hunks' new and old line numbers."""
    out: dict[str, set[int]] = {"RIGHT": set(), "LEFT": set()}
    for file in PatchSet(patch):
        for hunk in file:
            out["RIGHT"].update(range(hunk.target_start, hunk.target_start + hunk.target_length))
            out["LEFT"].update(range(hunk.source_start, hunk.source_start + hunk.source_length))
    return out


# -- the checks ------------------------------------------------------------------------------


def check_clean_end(run: Run, path: str = "app.py") -> dict[str, Any]:
    """A documented exit code that agrees with the output; failed chunks named; no traceback."""
    assert "Traceback" not in run.stderr, run.stderr
    assert run.code in DOCUMENTED_EXITS, f"exit {run.code}\n{run.stderr}"
    doc = run.document()
    assert doc["stopped"] is None, doc["stopped"]
    chunks, failed = doc["chunks"], doc["failed_chunks"]
    assert chunks >= 1
    if run.code == 3:
        assert len(failed) == chunks
        assert "no chunk could be reviewed" in run.stderr
    elif run.code == 5:
        assert 0 < len(failed) < chunks
        assert "chunks failed" in run.stderr
    else:
        assert failed == []
    for chunk in failed:
        assert 1 <= chunk["chunk"] <= chunks
        assert chunk["paths"] == [path]
        assert chunk["reason"].strip()
    return doc


def check_findings(doc: dict[str, Any], lines: dict[str, set[int]], self_check: bool) -> None:
    """Invalid findings dropped with a count; every finding kept is on a line that was shown."""
    invalid = doc["invalid_findings"]
    assert doc["dropped"].get("invalid", 0) == len(invalid)
    assert all(item.startswith("chunk ") for item in invalid), invalid
    findings = doc["findings"]
    counts = {s: sum(f["severity"] == s for f in findings) for s in SEVERITIES}
    assert doc["counts"] == counts
    for f in findings:
        where = f"{f['path']}:{f['line']} ({f['side']})"
        assert f["path"] == "app.py", where
        assert f["line"] in lines[f["side"]], where
        if f["end_line"] is not None:
            assert f["line"] < f["end_line"], where
            assert set(range(f["line"], f["end_line"] + 1)) <= lines[f["side"]], where
        assert f["severity"] in SEVERITIES
        assert f["category"] in CATEGORIES
        assert 1 <= f["score"] <= 10
        assert f["title"].strip()
    checks = doc["usage"]["self_check"]["requests"]
    if not self_check:
        assert checks == 0
        assert not any(f["checked"] for f in findings)
        return
    if checks == 0:  # no candidate survived placement: nothing to check, nothing reported
        assert findings == []
    unchecked = [f for f in findings if not f["checked"]]
    if unchecked:  # only when the self-check answer was unusable, and then it says so
        assert any("reported unchecked" in note for note in doc["notes"]), doc["notes"]


def check_wire(exchanges: list[Exchange], doc: dict[str, Any], stream: bool) -> None:
    """Every request accepted, json_schema sent, and the usage reported is the server's."""
    usage = doc["usage"]
    assert usage["requests"] == len(exchanges) > 0
    for e in exchanges:
        sent = e.request
        assert e.status == 200, f"{e.status}: {e.body[:300]!r}"
        assert sent["response_format"]["type"] == "json_schema"
        assert isinstance(sent["response_format"]["json_schema"]["schema"], dict)
        assert sent["max_tokens"] == MAX_OUTPUT
        assert bool(sent.get("stream")) is stream
        assert e.streamed is stream
        if stream:
            assert sent["stream_options"] == {"include_usage": True}
        reported = e.usage()
        assert reported is not None, "the server reported no usage"
        assert reported["prompt_tokens"] > 0
        assert reported["prompt_tokens"] + MAX_OUTPUT <= server.N_CTX
    by_pass = {"review": [], "self_check": []}
    for e in exchanges:
        by_pass[e.request["response_format"]["json_schema"]["name"]].append(e)
    for name, sent in by_pass.items():
        mine = usage[name]
        assert mine["requests"] == len(sent), name
        assert mine["estimated"] is False, f"{name}: usage counted locally, not read"
        assert mine["prompt_tokens"] == sum(e.usage()["prompt_tokens"] for e in sent)
        assert mine["completion_tokens"] == sum(e.usage()["completion_tokens"] for e in sent)
    assert usage["prompt_tokens"] > 0


def transcript(run: Run) -> str:
    """What the model wrote and what reviewbot made of it."""
    out = [f"reviewbot exit {run.code} in {run.seconds:.1f} s, {len(run.exchanges)} requests"]
    for n, e in enumerate(run.exchanges, start=1):
        name = (e.request or {}).get("response_format", {}).get("json_schema", {}).get("name")
        head = f"--- {n}: {name}, HTTP {e.status}, {'streamed' if e.streamed else 'plain'}"
        if e.status != 200:
            out += [head, e.body[:500].decode("utf-8", errors="replace")]
            continue
        used = e.usage() or {}
        out.append(
            f"{head}, finish {e.finish_reason()}, "
            f"tokens {used.get('prompt_tokens')}+{used.get('completion_tokens')}"
        )
        out.append(e.text()[:1500])
    try:
        doc = json.loads(run.stdout)
    except ValueError:
        out.append(f"--- stdout (not JSON):\n{run.stdout}")
    else:
        out.append("--- reviewbot's result:")
        for f in doc["findings"]:
            out.append(
                f"finding {f['path']}:{f['line']}-{f['end_line']} {f['side']} {f['severity']} "
                f"score {f['score']} checked {f['checked']}: {f['title']}"
            )
        out += [f"invalid: {item}" for item in doc["invalid_findings"]]
        out += [f"failed: {item}" for item in doc["failed_chunks"]]
        out += [f"note: {note}" for note in doc["notes"]]
        out.append(f"dropped {doc['dropped']}, score {doc['score']}, usage {doc['usage']}")
    out.append(f"--- stderr:\n{run.stderr}")
    return "\n".join(out)
