"""Search runs and API writes are rate limited per user: 429 with Retry-After, nothing spent."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.models import User
from grants.models import SearchRun

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roomy_allowance(user, throttle_clock_stopped):
    User.objects.filter(pk=user.pk).update(searches_limit=100)


def test_searches_past_the_limit_get_a_429_page_and_spend_nothing(owner_client, user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "search_run": "3/minute"}

    statuses = [owner_client.post("/search/", {"keywords": "broadband"}).status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 429]
    user.refresh_from_db()
    assert SearchRun.objects.filter(user=user).count() == 3 and user.searches_used == 3


def test_search_runs_past_the_limit_get_429_on_the_api(owner_client, user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "search_run": "2/minute"}

    responses = [
        owner_client.post(
            "/api/search-runs", data=json.dumps({"keywords": "broadband"}), content_type="application/json"
        )
        for _ in range(3)
    ]

    assert [r.status_code for r in responses] == [202, 202, 429]
    assert responses[2].json()["scope"] == "search_run" and int(responses[2]["Retry-After"]) >= 1
    assert SearchRun.objects.filter(user=user).count() == 2


def test_any_api_write_past_the_limit_gets_429_and_reads_go_on(owner_client, user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "api_write": "2/minute"}

    def rename(name):
        return owner_client.patch(
            "/api/users/me", data=json.dumps({"full_name": name}), content_type="application/json"
        )

    statuses = [rename(name).status_code for name in ("One", "Two")]
    refused = rename("Three")

    assert statuses == [200, 200]
    assert refused.status_code == 429 and refused.json()["scope"] == "api_write"
    assert int(refused["Retry-After"]) >= 1
    user.refresh_from_db()
    assert user.full_name == "Two"
    assert owner_client.get("/api/users/me").status_code == 200  # reads are not writes


def test_anonymous_api_writes_get_401_not_429(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "api_write": "1/minute"}
    for _ in range(3):
        response = client.patch("/api/users/me", data="{}", content_type="application/json")
        assert response.status_code == 401


def test_a_forged_api_write_without_the_csrf_token_spends_nothing_of_the_write_budget(user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "api_write": "1/minute"}
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    forged = [
        client.patch("/api/users/me", {"full_name": "Forged"}, content_type="application/json").status_code
        for _ in range(3)
    ]
    client.get("/accounts/")  # sets the CSRF cookie, as any page does
    genuine = client.patch(
        "/api/users/me",
        {"full_name": "Genuine"},
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )

    assert forged == [403, 403, 403]
    assert genuine.status_code == 200
    user.refresh_from_db()
    assert user.full_name == "Genuine"
