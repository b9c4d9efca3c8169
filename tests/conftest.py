"""Shared fixtures: no network, no real keys, real git repositories in temporary folders."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

os.environ["REVIEWBOT_OFFLINE"] = "1"  # before any test module builds a tokenizer
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "diffs"
KEY_VARS = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DEEPSEEK_API_KEY",
    "DASHSCOPE_API_KEY",
    "ARK_API_KEY",
    "SILICONFLOW_API_KEY",
    "YI_API_KEY",
    "REVIEWBOT_API_KEY",
    "GITHUB_TOKEN",
    "GITHUB_ACTIONS",
    "GITHUB_EVENT_PATH",
    "GITHUB_REPOSITORY",
    "GITHUB_API_URL",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
)


CONTRACTS = SHARED / "contracts"
needs_contracts = pytest.mark.skipif(
    not (CONTRACTS / "github-pulls-openapi.json").is_file()
    or not (CONTRACTS / "openai-chat-openapi.json").is_file(),
    reason="the fake servers are built from the API contracts in ../shared/contracts (absent)",
)
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's keys, never use a proxy, never download anything."""
    for var in KEY_VARS + PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("REVIEWBOT_OFFLINE", "1")
    monkeypatch.setenv("NO_COLOR", "1")


def corpus_bytes(name: str) -> bytes:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file {name} not available (../shared is absent)")
    return path.read_bytes()


class GitRepo:
    """A real git repository in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "test@example.com")
        self.git("config", "user.name", "Test")
        self.git("config", "core.autocrlf", "false")

    def git(self, *args: str) -> str:
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.root)}
        out = subprocess.run(
            ["git", *args], cwd=self.root, check=True, capture_output=True, env=env
        )
        return out.stdout.decode("utf-8", errors="replace")

    def write(self, path: str, data: str | bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        target.write_bytes(data)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, "--allow-empty")
        return self.git("rev-parse", "HEAD").strip()

    def diff(self, *args: str) -> str:
        return self.git("-c", "core.quotepath=true", "diff", "--no-color", "-M", *args)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")
