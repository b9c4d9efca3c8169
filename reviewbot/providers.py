"""Provider presets: where each OpenAI-compatible API lives, its key, model, context and price.

Every provider is reached through the official `openai` SDK; a preset only fills in defaults.
Prices are per million tokens in the provider's currency, as published on its pricing page on
the date in `PRICES_AS_OF`; override them with `input_price`/`output_price` in the config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from reviewbot.errors import UsageError

PRICES_AS_OF = "2026-11"
KEY_OVERRIDE_ENV = "REVIEWBOT_API_KEY"


@dataclass(frozen=True)
class Preset:
    name: str
    base_url: str
    key_env: str | None  # None: a local server that needs no key
    model: str
    context_window: int
    input_price: float | None = None  # per million tokens
    output_price: float | None = None
    currency: str = "USD"
    json_mode: str = "json_object"  # best structured-output mode the API is known to accept
    label: str = ""


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "openai",
            "https://api.openai.com/v1",
            "OPENAI_API_KEY",
            "gpt-4.1-mini",
            1_047_576,
            0.40,
            1.60,
            "USD",
            "json_schema",
            "OpenAI",
        ),
        Preset(
            "deepseek",
            "https://api.deepseek.com",
            "DEEPSEEK_API_KEY",
            "deepseek-chat",
            131_072,
            0.28,
            0.42,
            "USD",
            "json_object",
            "DeepSeek",
        ),
        Preset(
            "qwen",
            "https://dashscope.aliyuncs.com/compatible-mode/v1",
            "DASHSCOPE_API_KEY",
            "qwen-plus",
            131_072,
            0.8,
            2.0,
            "CNY",
            "json_object",
            "Qwen (Alibaba Cloud DashScope)",
        ),
        Preset(
            "doubao",
            "https://ark.cn-beijing.volces.com/api/v3",
            "ARK_API_KEY",
            "doubao-1-5-pro-32k-250115",
            32_768,
            0.8,
            2.0,
            "CNY",
            "json_object",
            "Doubao (Volcengine Ark)",
        ),
        Preset(
            "siliconflow",
            "https://api.siliconflow.cn/v1",
            "SILICONFLOW_API_KEY",
            "deepseek-ai/DeepSeek-V3",
            65_536,
            2.0,
            8.0,
            "CNY",
            "json_object",
            "SiliconFlow",
        ),
        Preset(
            "01ai",
            "https://api.lingyiwanwu.com/v1",
            "YI_API_KEY",
            "yi-lightning",
            16_384,
            0.99,
            0.99,
            "CNY",
            "json_object",
            "01.AI (Yi)",
        ),
        Preset(
            "ollama",
            "http://localhost:11434/v1",
            None,
            "qwen2.5-coder:7b",
            32_768,
            0.0,
            0.0,
            "USD",
            "json_schema",
            "Ollama (local)",
        ),
        Preset(
            "llamacpp",
            "http://127.0.0.1:8080/v1",
            None,
            "default",
            8_192,
            0.0,
            0.0,
            "USD",
            "json_schema",
            "llama.cpp llama-server (local)",
        ),
        Preset(
            "vllm",
            "http://localhost:8000/v1",
            None,
            "default",
            32_768,
            0.0,
            0.0,
            "USD",
            "json_schema",
            "vLLM (local)",
        ),
    )
}


@dataclass(frozen=True)
class Endpoint:
    """The provider resolved for this run: preset defaults with the config's overrides applied."""

    preset: Preset
    base_url: str
    model: str
    context_window: int
    input_price: float | None
    output_price: float | None
    key_env: str | None

    @property
    def currency(self) -> str:
        return self.preset.currency

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        if self.input_price is None or self.output_price is None:
            return None
        return (prompt_tokens * self.input_price + completion_tokens * self.output_price) / 1e6


def preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        names = ", ".join(PRESETS)
        raise UsageError(f"unknown provider {name!r}; choose one of: {names}") from None


def resolve(
    provider: str,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    context_window: int | None = None,
    input_price: float | None = None,
    output_price: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Endpoint:
    env = os.environ if env is None else env
    p = preset(provider)
    url = base_url or (env.get("OPENAI_BASE_URL") if provider == "openai" else None) or p.base_url
    custom_model = model is not None and model != p.model
    known_prices = p.key_env is None or (not custom_model and url == p.base_url)  # local: free
    return Endpoint(
        preset=p,
        base_url=url.rstrip("/"),
        model=model or p.model,
        context_window=context_window or p.context_window,
        input_price=input_price
        if input_price is not None
        else (p.input_price if known_prices else None),
        output_price=output_price
        if output_price is not None
        else (p.output_price if known_prices else None),
        key_env=api_key_env or p.key_env,
    )


def api_key(endpoint: Endpoint, env: Mapping[str, str] | None = None) -> str | None:
    """The key, looked up in a fixed order: REVIEWBOT_API_KEY, then the provider's variable.

    Raises UsageError naming the variable to set when a key is needed and none is found.
    """
    env = os.environ if env is None else env
    for var in (KEY_OVERRIDE_ENV, endpoint.key_env):
        if var and env.get(var, "").strip():
            return env[var].strip()
    if endpoint.key_env is None:
        return None
    raise UsageError(
        f"no API key for {endpoint.preset.label or endpoint.preset.name}: set {endpoint.key_env} "
        f"(or {KEY_OVERRIDE_ENV}); try --dry-run to see the plan and price without a key"
    )
