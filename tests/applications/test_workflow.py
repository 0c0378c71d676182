"""Editing, the status workflow and the grant's application history."""

import itertools

import pytest

from applications import services
from applications.models import (
    ApplicationGenerationStatus as S,
)
from applications.models import (
    ApplicationHistory,
    ApplicationStatus,
    GeneratedApplication,
    GenerationState,
    InvalidStatusMove,
)
from tests.factories import GeneratedApplicationFactory

pytestmark = pytest.mark.django_db

# Written out by hand, not derived from the model, so the test checks the rule.
ALLOWED = {
    (S.DRAFT, S.GENERATED),
    (S.GENERATED, S.EDITED),
    (S.GENERATED, S.SUBMITTED),
    (S.EDITED, S.SUBMITTED),
    (S.SUBMITTED, S.AWARDED),
    (S.SUBMITTED, S.REJECTED),
}
ALL_MOVES = list(itertools.product(S.values, S.values))


@pytest.mark.parametrize(("source", "target"), [m for m in ALL_MOVES if m in ALLOWED])
def test_it_allows_each_workflow_move(source, target):
    application = GeneratedApplication(status=source)
    application.move_to(target)
    assert application.status == target


@pytest.mark.parametrize(("source", "target"), [m for m in ALL_MOVES if m not in ALLOWED])
def test_it_refuses_every_other_move(source, target):
    application = GeneratedApplication(status=source)
    with pytest.raises(InvalidStatusMove, match="cannot become"):
        application.move_to(target)
    assert application.status == source


def test_it_refuses_an_unknown_status():
    with pytest.raises(InvalidStatusMove, match="is not an application status"):
        GeneratedApplication(status=S.GENERATED).move_to("WON")


@pytest.fixture
def generated(user, grant):
    return GeneratedApplicationFactory(
        user=user,
        grant=grant,
        status=S.GENERATED,
        generation_state=GenerationState.SUCCEEDED,
        sections={"executive_summary": "Generated summary.", "needs_statement": "Generated need."},
    )


def test_it_records_an_edit_and_moves_to_edited(owner_client, generated):
    response = owner_client.post(
        f"/applications/{generated.pk}/sections/executive_summary/", {"text": "My summary.\r\nSecond line."}
    )
    assert response.status_code == 302
    generated.refresh_from_db()
    assert generated.status == S.EDITED
    assert generated.sections["executive_summary"] == "My summary.\nSecond line."
    assert generated.sections["needs_statement"] == "Generated need."
    assert generated.last_edited is not None
    edit = generated.user_edits["executive_summary"]
    assert (edit["original"], edit["edit_count"]) == ("Generated summary.", 1)
    assert "My summary." in generated.generated_content

    owner_client.post(f"/applications/{generated.pk}/sections/executive_summary/", {"text": "Third try."})
    generated.refresh_from_db()
    assert generated.status == S.EDITED
    assert generated.user_edits["executive_summary"]["original"] == "Generated summary."
    assert generated.user_edits["executive_summary"]["edit_count"] == 2


def test_it_keeps_the_status_when_the_text_is_unchanged(generated):
    services.application_section_edit(application=generated, section_key="executive_summary", text="Generated summary.")
    generated.refresh_from_db()
    assert generated.status == S.GENERATED
    assert generated.user_edits == {}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.DRAFT, "draft cannot become edited"),
        (S.SUBMITTED, "submitted cannot become edited"),
        (S.AWARDED, "awarded cannot become edited"),
        (S.REJECTED, "rejected cannot become edited"),
    ],
)
def test_it_refuses_edits_outside_the_writable_statuses(owner_client, generated, status, message):
    generated.status = status
    generated.save()
    response = owner_client.post(
        f"/applications/{generated.pk}/sections/executive_summary/", {"text": "Late change."}, follow=True
    )
    assert message in response.content.decode()
    generated.refresh_from_db()
    assert generated.sections["executive_summary"] == "Generated summary."
    assert generated.status == status


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "cannot be empty"), ("x" * 20_001, "at most 20,000 characters")],
)
def test_it_refuses_bad_section_text(generated, text, message):
    with pytest.raises(services.ApplicationRefused, match=message):
        services.application_section_edit(application=generated, section_key="executive_summary", text=text)
    generated.refresh_from_db()
    assert generated.status == S.GENERATED


def test_it_refuses_changes_while_the_application_is_being_written(generated):
    generated.generation_state = GenerationState.RUNNING
    generated.save()
    with pytest.raises(services.ApplicationRefused, match="being written"):
        services.application_section_edit(application=generated, section_key="executive_summary", text="New.")
    with pytest.raises(services.ApplicationRefused, match="being written"):
        services.application_section_regenerate(application=generated, section_key="executive_summary")


def test_it_feeds_submission_and_award_into_the_grants_history(owner_client, generated, grant, user):
    owner_client.post(f"/applications/{generated.pk}/feedback/", {"feedback": "Call the programme officer."})
    owner_client.post(f"/applications/{generated.pk}/status/", {"status": "SUBMITTED"})
    generated.refresh_from_db()
    assert generated.status == S.SUBMITTED
    history = ApplicationHistory.objects.get(grant=grant, user=user)
    assert generated.history == history
    assert history.status == ApplicationStatus.APPLIED
    assert history.application_date is not None
    assert history.feedback_notes == "Call the programme officer."

    owner_client.post(f"/applications/{generated.pk}/status/", {"status": "AWARDED", "award_amount": "125000"})
    history.refresh_from_db()
    assert ApplicationHistory.objects.filter(grant=grant).count() == 1
    assert history.status == ApplicationStatus.AWARDED
    assert history.is_successful_outcome is True
    assert history.award_amount == 125000.0
    owner_client.post(f"/applications/{generated.pk}/feedback/", {"feedback": "Report due in June."})
    history.refresh_from_db()
    assert history.feedback_notes == "Report due in June."


def test_it_feeds_a_rejection_into_the_grants_history(generated, grant):
    generated.status = S.EDITED
    generated.save()
    services.application_status_change(application=generated, status=S.SUBMITTED)
    services.application_status_change(application=generated, status=S.REJECTED, feedback_notes="Too broad.")
    history = ApplicationHistory.objects.get(grant=grant)
    assert history.status == ApplicationStatus.REJECTED
    assert history.is_successful_outcome is False
    assert history.feedback_notes == "Too broad."


@pytest.mark.parametrize(
    ("status", "target", "message"),
    [
        (S.DRAFT, "SUBMITTED", "draft cannot become submitted"),
        (S.GENERATED, "AWARDED", "generated cannot become awarded"),
        (S.AWARDED, "REJECTED", "awarded cannot become rejected"),
        (S.REJECTED, "SUBMITTED", "rejected cannot become submitted"),
        (S.GENERATED, "EDITED", "edited when you edit a section"),
        (S.DRAFT, "GENERATED", "generated when it is written"),
    ],
)
def test_it_refuses_invalid_status_changes_and_changes_nothing(owner_client, generated, status, target, message):
    generated.status = status
    generated.save()
    response = owner_client.post(f"/applications/{generated.pk}/status/", {"status": target}, follow=True)
    body = response.content.decode()
    if target in ("EDITED", "GENERATED"):
        assert "Select a valid choice" in body  # not even offered by the page's form
        with pytest.raises(InvalidStatusMove, match=message):
            services.application_status_change(application=generated, status=target)
    else:
        assert message in body
    generated.refresh_from_db()
    assert generated.status == status
    assert not ApplicationHistory.objects.exists()


def test_it_refuses_a_negative_award_or_an_award_without_awarding(generated):
    generated.status = S.SUBMITTED
    generated.save()
    with pytest.raises(services.ApplicationRefused, match="cannot be negative"):
        services.application_status_change(application=generated, status=S.AWARDED, award_amount=-5)
    generated.refresh_from_db()
    assert generated.status == S.SUBMITTED
    with pytest.raises(services.ApplicationRefused, match="goes with an awarded"):
        services.application_status_change(application=generated, status=S.REJECTED, award_amount=10)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/applications/{pk}/"),
        ("post", "/applications/{pk}/sections/executive_summary/"),
        ("post", "/applications/{pk}/sections/executive_summary/regenerate/"),
        ("post", "/applications/{pk}/retry/"),
        ("post", "/applications/{pk}/status/"),
        ("post", "/applications/{pk}/feedback/"),
    ],
)
def test_it_answers_404_to_another_user(other_client, generated, method, path):
    response = getattr(other_client, method)(path.format(pk=generated.pk), {"text": "x", "status": "SUBMITTED"})
    assert response.status_code == 404
    generated.refresh_from_db()
    assert generated.status == S.GENERATED
    assert generated.sections["executive_summary"] == "Generated summary."


def test_it_continues_the_grants_existing_history_row(generated, grant, user):
    tracked = ApplicationHistory.objects.create(grant=grant, user=user, status=ApplicationStatus.DRAFTING)
    services.application_status_change(application=generated, status=S.SUBMITTED)
    tracked.refresh_from_db()
    assert ApplicationHistory.objects.filter(grant=grant).count() == 1
    assert tracked.status == ApplicationStatus.APPLIED
    generated.refresh_from_db()
    assert generated.history == tracked
    # A second application for the same grant starts its own row instead of taking this one.
    second = GeneratedApplicationFactory(user=user, grant=grant, status=S.GENERATED)
    services.application_status_change(application=second, status=S.SUBMITTED)
    assert ApplicationHistory.objects.filter(grant=grant).count() == 2
