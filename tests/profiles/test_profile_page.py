import pytest

from profiles.models import BusinessProfile, Passage
from tests.factories import BusinessProfileFactory

pytestmark = pytest.mark.django_db

VALID = {
    "business_name": "Bayou Connect",
    "organization_type": "nonprofit",
    "mission_statement": "We bring broadband to rural parishes.",
    "service_description": "Community Wi-Fi and digital literacy classes.",
    "website_url": "https://bayou.example.org",
    "target_sectors": "Telecommunications, Education, education",
    "revenue_range": "$250k-$1M",
    "years_in_operation": "6",
    "geographic_focus": "Louisiana",
    "team_size": "12",
    "narrative_text": "Since 2019 we have connected 1,200 homes.",
}


def test_it_shows_the_form_with_a_live_narrative_counter(owner_client):
    response = owner_client.get("/profile/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="narrative-counter"' in body
    assert 'data-char-counter="narrative-counter"' in body
    assert 'maxlength="2000"' in body
    assert "js/char-counter.js" in body
    assert "<script>" not in body  # strict CSP: no inline scripts


def test_it_creates_the_profile_with_every_field_and_indexes_it(owner_client, user):
    response = owner_client.post("/profile/", VALID)
    assert response.status_code == 302
    profile = BusinessProfile.objects.get(user=user)
    assert profile.business_name == "Bayou Connect"
    assert profile.organization_type == "nonprofit"
    assert profile.target_sectors == ["Telecommunications", "Education"]
    assert (profile.years_in_operation, profile.team_size) == (6, 12)
    assert profile.website_url == "https://bayou.example.org"
    assert profile.narrative_text == VALID["narrative_text"]
    assert profile.embeddings_generated_at is not None
    labels = set(Passage.objects.filter(profile=profile).values_list("source_label", flat=True))
    assert labels == {
        "Profile: organisation facts",
        "Profile: mission statement",
        "Profile: services",
        "Profile: narrative",
    }


def test_it_updates_the_owners_profile_and_no_one_elses(owner_client, user, other_user):
    BusinessProfileFactory(user=user, business_name="Old name")
    others = BusinessProfileFactory(user=other_user, business_name="Other org")
    owner_client.post("/profile/", VALID)
    assert BusinessProfile.objects.get(user=user).business_name == "Bayou Connect"
    others.refresh_from_db()
    assert others.business_name == "Other org"
    assert "Other org" not in owner_client.get("/profile/").content.decode()


def test_it_refuses_a_narrative_over_2000_characters_and_changes_nothing(owner_client, user):
    BusinessProfileFactory(user=user, business_name="Kept", narrative_text="Kept narrative")
    response = owner_client.post("/profile/", VALID | {"narrative_text": "x" * 2001})
    assert response.status_code == 400
    assert "The narrative may be at most 2,000 characters (it has 2001)." in response.content.decode()
    profile = BusinessProfile.objects.get(user=user)
    assert (profile.business_name, profile.narrative_text) == ("Kept", "Kept narrative")


def test_it_counts_a_browser_newline_as_one_character(owner_client, user):
    narrative = ("a" * 999 + "\r\n") * 2  # 2,000 characters as the browser counts them
    response = owner_client.post("/profile/", VALID | {"narrative_text": narrative})
    assert response.status_code == 302
    assert len(BusinessProfile.objects.get(user=user).narrative_text) == 1999  # trailing newline stripped


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("business_name", "", "Enter your organisation&#x27;s name."),
        ("organization_type", "pirate_ship", "Choose one of the listed organisation types."),
        ("website_url", "not a web address", "Enter a full web address, such as https://example.org."),
        ("years_in_operation", "-1", "Years in operation cannot be negative."),
        ("years_in_operation", "six", "Enter the number of years as a whole number."),
        ("team_size", "1.5", "Enter the team size as a whole number."),
        ("team_size", "2000000", "Team size may be at most 1,000,000."),
        ("target_sectors", ",".join(f"s{i}" for i in range(21)), "List at most 20 sectors."),
        ("revenue_range", "x" * 51, "The revenue range may be at most 50 characters (it has 51)."),
        ("geographic_focus", "x" * 256, "The geographic focus may be at most 255 characters (it has 256)."),
        ("mission_statement", "x" * 5001, "The mission statement may be at most 5,000 characters (it has 5001)."),
    ],
)
def test_it_validates_each_field_with_a_clear_message(owner_client, user, field, value, message):
    response = owner_client.post("/profile/", VALID | {field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BusinessProfile.objects.filter(user=user).exists()


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
