import json

import pytest

from profiles.models import BusinessProfile, Passage
from tests.factories import BusinessProfileFactory

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "business_name": "Bayou Connect",
    "organization_type": "nonprofit",
    "mission_statement": "Broadband for rural parishes.",
    "target_sectors": ["Telecommunications", "Education"],
    "years_in_operation": 6,
    "team_size": 12,
    "geographic_focus": "Louisiana",
    "narrative_text": "We connected 1,200 homes.",
}


def put(client, payload):
    return client.put("/api/business-profile", data=json.dumps(payload), content_type="application/json")


def test_it_returns_the_owners_profile(owner_client, user):
    BusinessProfileFactory(user=user, business_name="Bayou Connect", target_sectors=["Education"])
    response = owner_client.get("/api/business-profile")
    assert response.status_code == 200
    body = response.json()
    assert body["business_name"] == "Bayou Connect"
    assert body["target_sectors"] == ["Education"]
    assert body["documents_total_size_bytes"] == 0


def test_it_answers_404_to_a_user_without_a_profile_and_never_shows_anothers(other_client, user):
    BusinessProfileFactory(user=user, business_name="Owner's org")
    response = other_client.get("/api/business-profile")
    assert response.status_code == 404
    assert "Owner" not in response.content.decode()


def test_it_creates_then_replaces_the_profile(owner_client, user):
    assert put(owner_client, PAYLOAD).status_code == 200
    response = put(owner_client, PAYLOAD | {"business_name": "Bayou Connect Inc.", "team_size": None})
    assert response.status_code == 200
    assert response.json()["business_name"] == "Bayou Connect Inc."
    profile = BusinessProfile.objects.get(user=user)
    assert profile.team_size is None
    assert profile.years_in_operation == 6
    assert Passage.objects.filter(profile=profile, source_label="Profile: narrative").exists()


def test_it_puts_only_the_callers_profile(other_client, user, other_user):
    owners = BusinessProfileFactory(user=user, business_name="Owner's org")
    assert put(other_client, PAYLOAD).status_code == 200
    owners.refresh_from_db()
    assert owners.business_name == "Owner's org"
    assert BusinessProfile.objects.get(user=other_user).business_name == "Bayou Connect"


def test_it_refuses_invalid_fields_with_messages_and_changes_nothing(owner_client, user):
    BusinessProfileFactory(user=user, business_name="Kept")
    response = put(owner_client, PAYLOAD | {"narrative_text": "x" * 2001, "website_url": "nope", "team_size": -3})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["narrative_text"] == ["The narrative may be at most 2,000 characters (it has 2001)."]
    assert errors["website_url"] == ["Enter a full web address, such as https://example.org."]
    assert errors["team_size"] == ["Team size cannot be negative."]
    assert BusinessProfile.objects.get(user=user).business_name == "Kept"


def test_it_refuses_anonymous_callers(client):
    assert client.get("/api/business-profile").status_code == 401
    assert put(client, PAYLOAD).status_code == 401
