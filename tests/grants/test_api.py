"""/api/grants and /api/search-runs."""

from __future__ import annotations

import pytest

from grants.models import SavedGrant, SearchRun, SearchRunStatus
from tests.factories import GrantFactory, OpportunityFactory, SearchRunFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_users_grants_with_filters_and_pages(owner_client, user, other_user):
    GrantFactory(user=user, title="Broadband A", overall_composite_score=0.9)
    GrantFactory(user=user, title="Broadband B", overall_composite_score=0.3)
    GrantFactory(user=other_user, title="Broadband other", overall_composite_score=1.0)
    body = owner_client.get("/api/grants").json()
    assert (body["count"], body["page"], body["pages"]) == (2, 1, 1)
    assert [g["title"] for g in body["results"]] == ["Broadband A", "Broadband B"]
    assert body["results"][0]["is_high_priority"] is True and body["results"][0]["is_saved"] is False
    assert [g["title"] for g in owner_client.get("/api/grants?min_score=0.5").json()["results"]] == ["Broadband A"]
    paged = owner_client.get("/api/grants?page_size=1&page=2").json()
    assert (paged["pages"], [g["title"] for g in paged["results"]]) == (2, ["Broadband B"])
    bad = owner_client.get("/api/grants?min_score=3")
    assert bad.status_code == 400 and "min_score" in bad.json()["detail"]


def test_it_shows_one_grant_with_its_breakdown(owner_client, user):
    grant = GrantFactory(
        user=user,
        opportunity=OpportunityFactory(),
        feasibility_score=0.7,
        score_reasons={"feasibility": ["Closes in 20 days."]},
    )
    body = owner_client.get(f"/api/grants/{grant.pk}").json()
    assert body["title"] == grant.title and body["opportunity"]["agency_code"] == "DOC-NTIA"
    assert {"name": "feasibility", "score": 0.7, "reasons": ["Closes in 20 days."]} in body["breakdown"]


def test_it_saves_and_unsaves_through_the_api(owner_client, user):
    grant = GrantFactory(user=user)
    assert owner_client.post(f"/api/grants/{grant.pk}/save").json() == {"id": grant.pk, "is_saved": True}
    assert owner_client.get(f"/api/grants/{grant.pk}").json()["is_saved"] is True
    assert owner_client.delete(f"/api/grants/{grant.pk}/save").json() == {"id": grant.pk, "is_saved": False}
    assert not SavedGrant.objects.exists()


def test_it_starts_and_reports_a_search_run(owner_client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post(
            "/api/search-runs", {"keywords": " broadband ", "categories": ["IS"]}, content_type="application/json"
        )
    assert response.status_code == 202 and len(callbacks) == 1  # the task is queued on commit
    run = SearchRun.objects.get(user=user)
    assert response.json()["id"] == run.pk and response.json()["status"] == "IN_PROGRESS"
    assert run.search_filters["keywords"] == "broadband" and run.search_filters["categories"] == ["IS"]
    body = owner_client.get(f"/api/search-runs/{run.pk}").json()
    assert body["status"] == SearchRunStatus.IN_PROGRESS and body["search_filters"]["categories"] == ["IS"]


def test_it_rejects_bad_search_input_and_changes_nothing(owner_client, user):
    for payload in ({"categories": ["XX"]}, {"amount_min": 10, "amount_max": 5}, {"amount_min": -1}):
        response = owner_client.post("/api/search-runs", payload, content_type="application/json")
        assert response.status_code in (400, 422)
    assert not SearchRun.objects.exists()
    user.refresh_from_db()
    assert user.searches_used == 0


def test_it_answers_402_when_the_allowance_is_spent(owner_client, user):
    user.searches_used = user.searches_limit
    user.save()
    response = owner_client.post("/api/search-runs", {"keywords": "x"}, content_type="application/json")
    assert response.status_code == 402 and not SearchRun.objects.exists()


def test_it_hides_other_users_grants_and_runs(owner_client, other_user):
    grant = GrantFactory(user=other_user)
    run = SearchRunFactory(user=other_user)
    assert owner_client.get(f"/api/grants/{grant.pk}").status_code == 404
    assert owner_client.post(f"/api/grants/{grant.pk}/save").status_code == 404
    assert owner_client.delete(f"/api/grants/{grant.pk}/save").status_code == 404
    assert owner_client.get(f"/api/search-runs/{run.pk}").status_code == 404
    assert owner_client.get("/api/grants").json()["count"] == 0
    assert not SavedGrant.objects.exists()


def test_it_refuses_anonymous_callers(client):
    assert client.get("/api/grants").status_code == 401
    assert client.post("/api/search-runs", {}, content_type="application/json").status_code == 401


def test_the_api_and_the_search_form_refuse_bad_criteria_in_the_same_words(owner_client, user):
    api = owner_client.post("/api/search-runs", {"amount_min": 10, "amount_max": 5}, content_type="application/json")
    page = owner_client.post("/search/", {"amount_min": "10", "amount_max": "5"})
    assert api.status_code == 400 and page.status_code == 400
    assert "The maximum must be at least the minimum." in api.json()["detail"]
    assert "The maximum must be at least the minimum." in page.content.decode()


def test_the_api_and_the_progress_poller_give_a_run_in_one_shape(owner_client, user):
    run = SearchRunFactory(user=user, grants_found=7, high_priority=2)
    api = owner_client.get(f"/api/search-runs/{run.pk}").json()
    poller = owner_client.get(f"/search/runs/{run.pk}/status.json").json()
    assert {key: poller[key] for key in api} == api
