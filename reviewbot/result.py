"""The plain result of a run, which every publisher (terminal, JSON, Markdown, GitHub) takes."""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewbot.findings import Finding
from reviewbot.triage import Skipped


@dataclass
class PassUsage:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False  # some answers carried no usage; their tokens were counted locally

    def add(self, prompt: int, completion: int, estimated: bool = False) -> None:
        self.requests += 1
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.estimated = self.estimated or estimated

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "estimated": self.estimated,
        }


@dataclass
class Usage:
    review: PassUsage = field(default_factory=PassUsage)
    self_check: PassUsage = field(default_factory=PassUsage)
    cost: float | None = None
    currency: str = "USD"

    @property
    def requests(self) -> int:
        return self.review.requests + self.self_check.requests

    @property
    def prompt_tokens(self) -> int:
        return self.review.prompt_tokens + self.self_check.prompt_tokens

    @property
    def completion_tokens(self) -> int:
        return self.review.completion_tokens + self.self_check.completion_tokens

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "review": self.review.as_dict(),
            "self_check": self.self_check.as_dict(),
            "cost": None if self.cost is None else round(self.cost, 6),
            "currency": self.currency,
        }


@dataclass(frozen=True)
class FailedChunk:
    index: int  # 1-based
    paths: tuple[str, ...]
    reason: str

    def __str__(self) -> str:
        return f"chunk {self.index} ({', '.join(self.paths)}): {self.reason}"


@dataclass
class ReviewResult:
    findings: list[Finding]
    skipped: list[Skipped]
    failed: list[FailedChunk]
    usage: Usage
    chunks: int
    files_reviewed: list[str]
    score: float | None = None
    summaries: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)  # findings the model placed off the diff
    notes: list[str] = field(default_factory=list)
    cached: int = 0  # chunks whose result came from the result cache: no model call
    stopped: str | None = None  # why the run stopped early (bad key, quota), if it did
    model: str = ""
    provider: str = ""

    @property
    def inline(self) -> list[Finding]:
        return [f for f in self.findings if f.anchor is not None]

    @property
    def unplaced(self) -> list[Finding]:
        return [f for f in self.findings if f.anchor is None]

    @property
    def all_failed(self) -> bool:
        return self.chunks > 0 and len(self.failed) >= self.chunks

    def counts(self) -> dict[str, int]:
        out = {"critical": 0, "major": 0, "minor": 0, "nit": 0}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out
