"""The composite action: safe by construction, and its script really runs a review."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import needs_contracts
from tests.fakes.scripted_model import Rule, ScriptedReviewer

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
WORKFLOWS = {
    p.name: yaml.safe_load(p.read_text()) for p in (ROOT / ".github" / "workflows").glob("*.yml")
}
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def all_steps():
    yield from ACTION["runs"]["steps"]
    for wf in WORKFLOWS.values():
        for job in wf["jobs"].values():
            yield from job["steps"]


def test_inputs_and_outputs() -> None:
    assert set(ACTION["inputs"]) >= {
        "api-key",
        "provider",
        "model",
        "base-url",
        "strictness",
        "min-score",
        "config",
        "language",
        "fail-on",
        "github-token",
        "full-review",
    }
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(ACTION["outputs"]) == {"findings", "score", "review-url"}
    assert ACTION["runs"]["using"] == "composite"


def test_third_party_actions_are_pinned_by_sha() -> None:
    uses = [s["uses"] for s in all_steps() if "uses" in s]
    assert uses
    for ref in uses:
        assert ref == "./" or SHA_PIN.match(ref), ref


def test_no_expression_inside_run_scripts() -> None:
    """Inputs reach scripts through env:, never `${{ ... }}` inside run: (template injection)."""
    for step in all_steps():
        assert "${{" not in step.get("run", ""), step.get("name")


def test_workflows_start_from_no_permissions() -> None:
    for name, wf in WORKFLOWS.items():
        assert wf["permissions"] == {}, name
        trigger = wf.get(True) or wf.get("on")  # YAML 1.1 reads `on` as True
        assert "pull_request_target" not in trigger, name
    review = WORKFLOWS["review.yml"]["jobs"]["review"]
    assert review["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert review["steps"][-1]["uses"] == "./"
    checkout = review["steps"][0]
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"  # not the PR


@needs_contracts
def test_the_review_step_script_runs_a_review(tmp_path: Path) -> None:
    from tests.fakes.github_server import FakeGitHub, PullRequestSpec
    from tests.fakes.openai_server import FakeOpenAI

    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "review")
    diff = "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1,2 @@\n x = 1\n+y = x / 0\n"
    pr = PullRequestSpec(number=3, diff=diff, base_sha="a" * 40, head_sha="b" * 40)
    reviewer = ScriptedReviewer([Rule(r"/ 0", "Division by zero", severity="minor", score=4)])
    with FakeOpenAI(responder=reviewer, api_key="sk-action") as model, FakeGitHub(pulls=[pr]) as gh:
        event = tmp_path / "event.json"
        event.write_text(json.dumps({"pull_request": {"number": 3}}))
        env = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "REVIEWBOT_OFFLINE": "1",
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": "octo/demo",
            "GITHUB_API_URL": gh.api_url,
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_OUTPUT": str(tmp_path / "out.txt"),
            "REVIEWBOT_GITHUB_WRITE_INTERVAL": "0",
            # what the step's env: block maps from the inputs
            "REVIEWBOT_API_KEY": "sk-action",
            "GITHUB_TOKEN": "ghs_test",
            "INPUT_PROVIDER": "openai",
            "INPUT_MODEL": "gpt-4o-mini",
            "INPUT_BASE_URL": model.base_url,
            "INPUT_STRICTNESS": "strict",
            "INPUT_MIN_SCORE": "3",
            "INPUT_CONFIG": "",
            "INPUT_LANGUAGE": "zh-CN",
            "INPUT_FAIL_ON": "minor",
            "INPUT_FULL_REVIEW": "true",
            "INPUT_SARIF": "",
        }
        if "TIKTOKEN_CACHE_DIR" in os.environ:
            env["TIKTOKEN_CACHE_DIR"] = os.environ["TIKTOKEN_CACHE_DIR"]
        proc = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert proc.returncode == 1, proc.stderr  # fail-on minor, and a minor finding
        assert "::add-mask::sk-action" in proc.stdout
        (comment,) = gh.review_comments(3)
        assert (comment["path"], comment["line"]) == ("a.py", 2)
        system = model.requests[0].body["messages"][0]["content"]
        assert "Simplified Chinese" in system
        assert model.requests[0].body["model"] == "gpt-4o-mini"
        assert "findings<<" in (tmp_path / "out.txt").read_text()
