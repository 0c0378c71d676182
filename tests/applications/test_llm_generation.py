"""Generation against a fake OpenAI-compatible server on 127.0.0.1."""

import math
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from werkzeug import Response

from accounts.models import User
from applications import services
from applications.models import ApplicationGenerationStatus, GeneratedApplication, GenerationState
from applications.writer import SECTIONS, SectionDraft
from profiles.services import document_upload
from tests.applications.conftest import FakeLLM
from tests.conftest import BROADBAND_PASSAGE

pytestmark = pytest.mark.django_db


def request_generation(client, grant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/applications/new/", {"grant": grant.pk})
    assert response.status_code == 302
    return GeneratedApplication.objects.get(grant=grant)


def section_of(body: dict) -> str:
    prompt = body["messages"][1]["content"]
    return next(section.key for section in SECTIONS if f"Write the {section.title.lower()} section" in prompt)


DOCUMENT_PASSAGE = "Broadband survey 2025: 38% of rural households in our parishes have no reliable internet service."


def test_it_sends_the_model_the_key_and_the_retrieved_passages(
    owner_client, user, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    document_upload(
        user=user,
        uploaded_file=SimpleUploadedFile(
            "survey.txt",
            f"Minutes of the spring bake sale: the committee thanked every volunteer who baked.\n\n{DOCUMENT_PASSAGE}".encode(),
        ),
    )
    fake_llm.answer_with(lambda body: FakeLLM.completion(f"Text for {section_of(body)}."))
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)

    assert len(fake_llm.requests) == len(SECTIONS)
    assert sorted(section_of(body) for body in fake_llm.requests) == sorted(s.key for s in SECTIONS)
    for body, headers in zip(fake_llm.requests, fake_llm.headers, strict=True):
        assert body["model"] == "test-model"
        assert headers["Authorization"] == "Bearer test-key"
        assert body["messages"][0]["role"] == "system"
        prompt = body["messages"][1]["content"]
        assert f"(Profile: narrative) {BROADBAND_PASSAGE}" in prompt
        assert f"(Document: survey.txt) {DOCUMENT_PASSAGE}" in prompt
        assert "bake sale" not in prompt
        assert "Title: Rural Broadband Expansion Grant" in prompt
        assert "Funder: USDA Rural Utilities Service" in prompt
        assert "Name: Bayou Connect" in prompt

    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED
    assert application.status == ApplicationGenerationStatus.GENERATED
    assert application.sections == {s.key: f"Text for {s.key}." for s in SECTIONS}
    assert application.model_used == "test-model"
    assert not application.is_template_draft
    assert application.tokens_used == 6 * 150
    assert application.generation_time_seconds is not None
    assert application.progress_done == application.progress_total == 6
    expected_cost = math.ceil((6 * 100 * 27.0 + 6 * 50 * 110.0) / 1_000_000)
    assert application.cost_cents == expected_cost
    user.refresh_from_db()
    assert user.monthly_ai_cost_cents == expected_cost
    assert user.applications_used == 1


def test_it_requests_the_six_sections_concurrently(
    owner_client, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    # Every request waits until all six are in flight; requests made one after another break the
    # barrier after 3 s, get a 500 and fail the generation.
    all_in_flight = threading.Barrier(len(SECTIONS), timeout=3)

    def handler(body):
        try:
            all_in_flight.wait()
        except threading.BrokenBarrierError:
            return Response("not concurrent", status=500)
        return FakeLLM.completion("Concurrent text.")

    fake_llm.answer_with(handler)
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.generation_error == ""
    assert application.generation_state == GenerationState.SUCCEEDED
    assert len(fake_llm.requests) == 6


@pytest.fixture
def release():
    event = threading.Event()
    yield event
    event.set()  # lets the fake's stuck handler threads finish


def test_it_marks_the_application_failed_on_a_timeout_and_consumes_nothing(
    settings, owner_client, user, profile, grant, fake_llm, release, django_capture_on_commit_callbacks
):
    settings.LLM_TIMEOUT_SECONDS = 0.3

    def handler(body):
        release.wait(timeout=10)
        return FakeLLM.completion("Too late.")

    fake_llm.answer_with(handler)
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.generation_state == GenerationState.FAILED
    assert application.generation_error == "The writing service did not answer within 0.3 seconds."
    assert application.status == ApplicationGenerationStatus.DRAFT
    assert application.sections == {}
    assert not application.allowance_consumed
    user.refresh_from_db()
    assert user.applications_used == 0
    assert user.monthly_ai_cost_cents == 0
    page = owner_client.get(f"/applications/{application.pk}/").content.decode()
    assert "The writing failed" in page
    assert "did not answer within 0.3 seconds" in page
    assert "No application was taken from your allowance." in page


def test_it_marks_the_application_failed_on_a_500_after_bounded_retries(
    settings, owner_client, user, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    settings.LLM_MAX_RETRIES = 1
    fake_llm.answer_with(
        lambda body: Response('{"error": {"message": "boom"}}', status=500, headers={"retry-after-ms": "1"})
    )
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert len(fake_llm.requests) == 6 * 2  # one try and one retry per section, then it gives up
    assert application.generation_state == GenerationState.FAILED
    assert application.generation_error == "The writing service answered with an error (HTTP 500)."
    assert application.status == ApplicationGenerationStatus.DRAFT
    user.refresh_from_db()
    assert user.applications_used == 0
    page = owner_client.get(f"/applications/{application.pk}/").content.decode()
    assert "The writing service answered with an error (HTTP 500)." in page


def test_it_counts_the_cost_of_answered_sections_when_another_fails(
    owner_client, user, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    def handler(body):
        if section_of(body) == "budget_narrative":
            return Response("{}", status=500)
        return FakeLLM.completion("Fine.", prompt_tokens=1_000_000, completion_tokens=0)

    fake_llm.answer_with(handler)
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.generation_state == GenerationState.FAILED
    assert application.tokens_used == 5_000_000
    user.refresh_from_db()
    assert user.monthly_ai_cost_cents == 5 * 27
    assert user.applications_used == 0


def test_it_retries_a_failed_generation_and_then_consumes_the_allowance(
    owner_client, user, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    failing = {"on": True}
    fake_llm.answer_with(
        lambda body: Response("{}", status=503) if failing["on"] else FakeLLM.completion("Second time lucky.")
    )
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.generation_state == GenerationState.FAILED
    failing["on"] = False
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/applications/{application.pk}/retry/")
    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED
    assert application.status == ApplicationGenerationStatus.GENERATED
    assert User.objects.get(pk=user.pk).applications_used == 1


def test_it_rewrites_one_section_without_consuming_an_allowance(
    owner_client, user, profile, grant, fake_llm, django_capture_on_commit_callbacks
):
    fake_llm.answer_with(lambda body: FakeLLM.completion(f"First {section_of(body)}."))
    application = request_generation(owner_client, grant, django_capture_on_commit_callbacks)
    owner_client.post(f"/applications/{application.pk}/sections/needs_statement/", {"text": "My own words."})
    fake_llm.clear()
    fake_llm.answer_with(lambda body: FakeLLM.completion(f"Second {section_of(body)}."))

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/applications/{application.pk}/sections/needs_statement/regenerate/")
    application.refresh_from_db()
    assert [section_of(body) for body in fake_llm.requests] == ["needs_statement"]
    assert application.sections["needs_statement"] == "Second needs_statement."
    assert application.sections["executive_summary"] == "First executive_summary."
    assert "needs_statement" not in application.user_edits
    assert application.status == ApplicationGenerationStatus.EDITED
    assert application.tokens_used == 7 * 150
    assert User.objects.get(pk=user.pk).applications_used == 1


def test_it_discards_a_late_result_after_the_run_was_declared_interrupted(user, profile, grant):
    application = GeneratedApplication.objects.create(
        user=user, grant=grant, generation_state=GenerationState.RUNNING, allowance_consumed=True
    )
    User.objects.filter(pk=user.pk).update(applications_used=1)
    services.application_generation_interrupted(application_id=application.pk, reason="worker stopped beating")
    services._succeed(
        application, [SectionDraft(key="executive_summary", text="Late.", model="m", prompt_tokens=9)], started=0
    )
    application.refresh_from_db()
    assert application.generation_state == GenerationState.FAILED
    assert "interrupted" in application.generation_error
    assert application.sections == {}
    assert application.status == ApplicationGenerationStatus.DRAFT
    assert User.objects.get(pk=user.pk).applications_used == 0
