"""Scheduled searches follow each user's settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from grants.models import SearchRun, SearchRunStatus, SearchRunType
from grants.schedule import is_due, last_slot, parse_days, parse_time
from grants.services.search_runs import search_runs_start_scheduled
from tests.factories import BusinessProfileFactory, SearchRunFactory, UserSettingsFactory

THURSDAY_10 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday


def test_it_reads_legacy_days_and_times():
    assert parse_days(["monday", "Thu", 4, "6", "nonsense"]) == [0, 3, 4, 6]
    assert parse_time("07:30").hour == 7 and parse_time("garbage").hour == 9


def test_it_finds_the_last_scheduled_moment():
    assert last_slot(frequency="DAILY", days=None, at="09:00", now=THURSDAY_10) == THURSDAY_10.replace(hour=9)
    assert last_slot(frequency="DAILY", days=None, at="11:00", now=THURSDAY_10) == datetime(
        2026, 11, 25, 11, tzinfo=UTC
    )
    assert last_slot(frequency="WEEKLY", days=["tuesday"], at="09:00", now=THURSDAY_10) == datetime(
        2026, 11, 24, 9, tzinfo=UTC
    )
    assert last_slot(frequency="TWICE_WEEKLY", days=None, at="09:00", now=THURSDAY_10) == THURSDAY_10.replace(hour=9)
    assert last_slot(frequency="MONTHLY", days=None, at="09:00", now=THURSDAY_10) == datetime(
        2026, 11, 1, 9, tzinfo=UTC
    )
    assert last_slot(frequency=None, days=None, at=None, now=THURSDAY_10) is None


def test_it_is_due_once_per_slot():
    kwargs = {"frequency": "DAILY", "days": None, "at": "09:00", "now": THURSDAY_10}
    assert is_due(**kwargs, last_run=None)
    assert is_due(**kwargs, last_run=THURSDAY_10 - timedelta(days=1))
    assert not is_due(**kwargs, last_run=THURSDAY_10.replace(hour=9, minute=1))


@pytest.mark.django_db
def test_it_starts_due_scheduled_searches(user, other_user, django_capture_on_commit_callbacks):
    BusinessProfileFactory(user=user)
    UserSettingsFactory(user=user, schedule_frequency="DAILY", schedule_time="09:00")
    UserSettingsFactory(user=other_user, schedule_frequency="WEEKLY", schedule_days=["friday"], schedule_time="09:00")
    SearchRunFactory(user=other_user, run_type=SearchRunType.SCHEDULED, timestamp=THURSDAY_10 - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert search_runs_start_scheduled(now=THURSDAY_10) == (1, 0)
    assert len(callbacks) == 1
    run = SearchRun.objects.get(user=user)
    assert run.run_type == SearchRunType.SCHEDULED and run.status == SearchRunStatus.IN_PROGRESS
    assert run.search_filters["categories"] == ["CD", "ED", "IS"]  # from the profile's sectors
    assert run.search_filters["eligibility"] == ["12", "13"]
    with django_capture_on_commit_callbacks(execute=False):
        assert search_runs_start_scheduled(now=THURSDAY_10 + timedelta(hours=1)) == (0, 0)  # once per slot
        assert search_runs_start_scheduled(now=THURSDAY_10 + timedelta(days=1)) == (2, 0)  # Friday: both


@pytest.mark.django_db
def test_it_runs_from_the_command(user, capsys, django_capture_on_commit_callbacks):
    UserSettingsFactory(user=user, schedule_frequency="DAILY", schedule_time="00:00")
    with django_capture_on_commit_callbacks(execute=False):
        call_command("run_scheduled_searches")
    assert "1 started, 0 skipped" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_skips_users_whose_allowance_is_spent(user):
    user.searches_used = user.searches_limit
    user.save()
    UserSettingsFactory(user=user, schedule_frequency="DAILY", schedule_time="09:00")
    assert search_runs_start_scheduled(now=THURSDAY_10) == (0, 1)
    assert not SearchRun.objects.exists()
