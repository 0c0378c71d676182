"""Search runs: from the form, through the real db_worker, to the user's scored grants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from grants import scoring
from grants.criteria import SearchCriteria
from grants.models import Grant, SearchRun, SearchRunStatus
from grants.services import search_run_execute, search_runs_fail_stale
from grants.services.search_runs import search_run_interrupted, search_run_start
from tests.factories import BusinessProfileFactory, GrantFactory, OpportunityFactory, SearchRunFactory


def _worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")


@pytest.mark.django_db(transaction=True)
def test_it_goes_from_the_form_to_saved_grants_through_the_worker(client, user, other_user):
    BusinessProfileFactory(user=user, revenue_range="$250k-$1M")
    broadband = OpportunityFactory(title="Rural Broadband Expansion")
    OpportunityFactory(title="Broadband Mapping Forecast", status="forecasted", is_forecast=True, close_date=None)
    OpportunityFactory(title="Coastal Fisheries", description_text="Fish stocks.", categories=["NR"])
    OpportunityFactory(title="Old Broadband Program", status="closed", close_date=timezone.localdate() - timedelta(1))
    client.force_login(user)

    response = client.post("/search/", {"keywords": "broadband", "include_forecasts": "on"})
    run = SearchRun.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == f"/search/runs/{run.pk}/"
    assert run.status == SearchRunStatus.IN_PROGRESS
    assert client.get(f"/search/runs/{run.pk}/status.json").json()["finished"] is False

    _worker()

    run.refresh_from_db()
    assert run.status == SearchRunStatus.SUCCESS
    assert (run.grants_found, run.sources_searched, run.error_message) == (2, 1, None)
    assert run.duration_seconds is not None and run.processing_time_ms is not None
    grants = Grant.objects.filter(user=user)
    assert sorted(grants.values_list("title", flat=True)) == ["Broadband Mapping Forecast", "Rural Broadband Expansion"]
    found = grants.get(opportunity=broadband)
    assert found.overall_composite_score > 0.7 and run.high_priority >= 1
    assert found.score_reasons["geographic_relevance"] == ["Names your area: Louisiana"]
    assert found.funding_display == "Up to $500,000" and found.source_name == "Grants.gov"
    user.refresh_from_db()
    assert user.searches_used == 1
    status = client.get(f"/search/runs/{run.pk}/status.json").json()
    assert status["finished"] is True and status["new_grants"] == 2

    # The same search again: nothing is added twice.
    client.post("/search/", {"keywords": "broadband", "include_forecasts": "on"})
    _worker()
    second = SearchRun.objects.filter(user=user).latest("id")
    assert second.status == SearchRunStatus.SUCCESS and second.error_details == {"new_grants": 0}
    assert grants.count() == 2

    # Another user sees none of it.
    client.force_login(other_user)
    for url in (f"/search/runs/{run.pk}/", f"/search/runs/{run.pk}/status.json", f"/grants/{found.pk}/"):
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_it_refuses_a_search_when_the_allowance_is_spent(owner_client, user):
    user.searches_used = user.searches_limit
    user.save()
    response = owner_client.post("/search/", {"keywords": "broadband"})
    assert response.status_code == 402
    assert not SearchRun.objects.exists()


@pytest.mark.django_db
def test_it_rejects_bad_input_and_changes_nothing(owner_client, user):
    response = owner_client.post("/search/", {"amount_min": "500", "amount_max": "100", "categories": ["NOPE"]})
    assert response.status_code == 400
    assert b"The maximum must be at least the minimum." in response.content
    assert not SearchRun.objects.exists()
    user.refresh_from_db()
    assert user.searches_used == 0


@pytest.mark.django_db
def test_it_applies_the_filters():
    today = timezone.localdate()
    wanted = OpportunityFactory(title="Fits", categories=["IS", "ED"], eligible_applicants=["12"], award_ceiling=90000)
    OpportunityFactory(title="Wrong category", categories=["HL"])
    OpportunityFactory(title="Wrong applicants", categories=["IS"], eligible_applicants=["23"])
    open_to_all = OpportunityFactory(
        title="Unrestricted", categories=["ED"], eligible_applicants=["99"], award_ceiling=None
    )
    OpportunityFactory(title="Too small", categories=["IS"], award_ceiling=1000)
    OpportunityFactory(title="Too late", categories=["IS"], close_date=today + timedelta(days=200))
    from grants.selectors import opportunity_search

    criteria = SearchCriteria(categories=["IS", "ED"], eligibility=["12"], amount_min=5000, deadline_within_days=90)
    assert set(opportunity_search(criteria=criteria, today=today)) == {wanted, open_to_all}


@pytest.mark.django_db
def test_it_deduplicates_by_url_and_by_title_and_deadline(user):
    opportunity = OpportunityFactory(title="Rural Broadband Expansion")
    twin = OpportunityFactory(title="Digital Skills", close_date=timezone.localdate() + timedelta(days=20))
    GrantFactory(user=user, source_url=opportunity.url, title="Renamed")
    from grants.services.search_runs import _deadline

    GrantFactory(user=user, title="digital  skills", source_url="https://elsewhere.example", deadline=_deadline(twin))
    run = SearchRunFactory(user=user, status=SearchRunStatus.IN_PROGRESS, search_filters={})
    search_run_execute(run_id=run.pk)
    assert Grant.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_it_searches_grantsgov_live_and_counts_the_calls(user, settings, fake_grantsgov):
    settings.GRANTSGOV_LIVE_SEARCH = True
    fake_grantsgov.serve("fetch_356612_dod_zero_ceiling.json")  # recorded: HDTRA1-25-S-0001, open to 2034
    run = SearchRunFactory(
        user=user, status=SearchRunStatus.IN_PROGRESS, search_filters={"keywords": "weapons of mass destruction"}
    )
    run = search_run_execute(run_id=run.pk)
    assert run.status == SearchRunStatus.SUCCESS
    assert (run.sources_searched, run.api_calls_made, run.grants_found) == (2, 2, 1)
    assert Grant.objects.get(user=user).external_id == "356612"


@pytest.mark.django_db
def test_it_ends_partial_when_grantsgov_times_out(user, settings, fake_grantsgov):
    settings.GRANTSGOV_LIVE_SEARCH = True
    OpportunityFactory(title="Rural Broadband Expansion")
    fake_grantsgov.hang.add("search2")
    run = SearchRunFactory(user=user, status=SearchRunStatus.IN_PROGRESS, search_filters={"keywords": "broadband"})
    run = search_run_execute(run_id=run.pk)
    assert run.status == SearchRunStatus.PARTIAL
    assert run.error_message == "Grants.gov could not be searched fully: search2: no answer within 0.5 s"
    assert run.grants_found == 1  # the catalog still answered


@pytest.mark.django_db
def test_it_ends_partial_when_grantsgov_answers_an_http_error(user, settings, fake_grantsgov):
    settings.GRANTSGOV_LIVE_SEARCH = True
    fake_grantsgov.fail["search2"] = 502
    run = SearchRunFactory(user=user, status=SearchRunStatus.IN_PROGRESS, search_filters={"keywords": "broadband"})
    run = search_run_execute(run_id=run.pk)
    assert run.status == SearchRunStatus.PARTIAL and run.error_details["grantsgov"] == ["search2: HTTP 502"]


@pytest.mark.django_db
def test_it_fails_cleanly_and_refunds_on_an_unexpected_error(user, monkeypatch):
    OpportunityFactory()
    run = search_run_start(user=user, criteria=SearchCriteria(keywords="broadband"))
    user.refresh_from_db()
    assert user.searches_used == 1

    def explode(*args, **kwargs):
        raise RuntimeError("scorer broke")

    monkeypatch.setattr("grants.scoring.score_opportunity", explode)
    run = search_run_execute(run_id=run.pk)
    assert run.status == SearchRunStatus.FAILED
    assert run.error_details["type"] == "RuntimeError" and "allowance was given back" in run.error_message
    user.refresh_from_db()
    assert user.searches_used == 0
    assert not Grant.objects.exists()


@pytest.mark.django_db
def test_it_discards_a_late_result_after_the_run_was_declared_interrupted(user, monkeypatch):
    OpportunityFactory(title="Rural broadband expansion")
    run = search_run_start(user=user, criteria=SearchCriteria(keywords="broadband"))
    score = scoring.score_opportunity

    def stalled_worker_scores(*args, **kwargs):
        # While this worker is stalled, fail_stale_tasks declares the run interrupted and refunds it.
        search_run_interrupted(run_id=run.pk, reason="worker w1 silent since 09:00")
        return score(*args, **kwargs)

    monkeypatch.setattr("grants.scoring.score_opportunity", stalled_worker_scores)
    run = search_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == SearchRunStatus.FAILED
    assert run.error_details["type"] == "WorkerLost"
    user.refresh_from_db()
    assert user.searches_used == 0  # refunded once, not twice
    assert not Grant.objects.exists()


@pytest.mark.django_db
def test_it_fails_runs_left_in_progress_by_a_dead_worker(user):
    old = SearchRunFactory(user=user, status=SearchRunStatus.IN_PROGRESS, timestamp=timezone.now() - timedelta(hours=2))
    fresh = SearchRunFactory(user=user, status=SearchRunStatus.IN_PROGRESS)
    assert search_runs_fail_stale() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == SearchRunStatus.FAILED and fresh.status == SearchRunStatus.IN_PROGRESS
    # The same words and record as a run failed by fail_stale_tasks: one path for interrupted runs.
    assert old.error_message == (
        "The search was interrupted because the server running it stopped; your search allowance was given back."
    )
    assert old.error_details["type"] == "WorkerLost" and "still in progress" in old.error_details["detail"]


@pytest.mark.django_db
def test_it_reports_an_interrupted_run_as_failed_to_the_poller(owner_client, user, other_user):
    old = SearchRunFactory(user=user, status=SearchRunStatus.IN_PROGRESS, timestamp=timezone.now() - timedelta(hours=2))
    others = SearchRunFactory(
        user=other_user, status=SearchRunStatus.IN_PROGRESS, timestamp=timezone.now() - timedelta(hours=2)
    )
    body = owner_client.get(f"/search/runs/{old.pk}/status.json").json()
    assert body["status"] == "FAILED" and body["finished"] is True and "interrupted" in body["error_message"]
    others.refresh_from_db()
    assert others.status == SearchRunStatus.IN_PROGRESS  # only the viewer's runs are touched
    assert b"Failed" in owner_client.get("/search/runs/").content
