"""Writing applications is rate limited per user (bar line 28): the 11th within a minute gets 429
with Retry-After, on the page and the API alike, and costs nothing."""

from __future__ import annotations

import json

import pytest

from accounts.models import User
from applications.models import GeneratedApplication
from billing.models import UsageRecord
from tests.factories import GeneratedApplicationFactory, GrantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roomy_allowance(settings, user, throttle_clock_stopped):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "generation": "10/minute"}
    User.objects.filter(pk=user.pk).update(applications_limit=100)


def _api_generate(client, grant_id):
    return client.post(
        "/api/applications/generate", data=json.dumps({"grant_id": grant_id}), content_type="application/json"
    )


def test_the_11th_generation_within_a_minute_gets_429_on_the_api(owner_client, user, profile):
    grants = [GrantFactory(user=user) for _ in range(11)]

    statuses = [_api_generate(owner_client, grant.pk).status_code for grant in grants[:10]]
    refused = _api_generate(owner_client, grants[10].pk)

    assert statuses == [202] * 10
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["code"] == "throttled" and body["scope"] == "generation"
    assert body["retry_after"] == int(refused["Retry-After"])
    assert body["detail"].startswith("Too many application writing requests: the limit is 10 per minute.")
    # Nothing was started or spent for the refused one.
    assert GeneratedApplication.objects.filter(user=user).count() == 10
    assert UsageRecord.objects.filter(user=user, kind="applications").count() == 10


def test_the_11th_generation_within_a_minute_gets_a_429_page(owner_client, user, profile, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "generation": "2/minute"}
    grants = [GrantFactory(user=user) for _ in range(3)]

    accepted = [owner_client.post("/applications/new/", {"grant": grant.pk}).status_code for grant in grants[:2]]
    refused = owner_client.post("/applications/new/", {"grant": grants[2].pk})

    assert accepted == [302, 302]
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Too many requests" in page and "the limit is 2 per minute" in page
    assert GeneratedApplication.objects.filter(user=user).count() == 2


def test_rewriting_a_section_and_retrying_count_as_generations(owner_client, user, profile, grant, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "generation": "1/minute"}
    application = GeneratedApplicationFactory(user=user, grant=grant, sections={"executive_summary": "Summary."})

    owner_client.post(f"/applications/{application.pk}/sections/executive_summary/regenerate/")
    again = owner_client.post(f"/applications/{application.pk}/sections/executive_summary/regenerate/")
    retry = owner_client.post(f"/applications/{application.pk}/retry/")

    assert (again.status_code, retry.status_code) == (429, 429)


def test_one_users_limit_is_not_anothers(owner_client, user, other_user, profile, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "generation": "1/minute"}
    _api_generate(owner_client, GrantFactory(user=user).pk)
    assert _api_generate(owner_client, GrantFactory(user=user).pk).status_code == 429

    owner_client.force_login(other_user)
    # Not throttled: the other user's answer is about their own (missing) profile, not a 429.
    assert _api_generate(owner_client, GrantFactory(user=other_user).pk).status_code == 400
