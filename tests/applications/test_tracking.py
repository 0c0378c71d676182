"""Application tracking: the grant seeker records each step of applying for one of their grants."""

from __future__ import annotations

import pytest

from applications.models import ApplicationHistory
from tests.factories import ApplicationHistoryFactory

pytestmark = pytest.mark.django_db


def test_it_records_an_application_and_its_outcome(owner_client, user, grant):
    response = owner_client.post(
        f"/applications/tracking/grant/{grant.pk}/",
        {"status": "APPLIED", "application_date": "2026-11-02", "status_reason": "ref GF-12", "feedback_notes": ""},
    )
    assert response.status_code == 302
    owner_client.post(
        f"/applications/tracking/grant/{grant.pk}/",
        {"status": "AWARDED", "award_amount": "25000", "feedback_notes": "Full amount."},
    )
    applied, awarded = ApplicationHistory.objects.filter(grant=grant).order_by("id")
    assert (applied.user, applied.status, applied.status_reason) == (user, "APPLIED", "ref GF-12")
    assert applied.application_date.date().isoformat() == "2026-11-02"
    assert applied.is_successful_outcome is None
    assert (awarded.status, awarded.award_amount, awarded.is_successful_outcome) == ("AWARDED", 25000, True)

    page = owner_client.get(f"/applications/tracking/grant/{grant.pk}/")
    assert page.status_code == 200
    assert b"Awarded" in page.content and b"$25,000" in page.content and b"Full amount." in page.content


def test_it_refuses_bad_input_with_a_message_and_stores_nothing(owner_client, grant):
    for data, message in [
        ({"status": "AWARDED", "award_amount": "-5"}, "An award cannot be negative."),
        ({"status": "APPLIED", "award_amount": "100"}, "An award amount goes with the Awarded status."),
        ({"status": "MAYBE"}, "Select a valid choice."),
        ({"status": "APPLIED", "application_date": "next week"}, "Enter a valid date."),
    ]:
        response = owner_client.post(f"/applications/tracking/grant/{grant.pk}/", data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not ApplicationHistory.objects.exists()


def test_it_removes_an_entry(owner_client, user, grant):
    entry = ApplicationHistoryFactory(user=user, grant=grant)
    response = owner_client.post(f"/applications/tracking/{entry.pk}/delete/")
    assert response["Location"] == f"/applications/tracking/grant/{grant.pk}/"
    assert not ApplicationHistory.objects.filter(pk=entry.pk).exists()


def test_it_links_tracking_from_the_grant_page(owner_client, grant):
    assert (
        f'href="/applications/tracking/grant/{grant.pk}/"'.encode() in owner_client.get(f"/grants/{grant.pk}/").content
    )


def test_it_answers_404_to_another_user(other_client, user, grant):
    entry = ApplicationHistoryFactory(user=user, grant=grant)
    assert other_client.get(f"/applications/tracking/grant/{grant.pk}/").status_code == 404
    assert other_client.post(f"/applications/tracking/grant/{grant.pk}/", {"status": "APPLIED"}).status_code == 404
    assert other_client.post(f"/applications/tracking/{entry.pk}/delete/").status_code == 404
    assert list(ApplicationHistory.objects.values_list("pk", flat=True)) == [entry.pk]
