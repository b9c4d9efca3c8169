"""The review's plan: which files are reviewed in which chunks, at what token cost.

Everything before the first model call happens here, so `--dry-run` and a real review share it.
Secrets are masked here too, file by file before chunking (`reviewbot.redact`): every later step
(chunk text and token counts, self-check excerpts, finding code, fingerprints, the result cache)
sees only the placeholders, and line numbers do not change.
The request budget is `chunk_tokens` (default: min(16384, the model's context window)); each
chunk's body gets what is left after the system prompt, the chunk template and the reserved
output tokens.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from reviewbot.chunking import MIN_BODY_TOKENS, Chunk, plan_chunks
from reviewbot.config import Config
from reviewbot.diff import Diff
from reviewbot.errors import UsageError
from reviewbot.prompts import Prompts
from reviewbot.providers import Endpoint
from reviewbot.redact import Redactor
from reviewbot.tokens import Tokenizer
from reviewbot.triage import Skipped, triage

DEFAULT_REQUEST_TOKENS = 16_384
MESSAGE_OVERHEAD = 8  # tokens the chat format adds per message
SAFETY = 0.02  # share of the budget kept free for tokenizer differences between providers
MIN_OUTPUT_TOKENS = 1024  # a default reservation never goes below this
LOCAL_CONTEXT_SHARE = 0.75  # local models' own tokenizers count up to ~2.5x tiktoken for CJK text
# Estimates for --dry-run and the cost cap, before the model has answered:
EXPECTED_OUTPUT_BASE = 350  # tokens of a reply with a few findings
EXPECTED_OUTPUT_SHARE = 0.03  # plus this share of the chunk's prompt
SELFCHECK_INPUT_SHARE = 0.20  # self-check prompt, as a share of the review prompt


@dataclass(frozen=True)
class Budget:
    request: int
    system: int
    output: int
    body: int


@dataclass(frozen=True)
class PlannedChunk:
    chunk: Chunk
    prompt_tokens: int  # whole request: system + user message + overhead

    @property
    def expected_output(self) -> int:
        return EXPECTED_OUTPUT_BASE + int(self.prompt_tokens * EXPECTED_OUTPUT_SHARE)


@dataclass(frozen=True)
class Plan:
    diff: Diff
    chunks: tuple[PlannedChunk, ...]
    skipped: tuple[Skipped, ...]
    budget: Budget
    tokenizer: Tokenizer
    nonce: str
    system_prompt: str
    reviewed_files: tuple[str, ...] = field(default=())
    redactor: Redactor | None = None  # what was masked; scrubs what goes out

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens for c in self.chunks)

    @property
    def expected_output(self) -> int:
        return sum(c.expected_output for c in self.chunks)

    @property
    def changed_line_tokens(self) -> int:
        return sum(c.chunk.tokens for c in self.chunks)


def request_budget(
    config: Config, endpoint: Endpoint, prompts: Prompts, tokenizer: Tokenizer, nonce: str
) -> tuple[Budget, str]:
    system = prompts.review_system(config, nonce)
    # Counted without the nonce, plus its worst case (a token per character) where it appears:
    # the budget, and so the chunks and their cache keys, must not change from run to run.
    bare_system = prompts.review_system(config, "")
    wrapper = prompts.review_chunk("", 99, 99, "")
    uses = system.count(nonce) + prompts.review_chunk("", 99, 99, nonce).count(nonce)
    system_tokens = (
        tokenizer.count(bare_system)
        + tokenizer.count(wrapper)
        + uses * len(nonce)
        + 3 * MESSAGE_OVERHEAD
    )
    window = endpoint.context_window
    if endpoint.preset.key_env is None:  # a local server: its tokenizer may count more than ours
        window = int(window * LOCAL_CONTEXT_SHARE)
    request = min(config.chunk_tokens or DEFAULT_REQUEST_TOKENS, window)
    output = config.max_output_tokens
    if "max_output_tokens" not in config.model_fields_set:  # the default fits a small context
        output = max(MIN_OUTPUT_TOKENS, min(output, request // 4))
    body = int(request * (1 - SAFETY)) - system_tokens - output
    if body < MIN_BODY_TOKENS:
        raise UsageError(
            f"a request budget of {request} tokens leaves {max(body, 0)} for the code after the "
            f"system prompt ({system_tokens}) and the reserved output ({output});"
            f" at least {MIN_BODY_TOKENS} are needed: raise chunk_tokens (or the context window) "
            "or lower max_output_tokens"
        )
    return Budget(request, system_tokens, output, body), system


def make_plan(
    diff: Diff,
    config: Config,
    endpoint: Endpoint,
    prompts: Prompts,
    tokenizer: Tokenizer,
    nonce: str | None = None,
    redactor: Redactor | None = None,
) -> Plan:
    nonce = nonce or secrets.token_hex(6)
    redactor = redactor or Redactor()
    budget, system = request_budget(config, endpoint, prompts, tokenizer, nonce)
    sorted_out = triage(diff, config)
    reviewable = [redactor.redact_file(f) for f in sorted_out.reviewable]
    chunks = plan_chunks(reviewable, budget.body, tokenizer, config.context_lines)
    planned = [PlannedChunk(c, budget.system + c.tokens) for c in chunks]
    kept, over = _apply_caps(planned, config, endpoint)
    skipped = list(sorted_out.skipped)
    kept_paths = {cf.path for pc in kept for cf in pc.chunk.files}
    for pc in over:
        for cf in pc.chunk.files:
            detail = "not reviewed: the run's token or cost cap was reached"
            if cf.path in kept_paths:
                detail += f" (part {cf.part} of the file)"
            skipped.append(Skipped(cf.path, "budget", detail))
    return Plan(
        diff=diff,
        chunks=tuple(kept),
        skipped=tuple(skipped),
        budget=budget,
        tokenizer=tokenizer,
        nonce=nonce,
        system_prompt=system,
        reviewed_files=tuple(dict.fromkeys(cf.path for pc in kept for cf in pc.chunk.files)),
        redactor=redactor,
    )


def _apply_caps(
    planned: list[PlannedChunk], config: Config, endpoint: Endpoint
) -> tuple[list[PlannedChunk], list[PlannedChunk]]:
    """Keep chunks in order of importance until the token or cost cap would be passed."""
    kept: list[PlannedChunk] = []
    tokens = 0
    cost = 0.0
    for n, pc in enumerate(planned):
        tokens += pc.prompt_tokens
        extra = endpoint.cost(pc.prompt_tokens, pc.expected_output)
        if config.self_check:
            share = endpoint.cost(int(pc.prompt_tokens * SELFCHECK_INPUT_SHARE), 200)
            extra = None if extra is None or share is None else extra + share
        cost += extra or 0.0
        over_tokens = config.max_prompt_tokens is not None and tokens > config.max_prompt_tokens
        over_cost = config.max_cost is not None and extra is not None and cost > config.max_cost
        if over_tokens or over_cost:
            return kept, planned[n:]
        kept.append(pc)
    return kept, []
