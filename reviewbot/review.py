"""The review loop: each planned chunk goes to the model, then through the self-check.

Per chunk, in one worker thread: review request -> parse and validate (one retry when the
answer is invalid or cut off; then whatever complete findings can be salvaged) -> place each
finding on the chunk's lines -> self-check request for the chunk's candidates. Chunks run
concurrently; a failed chunk is named in the result and the others go on. A fatal error (the key
refused, the model missing) stops new requests; what was already reviewed is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from reviewbot import selfcheck
from reviewbot.anchors import Anchor, Placer, code_at
from reviewbot.cache import ResultCache
from reviewbot.chunking import Chunk
from reviewbot.config import Config
from reviewbot.errors import ModelError
from reviewbot.findings import Finding, apply_level, dedupe
from reviewbot.model import CallFailed, Completion, Model
from reviewbot.plan import Plan, PlannedChunk
from reviewbot.prompts import Prompts
from reviewbot.providers import Endpoint
from reviewbot.replies import Reply, ReplyError, parse_reply, salvage
from reviewbot.reply_schema import RawFinding, response_schema, selfcheck_schema
from reviewbot.result import FailedChunk, PassUsage, ReviewResult, Usage

RETRY_NOTE = (
    "\n\nYour previous answer could not be used ({problem}). Answer again with only the JSON "
    "object described above, complete and valid; keep bodies short and report at most {n} "
    "findings."
)

Progress = Callable[[int, int, PlannedChunk, "ChunkOutcome"], None]


@dataclass
class ChunkOutcome:
    findings: list[Finding] = field(default_factory=list)
    score: int | None = None
    summary: str = ""
    failure: str | None = None
    invalid: list[str] = field(default_factory=list)
    self_check_dropped: int = 0
    notes: list[str] = field(default_factory=list)
    cached: bool = False

    def cache_entry(self) -> dict[str, Any]:
        return {
            "findings": self.findings,
            "score": self.score,
            "summary": self.summary,
            "invalid": self.invalid,
            "self_check_dropped": self.self_check_dropped,
        }


class Reviewer:
    """Runs a plan against a model. Construction does no I/O; `run` does the work."""

    def __init__(
        self,
        plan: Plan,
        model: Model,
        config: Config,
        prompts: Prompts,
        endpoint: Endpoint,
        progress: Progress | None = None,
        count_tokens: Callable[[str], int] | None = None,
        cache: ResultCache | None = None,
    ) -> None:
        self.plan = plan
        self.model = model
        self.config = config
        self.prompts = prompts
        self.endpoint = endpoint
        self.progress = progress
        self.count = count_tokens or plan.tokenizer.count
        self.cache = cache
        self.usage = Usage(currency=endpoint.currency)
        self._lock = threading.Lock()
        self._stop: str | None = None
        self._done = 0

    def run(self) -> ReviewResult:
        outcomes: list[ChunkOutcome] = []
        workers = max(1, min(self.config.concurrency, len(self.plan.chunks)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="review") as pool:
            outcomes = list(pool.map(self._chunk_job, self.plan.chunks))
        return self._result(outcomes)

    # -- one chunk ---------------------------------------------------------------------------

    def _chunk_job(self, pc: PlannedChunk) -> ChunkOutcome:
        key = self.cache.key(pc.chunk.render()) if self.cache else ""
        hit = self.cache.get(key) if self.cache else None
        if hit is not None:
            outcome = _from_cache(hit, pc.chunk.index + 1)
        elif self._stop:
            outcome = ChunkOutcome(failure=f"not reviewed: {self._stop}")
        else:
            try:
                outcome = self._review(pc)
            except ModelError as err:
                with self._lock:
                    self._stop = self._stop or str(err)
                outcome = ChunkOutcome(failure=str(err))
            if self.cache and not outcome.failure and not outcome.notes:
                self.cache.put(key, outcome.cache_entry())
        with self._lock:
            self._done += 1
            done = self._done
        if self.progress:
            self.progress(done, len(self.plan.chunks), pc, outcome)
        return outcome

    def _review(self, pc: PlannedChunk) -> ChunkOutcome:
        chunk = pc.chunk
        total = len(self.plan.chunks)
        user = self.prompts.review_chunk(chunk.render(), chunk.index + 1, total, self.plan.nonce)
        outcome = ChunkOutcome()
        reply, failure = self._ask_for_review(user, outcome)
        if reply is None:
            outcome.failure = failure
            return outcome
        outcome.score, outcome.summary = reply.score, reply.summary
        outcome.invalid.extend(f"chunk {chunk.index + 1}: {p}" for p in reply.problems)
        candidates = self._place(chunk, reply.findings, outcome)
        if failure is not None:  # salvaged from a broken answer: it counts only if it lands
            if not candidates:
                outcome.failure = (
                    f"{failure}; none of the findings kept from it is on a line of this chunk"
                )
                return outcome
            outcome.notes.append(
                f"kept {len(candidates)} complete findings of a broken answer ({failure})"
            )
        if candidates and self.config.self_check and not self._stop:
            candidates = self._self_check(chunk, candidates, outcome)
        outcome.findings = candidates
        return outcome

    def _call(self, messages: list[dict[str, str]], schema: dict, usage: PassUsage) -> Completion:
        completion = self.model.complete(messages, schema, self.plan.budget.output)
        prompt, done = completion.prompt_tokens, completion.completion_tokens
        if not completion.usage_reported:
            prompt = sum(self.count(m["content"]) for m in messages)
            done = self.count(completion.text)
        with self._lock:
            usage.add(prompt, done, estimated=not completion.usage_reported)
        return completion

    def _ask_for_review(self, user: str, outcome: ChunkOutcome) -> tuple[Reply | None, str | None]:
        """The chunk's reply: retried once if unusable, then salvaged; or the failure.

        A salvaged reply comes with the failure it was salvaged from: `_review` decides once
        its findings are placed.
        """
        system = self.plan.system_prompt
        attempts: list[str] = []
        problem = ""
        for attempt in range(2):
            content = (
                user
                if attempt == 0
                else user
                + RETRY_NOTE.format(
                    problem=problem, n=max(3, self.config.level().max_findings // 2)
                )
            )
            messages = [{"role": "system", "content": system}, {"role": "user", "content": content}]
            try:
                completion = self._call(messages, response_schema(), self.usage.review)
            except CallFailed as err:
                return self._salvaged(attempts, outcome, str(err))
            attempts.append(completion.text)
            try:
                reply = parse_reply(completion.text)
            except ReplyError as err:
                problem = str(err)
                if completion.finish_reason == "length":
                    problem = "it was cut off at the output token limit"
                continue
            if completion.finish_reason == "length":
                problem = "it was cut off at the output token limit"
                continue
            return reply, None
        return self._salvaged(attempts, outcome, f"unusable answer twice: {problem}")

    def _salvaged(
        self, texts: list[str], outcome: ChunkOutcome, failure: str
    ) -> tuple[Reply | None, str | None]:
        best = max((salvage(t) for t in texts), key=lambda r: len(r.findings), default=None)
        if best is None or not best.findings:
            return None, failure
        return best, failure

    def _place(self, chunk: Chunk, raw: list[RawFinding], outcome: ChunkOutcome) -> list[Finding]:
        view = chunk.view()
        placer = Placer(view)
        found = []
        for r in raw:
            spot = placer.place(r.path, r.line, r.end_line, r.side)
            if not isinstance(spot, Anchor):
                outcome.invalid.append(
                    f"chunk {chunk.index + 1}: {spot.reason} (finding {r.title!r})"
                )
                continue
            found.append(
                Finding(
                    path=spot.path,
                    line=spot.first_line,
                    end_line=spot.line if spot.start_line else None,
                    side=spot.side,
                    severity=r.severity,
                    category=r.category,
                    score=r.score,
                    title=r.title.strip(),
                    body=r.body.strip(),
                    suggestion=r.suggestion,
                    anchor=spot,
                    note=spot.moved,
                    code=code_at(view.file(spot.path), spot),
                    chunk=chunk.index + 1,
                )
            )
        return found

    # -- self-check --------------------------------------------------------------------------

    def _self_check(
        self, chunk: Chunk, candidates: list[Finding], outcome: ChunkOutcome
    ) -> list[Finding]:
        view = chunk.view()
        items = [selfcheck.candidate(n, f, view) for n, f in enumerate(candidates, start=1)]
        messages = [
            {
                "role": "system",
                "content": self.prompts.selfcheck_system(self.config, self.plan.nonce),
            },
            {"role": "user", "content": self.prompts.selfcheck_user(items, self.plan.nonce)},
        ]
        try:
            completion = self._call(messages, selfcheck_schema(), self.usage.self_check)
            cut_off = completion.finish_reason == "length"
            by_id = selfcheck.verdicts(completion.text, cut_off=cut_off)
        except ModelError as err:  # fatal for the run, but this chunk's review is done
            with self._lock:
                self._stop = self._stop or str(err)
            outcome.notes.append(
                f"self-check stopped for chunk {chunk.index + 1}; its findings are reported "
                "unchecked"
            )
            return candidates
        except (CallFailed, ReplyError) as err:
            outcome.notes.append(
                f"self-check failed for chunk {chunk.index + 1} ({err}); "
                "its findings are reported unchecked"
            )
            return candidates
        judged = selfcheck.reached(completion.text, by_id) if cut_off else None
        kept = selfcheck.keep(candidates, by_id, judged)
        if judged is not None and judged < len(candidates):
            left = len(candidates) - judged
            outcome.notes.append(
                f"self-check for chunk {chunk.index + 1} was cut off at the output token limit; "
                + (
                    "1 finding it did not reach is"
                    if left == 1
                    else f"{left} findings it did not reach are"
                )
                + " reported unchecked"
            )
        outcome.self_check_dropped = len(candidates) - len(kept)
        return kept

    # -- the result --------------------------------------------------------------------------

    def _result(self, outcomes: list[ChunkOutcome]) -> ReviewResult:
        findings: list[Finding] = []
        failed, invalid, notes, summaries = [], [], [], []
        scores: list[tuple[int, int]] = []
        dropped_by_check = 0
        for pc, out in zip(self.plan.chunks, outcomes, strict=True):
            findings.extend(out.findings)
            invalid.extend(out.invalid)
            notes.extend(out.notes)
            dropped_by_check += out.self_check_dropped
            if out.failure:
                failed.append(FailedChunk(pc.chunk.index + 1, pc.chunk.paths, out.failure))
            if out.score is not None:
                scores.append((out.score, pc.chunk.tokens))
            if out.summary:
                summaries.append(out.summary)
        findings, duplicates = dedupe(findings)
        kept, dropped = apply_level(findings, self.config.level())
        if dropped_by_check:
            dropped["self_check"] = dropped_by_check
        if duplicates:
            dropped["duplicate"] = duplicates
        if invalid:
            dropped["invalid"] = len(invalid)
        u = self.usage
        u.cost = self.endpoint.cost(u.prompt_tokens, u.completion_tokens)
        model_notes = getattr(self.model, "notes", None)
        notes.extend(model_notes() if callable(model_notes) else [])
        weight = sum(w for _, w in scores)
        return ReviewResult(
            findings=kept,
            skipped=list(self.plan.skipped),
            failed=failed,
            usage=u,
            chunks=len(self.plan.chunks),
            files_reviewed=list(self.plan.reviewed_files),
            score=round(sum(s * w for s, w in scores) / weight, 1) if weight else None,
            summaries=summaries,
            dropped=dropped,
            invalid=invalid,
            notes=notes,
            cached=sum(1 for out in outcomes if out.cached),
            stopped=self._stop,
            model=self.endpoint.model,
            provider=self.endpoint.preset.name,
        )


def _from_cache(entry: dict[str, Any], index: int) -> ChunkOutcome:
    return ChunkOutcome(
        findings=[f.with_(chunk=index) for f in entry["findings"]],
        score=entry.get("score"),
        summary=entry.get("summary") or "",
        invalid=list(entry.get("invalid") or []),
        self_check_dropped=int(entry.get("self_check_dropped") or 0),
        cached=True,
    )
