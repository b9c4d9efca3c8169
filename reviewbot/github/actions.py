"""The GitHub Actions runner's side channels: masks, annotations, job summary, step outputs.

Each function is a no-op outside Actions (when `GITHUB_ACTIONS` is not "true"), except that
outputs and the summary are written wherever `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY` point.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping


def in_actions(env: Mapping[str, str] | None = None) -> bool:
    return (env if env is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def _escape(value: str) -> str:
    """Workflow-command escaping for messages (see the toolkit's `escapeData`)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def mask(value: str | None) -> None:
    """Ask the runner to hide `value` in every later log line."""
    if value and in_actions():
        for line in value.splitlines():
            if line.strip():
                print(f"::add-mask::{_escape(line)}", flush=True)


def annotate(level: str, message: str, title: str = "reviewbot") -> None:
    """An ::error:: / ::warning:: / ::notice:: annotation on the run."""
    if in_actions():
        print(f"::{level} title={_escape(title)}::{_escape(message)}", file=sys.stdout, flush=True)


def write_summary(markdown: str) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(markdown.rstrip() + "\n")


def set_outputs(values: Mapping[str, object]) -> None:
    """Step outputs, each in heredoc form with a random delimiter that the value cannot hold."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            text = "" if value is None else str(value)
            delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            while delimiter in text:
                delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            handle.write(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")
