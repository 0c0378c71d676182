"""The offline template writer: used when no LLM is configured."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.models import ApplicationGenerationStatus, GeneratedApplication, GenerationState
from applications.retrieval import section_contexts
from applications.writer import SECTIONS, offline_write
from profiles.services import document_upload

pytestmark = pytest.mark.django_db

DOCUMENT = (
    "Annual report 2024.\n\n"
    "Our board met four times and approved the new bylaws.\n\n"
    "Rural broadband households served: our fibre pilot brought internet to 412 rural households "
    "without reliable service, and every household received digital skills training.\n\n"
    "The spring gala raised funds for the children's choir."
)
BEST_PASSAGE = (
    "Rural broadband households served: our fibre pilot brought internet to 412 rural households "
    "without reliable service, and every household received digital skills training."
)


@pytest.fixture
def document(user, profile):
    return document_upload(user=user, uploaded_file=SimpleUploadedFile("report.txt", DOCUMENT.encode()))


def generate(user, grant, capture) -> GeneratedApplication:
    with capture(execute=True):
        application = services.application_request(user=user, grant=grant)
    application.refresh_from_db()
    return application


def test_it_writes_every_section_from_the_profile_the_grant_and_the_best_passage(
    user, profile, grant, document, django_capture_on_commit_callbacks
):
    application = generate(user, grant, django_capture_on_commit_callbacks)
    assert application.generation_state == GenerationState.SUCCEEDED
    assert application.status == ApplicationGenerationStatus.GENERATED
    assert application.model_used == "offline-template"
    assert application.is_template_draft
    assert application.tokens_used == 0 and application.cost_cents == 0
    sections = application.sections
    assert set(sections) == {s.key for s in SECTIONS}
    for text in sections.values():
        assert f"“{BEST_PASSAGE}”" in text

    summary = sections["executive_summary"]
    for fact in (
        "Bayou Connect",
        "Nonprofit (501(c)(3))",
        "based in Louisiana",
        "has worked for 6 years",
        "We request $250,000 from USDA Rural Utilities Service",
        "“Rural Broadband Expansion Grant”",
        "We bring affordable internet and digital skills to rural Louisiana parishes.",
    ):
        assert fact in summary
    assert "Funds broadband internet for rural households without reliable service." in sections["needs_statement"]
    assert "Broadband, Rural development" in sections["needs_statement"]
    assert "Community Wi-Fi, digital literacy classes and device lending." in sections["project_description"]
    assert "our team of 12" in sections["budget_narrative"]
    assert "$250k-$1M" in sections["budget_narrative"]
    assert "operated for 6 years" in sections["organizational_capacity"]
    assert "The people of Louisiana will benefit directly." in sections["impact_statement"]


def test_it_writes_the_same_draft_from_the_same_facts(profile, grant, document):
    first = [offline_write(c) for c in section_contexts(profile=profile, grant=grant, sections=SECTIONS)]
    second = [offline_write(c) for c in section_contexts(profile=profile, grant=grant, sections=SECTIONS)]
    assert first == second


def test_it_labels_the_template_draft_on_the_page(
    owner_client, user, profile, grant, django_capture_on_commit_callbacks
):
    application = generate(user, grant, django_capture_on_commit_callbacks)
    page = owner_client.get(f"/applications/{application.pk}/").content.decode()
    assert "Template draft" in page
    assert "written without a language model" in page
    assert "Template draft" in owner_client.get("/applications/").content.decode()


def test_it_marks_missing_figures_for_the_user_to_complete(user, profile, grant, django_capture_on_commit_callbacks):
    grant.funding_max = None
    grant.funding_amount = None
    grant.save()
    application = generate(user, grant, django_capture_on_commit_callbacks)
    assert "We request [amount to be completed]" in application.sections["executive_summary"]
