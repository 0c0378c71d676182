"""The one module that talks to the OpenAI-compatible chat API (DeepSeek, OpenAI or a local server).

Settings: ``LLM_BASE_URL``, ``LLM_API_KEY``, ``LLM_MODEL``, ``LLM_TIMEOUT_SECONDS``,
``LLM_MAX_RETRIES`` and the token prices. Without a base URL and a model nothing here is called and
applications are written by the offline template writer. Every failure becomes an ``LLMError``
whose message is safe to show to the user.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import openai
from django.conf import settings


class LLMError(Exception):
    """The writing service failed; ``str()`` says how, in words for the user."""


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    model: str

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def is_configured() -> bool:
    return bool(settings.LLM_BASE_URL and settings.LLM_MODEL)


def model_name() -> str:
    return settings.LLM_MODEL


def make_client() -> openai.OpenAI:
    """The client for the current settings; thread-safe, so the section threads share it."""
    return _client(
        settings.LLM_BASE_URL,
        # Local servers often need no key, but the client insists on one.
        settings.LLM_API_KEY or "no-key",
        settings.LLM_TIMEOUT_SECONDS,
        settings.LLM_MAX_RETRIES,
    )


@functools.lru_cache(maxsize=4)
def _client(base_url: str, api_key: str, timeout: float, max_retries: int) -> openai.OpenAI:
    # Kept for the life of the process: building one (TLS context, connection pool) costs about
    # 0.1 s, and its pooled connections save a handshake per section.
    return openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=max_retries)


def complete(*, client: openai.OpenAI, system: str, prompt: str, max_tokens: int) -> Completion:
    """One chat completion: the system message, one user message, the answer and its token counts."""
    try:
        response = client.chat.completions.create(
            model=settings.LLM_MODEL,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}],
            max_tokens=max_tokens,
            temperature=0.4,
        )
    except openai.APITimeoutError:
        attempts = settings.LLM_MAX_RETRIES + 1
        raise LLMError(
            f"The writing service did not answer within {settings.LLM_TIMEOUT_SECONDS:g} seconds"
            + (f" ({attempts} attempts)." if attempts > 1 else ".")
        )
    except openai.APIStatusError as error:
        raise LLMError(f"The writing service answered with an error (HTTP {error.status_code}).")
    except openai.APIConnectionError:
        raise LLMError("The writing service could not be reached.")
    except openai.OpenAIError:
        raise LLMError("The writing service sent an answer that could not be read.")
    text = (response.choices[0].message.content or "").strip() if response.choices else ""
    if not text:
        raise LLMError("The writing service returned an empty answer.")
    usage = response.usage
    return Completion(
        text=text,
        prompt_tokens=usage.prompt_tokens if usage else 0,
        completion_tokens=usage.completion_tokens if usage else 0,
        model=response.model or settings.LLM_MODEL,
    )


def cost_cents(*, prompt_tokens: int, completion_tokens: int) -> int:
    """What the tokens cost, rounded up to a whole cent (never under-counted)."""
    cents = (
        prompt_tokens * settings.LLM_INPUT_CENTS_PER_MILLION_TOKENS
        + completion_tokens * settings.LLM_OUTPUT_CENTS_PER_MILLION_TOKENS
    ) / 1_000_000
    return math.ceil(cents - 1e-9) if cents > 0 else 0
