"""The plan: the same change always gives the same chunks (their text is the cache key)."""

from __future__ import annotations

from reviewbot.config import Config
from reviewbot.diff import decode, parse_diff
from reviewbot.plan import make_plan
from reviewbot.prompts import load_prompts
from reviewbot.providers import resolve
from reviewbot.tokens import tokenizer_for
from tests.conftest import corpus_bytes


def test_chunks_do_not_depend_on_the_random_delimiter() -> None:
    diff = parse_diff(decode(corpus_bytes("py-sphinx-pragent-medium.patch")))
    prompts = load_prompts()
    tokenizer = tokenizer_for("gpt-4.1-mini", quiet=True)
    endpoint = resolve("openai")
    renders = []
    for nonce in ("0" * 12, "9f3a7c1e5b2d", "ffffffffffff", "a1b2c3d4e5f6"):
        plan = make_plan(diff, Config(), endpoint, prompts, tokenizer, nonce=nonce)
        renders.append([pc.chunk.render() for pc in plan.chunks])
        system_tokens = tokenizer.count(plan.system_prompt)
        assert plan.budget.system >= system_tokens
    assert all(r == renders[0] for r in renders)


def test_local_servers_get_a_quarter_of_their_context_as_margin() -> None:
    diff = parse_diff("--- a/x.py\n+++ b/x.py\n@@ -1 +1,2 @@\n a = 1\n+b = 2\n")
    prompts = load_prompts()
    tokenizer = tokenizer_for("default", quiet=True)
    local = make_plan(
        diff,
        Config(context_window=8192),
        resolve("llamacpp", context_window=8192),
        prompts,
        tokenizer,
    )
    assert local.budget.request == 6144
    explicit = make_plan(diff, Config(chunk_tokens=4000), resolve("llamacpp"), prompts, tokenizer)
    assert explicit.budget.request == 4000
    cloud = make_plan(diff, Config(), resolve("openai"), prompts, tokenizer)
    assert cloud.budget.request == 16384
