"""The steps every entry point shares: plan a diff, review it, decide the exit code.

The command line (`main.py`) and the pull-request runner (`github/run.py`) differ only in where
the diff and the config come from and where the result goes.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from reviewbot.cache import ResultCache
from reviewbot.config import Config
from reviewbot.diff import Diff
from reviewbot.errors import EXIT_FINDINGS, EXIT_MODEL, EXIT_OK, EXIT_PARTIAL
from reviewbot.findings import at_or_above
from reviewbot.model import OpenAIModel
from reviewbot.plan import Plan, make_plan
from reviewbot.prompts import Prompts, load_prompts
from reviewbot.providers import Endpoint, resolve
from reviewbot.publish import plan as plan_out
from reviewbot.redact import Redactor, has_placeholder
from reviewbot.result import FailedChunk, ReviewResult
from reviewbot.review import ChunkOutcome, Reviewer
from reviewbot.tokens import tokenizer_for

log = logging.getLogger("reviewbot")


def endpoint_for(config: Config) -> Endpoint:
    return resolve(
        config.provider,
        model=config.model,
        base_url=config.base_url,
        api_key_env=config.api_key_env,
        context_window=config.context_window,
        input_price=config.input_price,
        output_price=config.output_price,
    )


def plan_review(
    diff: Diff,
    config: Config,
    endpoint: Endpoint,
    prompts_dir: Path | None,
    quiet: bool = False,
    redactor: Redactor | None = None,
) -> tuple[Plan, Prompts]:
    prompts = load_prompts(prompts_dir)
    tokenizer = tokenizer_for(endpoint.model, quiet=quiet)
    log.info("tokens counted by %s", tokenizer.source)
    plan = make_plan(diff, config, endpoint, prompts, tokenizer, redactor=redactor)
    return plan, prompts


def run_review(
    plan: Plan,
    prompts: Prompts,
    config: Config,
    endpoint: Endpoint,
    key: str | None,
    quiet: bool = False,
    cache_root: Path | None = None,
) -> ReviewResult:
    """Review the plan. With `cache_root`, chunks reviewed before (same code, prompts, model and
    settings) come from the result cache in `cache_root / config.cache_dir`, at no cost.
    The result is scrubbed of every secret the plan masked, and of the key."""
    redactor = plan.redactor or Redactor()
    if key:
        redactor.add_secret(key, "API key")
    if not plan.chunks:
        log.warning("nothing to review: %s", why_nothing(plan))
    cache = None
    if cache_root is not None and config.cache_dir:
        cache = ResultCache(cache_root / config.cache_dir, config, endpoint, prompts.version)
    progress = None if quiet or len(plan.chunks) < 2 else show_progress
    with OpenAIModel(endpoint, key, config) as model:
        reviewer = Reviewer(plan, model, config, prompts, endpoint, progress=progress, cache=cache)
        result = reviewer.run()
    result.notes.insert(0, f"tokens counted by {plan.tokenizer.source}")
    if masked := redactor.summary():
        result.notes.insert(1, masked)
    return scrub_result(result, redactor)


def scrub_result(result: ReviewResult, redactor: Redactor) -> ReviewResult:
    """No secret value leaves in findings, summaries, notes or failures; and a suggested fix
    that would write a `«redacted:...»` placeholder into the code is dropped."""
    clean = redactor.scrub
    findings, dropped = [], 0
    for f in result.findings:
        suggestion = f.suggestion
        if has_placeholder(suggestion):
            suggestion, dropped = None, dropped + 1
        findings.append(
            f.with_(
                title=clean(f.title),
                body=clean(f.body),
                suggestion=clean(suggestion) if suggestion else suggestion,
                note=clean(f.note) if f.note else f.note,
            )
        )
    result.findings = findings
    result.summaries = [clean(s) for s in result.summaries]
    result.notes = [clean(n) for n in result.notes]
    if dropped:
        result.notes.append(
            f"dropped {dropped} suggested fix{'es' * (dropped != 1)} that would have written a "
            "masked secret's placeholder into the code"
        )
    result.invalid = [clean(i) for i in result.invalid]
    result.failed = [FailedChunk(c.index, c.paths, clean(c.reason)) for c in result.failed]
    result.stopped = clean(result.stopped) if result.stopped else result.stopped
    return result


def show_plan(plan: Plan, fmt: str, config: Config, endpoint: Endpoint) -> int:
    """`--dry-run`: the plan and its price on stdout, as text or JSON."""
    render = plan_out.render_json if fmt == "json" else plan_out.render_text
    sys.stdout.write(render(plan, config.self_check, endpoint))
    return EXIT_OK


def why_nothing(plan: Plan) -> str:
    if not plan.diff.files:
        return "the diff is empty"
    return f"all {len(plan.diff.files)} files were skipped (see the list below)"


def show_progress(done: int, total: int, pc: Any, outcome: ChunkOutcome) -> None:
    paths = ", ".join(pc.chunk.paths[:3]) + (", ..." if len(pc.chunk.paths) > 3 else "")
    state = f"failed: {outcome.failure}" if outcome.failure else f"{len(outcome.findings)} findings"
    print(f"reviewbot: [{done}/{total}] {paths}: {state}", file=sys.stderr, flush=True)


def exit_code(result: ReviewResult, config: Config) -> int:
    """0 clean, 1 a finding at or above fail_on, 3 nothing reviewed or stopped, 5 partial."""
    if result.all_failed or (result.stopped and len(result.failed) >= result.chunks):
        print(
            f"reviewbot: error: no chunk could be reviewed: "
            f"{result.stopped or result.failed[0].reason}",
            file=sys.stderr,
        )
        return EXIT_MODEL
    if result.stopped:
        print(f"reviewbot: error: the review stopped early: {result.stopped}", file=sys.stderr)
        return EXIT_MODEL
    if any(at_or_above(f.severity, config.fail_on) for f in result.findings):
        return EXIT_FINDINGS
    if result.failed:
        print(
            f"reviewbot: warning: {len(result.failed)} of {result.chunks} chunks failed; "
            "their files were not reviewed (listed in the output)",
            file=sys.stderr,
        )
        return EXIT_PARTIAL
    return EXIT_OK
