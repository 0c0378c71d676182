"""The one module that talks to the OpenAI-compatible chat API (OpenAI, DeepSeek, OpenRouter or a local server).

Settings: ``LLM_BASE_URL``, ``LLM_API_KEY``, ``LLM_MODEL``, ``LLM_TIMEOUT_SECONDS``,
``LLM_MAX_RETRIES`` and the token prices. Without a base URL and a model nothing here is called and
applications are written by the offline template writer. Every failure becomes an ``LLMError``
whose message is safe to show to the user.

What real providers send, and what this module does about it (recordings in tests/applications/llm_recordings):

- Current OpenAI models refuse ``max_tokens`` ("Use 'max_completion_tokens' instead"), while older
  servers refuse ``max_completion_tokens``: the newer name is sent first, and a server that refuses
  it is asked again with ``max_tokens`` and remembered for the life of the process.
- Reasoning models (DeepSeek-R1, Qwen3) put ``<think>...</think>`` before the answer: removed.
- ``finish_reason: "length"`` is a cut answer: it is continued once, then marked incomplete.
- OpenRouter answers HTTP 200 with an ``error`` object when the upstream model fails mid-way: a
  failure, retried like a 5xx.
- A context-length error raises ``ContextTooLong`` so the caller can send fewer passages.
- Servers that omit ``usage`` get an estimate from the text, marked as such, never 0.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:  # the SDK is imported when first used: web workers that never write don't load it
    import openai

logger = logging.getLogger(__name__)

# Roughly four characters per token in English prose (OpenAI's rule of thumb): only used when the
# server does not say, and rounded up so an estimate never undercounts.
CHARS_PER_TOKEN = 4
CONTINUE_PROMPT = "Continue exactly where you stopped. Do not repeat anything already written."

# DeepSeek-R1 and Qwen3 write <think>; some fine-tunes write <thinking>.
_THINK_BLOCK = re.compile(r"<(think|thinking)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think(?:ing)?>", re.IGNORECASE)
_THINK_OPEN = re.compile(r"<think(?:ing)?>", re.IGNORECASE)
# How servers word a prompt that does not fit: OpenAI/DeepSeek/vLLM ("maximum context length"),
# OpenAI's code, llama.cpp ("exceeds the available context size"), TGI ("`inputs` tokens + `max_new_tokens`").
_CONTEXT_PHRASES = (
    "context_length_exceeded",
    "context length",
    "context window",
    "context size",
    "maximum context",
    "prompt is too long",
    "max_new_tokens` must be <=",
)
# finish_reason of an answer cut at the limit: "length" (OpenAI and most servers), "max_tokens" (some proxies).
_CUT_OFF = {"length", "max_tokens"}


class LLMError(Exception):
    """The writing service failed; ``str()`` says how, in words for the user."""


class ContextTooLong(LLMError):
    """The prompt is longer than the model's context window; send less and try again."""


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    model: str
    usage_estimated: bool = False  # the server sent no usage: the counts are estimated from the text
    incomplete: bool = False  # still cut off at the token limit after one continuation

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
    import openai

    # Kept for the life of the process: building one (TLS context, connection pool) costs about
    # 0.1 s, and its pooled connections save a handshake per section.
    return openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=max_retries)


# --- Which name the server wants for the answer's token limit ---------------------------------------

_LEGACY_LIMIT_SERVERS: set[tuple[str, str]] = set()
_LEGACY_LIMIT_LOCK = threading.Lock()


def _server_key(client) -> tuple[str, str]:
    return (str(client.base_url), settings.LLM_MODEL)


def _limit_parameter(client) -> str:
    with _LEGACY_LIMIT_LOCK:
        return "max_tokens" if _server_key(client) in _LEGACY_LIMIT_SERVERS else "max_completion_tokens"


def _remember_limit_parameter(client, name: str) -> None:
    with _LEGACY_LIMIT_LOCK:
        if name == "max_tokens":
            _LEGACY_LIMIT_SERVERS.add(_server_key(client))
        else:
            _LEGACY_LIMIT_SERVERS.discard(_server_key(client))


def forget_limit_parameters() -> None:
    """Forget what servers said about the token-limit name (tests start from a fresh process's view)."""
    with _LEGACY_LIMIT_LOCK:
        _LEGACY_LIMIT_SERVERS.clear()


def _error_text(error) -> str:
    body = error.body
    return f"{error.message} {json.dumps(body) if body is not None else ''}".lower()


def _refuses_parameter(error, name: str) -> bool:
    """A 400 that names the parameter as unsupported, unrecognised or not permitted."""
    if error.status_code != 400:
        return False
    text = _error_text(error)
    return name in text and any(
        word in text for word in ("unsupported", "not supported", "unrecognized", "unknown", "not permitted", "extra")
    )


def _is_context_too_long(error) -> bool:
    if error.status_code not in (400, 413):
        return False
    text = _error_text(error)
    return any(phrase in text for phrase in _CONTEXT_PHRASES)


# --- The answer ------------------------------------------------------------------------------------


def strip_reasoning(text: str) -> str:
    """The answer without the model's reasoning.

    Handles a whole ``<think>...</think>`` block, a block whose opening tag the server's chat
    template swallowed (only ``</think>`` arrives), and an unfinished block (the model ran out of
    tokens while still thinking: nothing after it is answer).
    """
    text = _THINK_BLOCK.sub("", text)
    closings = list(_THINK_CLOSE.finditer(text))
    if closings:
        text = text[closings[-1].end() :]
    opening = _THINK_OPEN.search(text)
    if opening:
        text = text[: opening.start()]
    return text.strip()


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN) if text else 0


@dataclass(frozen=True)
class _Answer:
    raw: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    usage_estimated: bool
    model: str


def _request(client, messages: list[dict], max_tokens: int, *, switched: bool = False) -> _Answer:
    """One chat completion, with the 200-with-error retry and the token-limit-name fallback."""
    import openai

    attempts = settings.LLM_MAX_RETRIES + 1
    for attempt in range(1, attempts + 1):
        parameter = _limit_parameter(client)
        try:
            response = client.chat.completions.create(
                model=settings.LLM_MODEL, messages=messages, temperature=0.4, **{parameter: max_tokens}
            )
        except openai.APITimeoutError:
            raise LLMError(
                f"The writing service did not answer within {settings.LLM_TIMEOUT_SECONDS:g} seconds"
                + (f" ({attempts} attempts)." if attempts > 1 else ".")
            )
        except openai.APIStatusError as error:
            other = "max_tokens" if parameter == "max_completion_tokens" else "max_completion_tokens"
            if _refuses_parameter(error, parameter):
                if switched:
                    raise LLMError(
                        "The writing service refuses every way of limiting the answer's length (HTTP 400)."
                    ) from error
                logger.info("%s refuses %s; using %s from now on", _server_key(client), parameter, other)
                _remember_limit_parameter(client, other)
                return _request(client, messages, max_tokens, switched=True)
            if _is_context_too_long(error):
                raise ContextTooLong(
                    "The application's material is longer than the writing model can read at once."
                ) from error
            raise LLMError(f"The writing service answered with an error (HTTP {error.status_code}).")
        except openai.APIConnectionError:
            raise LLMError("The writing service could not be reached.")
        except openai.OpenAIError:
            raise LLMError("The writing service sent an answer that could not be read.")

        problem = _error_in_body(response)
        if problem is None:
            return _answer(response, messages)
        logger.warning(
            "The writing service answered 200 with an error (attempt %s of %s): %s", attempt, attempts, problem
        )
    raise LLMError(
        "The writing service reported a failure while writing"
        + (f" ({attempts} attempts)." if attempts > 1 else ".")
        + " Please try again in a few minutes."
    )


def _error_in_body(response) -> str | None:
    """OpenRouter's 200 carrying ``{"error": {...}}`` instead of choices; None for a real answer."""
    extra = getattr(response, "model_extra", None) or {}
    error = extra.get("error")
    if error:
        return json.dumps(error)[:500]
    if not getattr(response, "choices", None):
        return "no choices in the answer"
    return None


def _answer(response, messages: list[dict]) -> _Answer:
    choice = response.choices[0]
    raw = choice.message.content or "" if choice.message else ""
    usage = getattr(response, "usage", None)
    if usage is not None and (usage.prompt_tokens or usage.completion_tokens):
        prompt_tokens, completion_tokens, estimated = usage.prompt_tokens or 0, usage.completion_tokens or 0, False
    else:
        prompt_tokens = estimate_tokens("\n".join(str(m["content"]) for m in messages))
        # Reasoning the server sent separately was generated (and billed) too.
        reasoning = (getattr(choice.message, "model_extra", None) or {}).get("reasoning_content") or ""
        completion_tokens, estimated = max(estimate_tokens(raw + reasoning), 1), True
    return _Answer(
        raw=raw,
        finish_reason=(choice.finish_reason or "").lower(),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        usage_estimated=estimated,
        model=response.model or settings.LLM_MODEL,
    )


def complete(*, client: openai.OpenAI, system: str, prompt: str, max_tokens: int) -> Completion:
    """One chat completion: the system message, one user message, the answer and its token counts.

    An answer cut at the token limit is continued once; if the continuation is cut too, the
    completion comes back ``incomplete`` (the page says so).
    """
    messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
    first = _request(client, messages, max_tokens)
    answers = [first]
    text = strip_reasoning(first.raw)
    if first.finish_reason in _CUT_OFF:
        follow_up = list(messages)
        if text:
            follow_up += [{"role": "assistant", "content": text}, {"role": "user", "content": CONTINUE_PROMPT}]
        second = _request(client, follow_up, max_tokens)
        answers.append(second)
        rest = strip_reasoning(second.raw)
        text = f"{text} {rest}".strip() if text else rest
    incomplete = answers[-1].finish_reason in _CUT_OFF
    if not text:
        raise LLMError(
            "The writing model used its whole answer on reasoning and wrote no text."
            if incomplete
            else "The writing service returned an empty answer."
        )
    return Completion(
        text=text,
        prompt_tokens=sum(a.prompt_tokens for a in answers),
        completion_tokens=sum(a.completion_tokens for a in answers),
        model=first.model,
        usage_estimated=any(a.usage_estimated for a in answers),
        incomplete=incomplete,
    )


def cost_cents(*, prompt_tokens: int, completion_tokens: int) -> int:
    """What the tokens cost, rounded up to a whole cent (never under-counted)."""
    cents = (
        prompt_tokens * settings.LLM_INPUT_CENTS_PER_MILLION_TOKENS
        + completion_tokens * settings.LLM_OUTPUT_CENTS_PER_MILLION_TOKENS
    ) / 1_000_000
    return math.ceil(cents - 1e-9) if cents > 0 else 0
