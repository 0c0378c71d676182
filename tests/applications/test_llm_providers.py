"""Generation against recorded answers and errors of real providers (tests/applications/llm_recordings)."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
from collections import Counter

import pytest

from accounts.models import User
from applications import llm
from applications.models import GenerationState
from applications.writer import SECTION_MAX_TOKENS, SECTIONS
from tests.applications.conftest import FakeLLM
from tests.applications.test_llm_generation import request_generation, section_of

pytestmark = pytest.mark.django_db


def answer_text(recording: str) -> str:
    """The recorded answer as the page should show it: what follows the reasoning block."""
    content = FakeLLM.recording(recording)["body"]["choices"][0]["message"]["content"]
    return content.split("</think>", 1)[1].strip()


def usage_of(recording: str) -> dict:
    return FakeLLM.recording(recording)["body"]["usage"]


class PerSection:
    """Counts the requests of each section, so a handler can answer the first and later ones differently."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def nth(self, body: dict) -> int:
        with self._lock:
            self.seen[section_of(body)] += 1
            return self.seen[section_of(body)]


def test_generation_succeeds_against_a_model_that_refuses_max_tokens_with_reasoning_stripped_and_tokens_counted(
    owner_client, user, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    def openai_like(body):
        # Current OpenAI models answer any request carrying max_tokens with this 400.
        if "max_tokens" in body:
            return FakeLLM.play("openai_max_tokens_unsupported")
        return FakeLLM.play("qwen3_think_answer")

    fake_llm.answer_with(openai_like)
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED, application.generation_error
    assert len(fake_llm.requests) == len(SECTIONS)
    assert all(body["max_completion_tokens"] == SECTION_MAX_TOKENS for body in fake_llm.requests)
    assert not any("max_tokens" in body for body in fake_llm.requests)
    expected = answer_text("qwen3_think_answer")
    assert application.sections == {s.key: expected for s in SECTIONS}
    assert "<think>" not in application.generated_content and "Okay, the user" not in application.generated_content
    usage = usage_of("qwen3_think_answer")
    assert application.tokens_used == 6 * usage["total_tokens"]
    assert not application.tokens_estimated
    expected_cost = math.ceil((6 * usage["prompt_tokens"] * 27.0 + 6 * usage["completion_tokens"] * 110.0) / 1_000_000)
    assert application.cost_cents == expected_cost
    assert User.objects.get(pk=user.pk).monthly_ai_cost_cents == expected_cost
    page = owner_client.get(f"/applications/{application.pk}/").content.decode()
    assert f"{6 * usage['total_tokens']} tokens" in page
    assert "Okay, the user wants" not in page


def test_a_server_that_refuses_max_completion_tokens_is_asked_with_max_tokens_and_that_is_remembered(
    settings, owner_client, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    settings.LLM_CONCURRENCY = 1  # one section after another, so the first refusal teaches the rest

    def azure_like(body):
        if "max_completion_tokens" in body:
            return FakeLLM.play("azure_max_completion_tokens_unrecognized")
        return FakeLLM.play("deepseek_r1_think_answer")

    fake_llm.answer_with(azure_like)
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED, application.generation_error
    asked = ["max_completion_tokens" if "max_completion_tokens" in body else "max_tokens" for body in fake_llm.requests]
    assert asked == ["max_completion_tokens"] + ["max_tokens"] * len(SECTIONS)
    assert fake_llm.requests[-1]["max_tokens"] == SECTION_MAX_TOKENS
    assert set(application.sections.values()) == {answer_text("deepseek_r1_think_answer")}
    assert application.tokens_used == 6 * usage_of("deepseek_r1_think_answer")["total_tokens"]


def test_a_section_cut_at_the_length_limit_is_continued_once(
    owner_client, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    per_section = PerSection()

    def handler(body):
        # The first answer runs out of tokens while still thinking; the second finishes.
        return FakeLLM.play("qwen3_length_while_thinking" if per_section.nth(body) == 1 else "qwen3_think_answer")

    fake_llm.answer_with(handler)
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED, application.generation_error
    assert per_section.seen == {s.key: 2 for s in SECTIONS}
    assert set(application.sections.values()) == {answer_text("qwen3_think_answer")}
    assert application.incomplete_sections == []
    cut, full = usage_of("qwen3_length_while_thinking"), usage_of("qwen3_think_answer")
    assert application.tokens_used == 6 * (cut["total_tokens"] + full["total_tokens"])


def test_a_section_still_cut_after_its_continuation_is_marked_incomplete_on_the_page(
    owner_client, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.answer_with(lambda body: FakeLLM.play("openai_length_cut_answer"))
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED, application.generation_error
    assert len(fake_llm.requests) == 2 * len(SECTIONS)
    partial = "The applicant company is The Marigold Trust dated 7/16/15,"
    continuations = [body for body in fake_llm.requests if len(body["messages"]) == 4]
    assert len(continuations) == len(SECTIONS)
    assert all(body["messages"][2] == {"role": "assistant", "content": partial} for body in continuations)
    assert all(body["messages"][3] == {"role": "user", "content": llm.CONTINUE_PROMPT} for body in continuations)
    assert set(application.sections.values()) == {f"{partial} {partial}"}
    assert application.incomplete_sections == [s.key for s in SECTIONS]
    page = owner_client.get(f"/applications/{application.pk}/").content.decode()
    assert page.count("Incomplete: the writing model stopped at its length limit") == len(SECTIONS)
    api = owner_client.get(f"/api/applications/{application.pk}").json()
    assert [section["incomplete"] for section in api["sections"]] == [True] * len(SECTIONS)

    # Finishing a section by hand takes its mark away.
    owner_client.post(f"/applications/{application.pk}/sections/budget_narrative/", {"text": "Finished by hand."})
    application.refresh_from_db()
    assert "budget_narrative" not in application.incomplete_sections
    assert len(application.incomplete_sections) == len(SECTIONS) - 1


def test_a_200_carrying_an_error_is_a_failure_and_is_retried(
    settings, owner_client, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    settings.LLM_MAX_RETRIES = 1
    per_section = PerSection()

    def openrouter_like(body):
        return FakeLLM.play("openrouter_200_with_error" if per_section.nth(body) == 1 else "qwen3_think_answer")

    fake_llm.answer_with(openrouter_like)
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED, application.generation_error
    assert per_section.seen == {s.key: 2 for s in SECTIONS}
    assert set(application.sections.values()) == {answer_text("qwen3_think_answer")}


def test_a_200_carrying_an_error_every_time_fails_with_a_plain_message(
    settings, owner_client, user, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    settings.LLM_MAX_RETRIES = 1
    fake_llm.answer_with(lambda body: FakeLLM.play("openrouter_200_with_error"))
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.FAILED
    assert len(fake_llm.requests) == 2 * len(SECTIONS)
    assert application.generation_error == (
        "The writing service reported a failure while writing (2 attempts). Please try again in a few minutes."
    )
    assert "empty answer" not in application.generation_error
    assert User.objects.get(pk=user.pk).applications_used == 0


def _passages_in(body: dict) -> int:
    prompt = body["messages"][1]["content"]
    return sum(1 for line in prompt.splitlines() if line.startswith("[") and "] (" in line)


def test_a_context_length_error_trims_the_passages_and_retries_once(
    owner_client, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    per_section = PerSection()

    def handler(body):
        if per_section.nth(body) == 1:
            return FakeLLM.play("openai_context_length_exceeded")
        return FakeLLM.play("qwen3_think_answer")

    fake_llm.answer_with(handler)
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED, application.generation_error
    by_section: dict[str, list[int]] = {}
    for body in fake_llm.requests:
        by_section.setdefault(section_of(body), []).append(_passages_in(body))
    for first, second in by_section.values():
        assert first >= 1
        assert second == first // 2


def test_a_context_length_error_that_persists_is_explained_in_plain_words(
    owner_client, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.answer_with(lambda body: FakeLLM.play("deepseek_context_length_exceeded"))
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.FAILED
    assert len(fake_llm.requests) == 2 * len(SECTIONS)
    assert "HTTP 400" not in application.generation_error
    assert "longer than the writing model can read at once" in application.generation_error
    assert "Shorten the longest documents" in application.generation_error


def test_missing_usage_is_estimated_from_the_text_and_marked_estimated(
    owner_client, user, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.answer_with(lambda body: FakeLLM.play("answer_without_usage"))
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED, application.generation_error
    assert application.tokens_estimated
    prompts = sum(llm.estimate_tokens("\n".join(m["content"] for m in body["messages"])) for body in fake_llm.requests)
    assert application.tokens_used == prompts + 6 * llm.estimate_tokens("ok")
    assert application.tokens_used > 0
    assert application.cost_cents >= 1
    assert User.objects.get(pk=user.pk).monthly_ai_cost_cents == application.cost_cents
    page = owner_client.get(f"/applications/{application.pk}/").content.decode()
    assert f"about {application.tokens_used} tokens (estimated" in page
    assert owner_client.get(f"/api/applications/{application.pk}").json()["tokens_estimated"] is True


@pytest.mark.parametrize(
    ("content", "answer"),
    [
        ("<think>\nplan\n</think>\n\nThe answer.", "The answer."),
        # Qwen3-Thinking-2507 on vLLM: the chat template swallows the opening tag, only </think> arrives
        # (https://huggingface.co/Qwen/Qwen3-30B-A3B-Thinking-2507/discussions/2).
        ("plan, still planning\n</think>\n\nThe answer.", "The answer."),
        ("<think>\nOkay, the user just said", ""),
        ("No reasoning at all.", "No reasoning at all."),
        ("<thinking>plan</thinking>\nThe answer.", "The answer."),
        ("<Think>\nplan\n</Think>\n\nThe answer.", "The answer."),
    ],
)
def test_reasoning_is_removed_in_every_shape_servers_send(content, answer):
    assert llm.strip_reasoning(content) == answer


def test_web_workers_do_not_import_the_openai_sdk_at_start_up():
    code = (
        "import sys, django; django.setup(); "
        "import applications.services, applications.views, applications.urls; "
        "print('openai' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )
    assert result.stdout.strip() == "False", result.stderr
