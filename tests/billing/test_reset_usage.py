from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from billing.models import Subscription
from billing.services.usage import calendar_month, usage_reset_expired
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOV_15 = dt.datetime(2026, 11, 15, 9, 30, tzinfo=dt.UTC)
NOV_1 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
DEC_1 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
OCT_1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


def test_it_starts_a_new_calendar_month_for_free_users_whose_period_ended():
    user = UserFactory(searches_used=5, applications_used=1, usage_period_start=OCT_1, usage_period_end=NOV_1)
    Subscription.objects.create(user=user, searches_remaining=0, applications_remaining=0)

    assert usage_reset_expired(now=NOV_15) == 1

    user.refresh_from_db()
    assert (user.searches_used, user.applications_used) == (0, 0)
    assert (user.usage_period_start, user.usage_period_end) == (NOV_1, DEC_1)
    subscription = Subscription.objects.get(user=user)
    assert (subscription.searches_remaining, subscription.applications_remaining) == (5, 1)


def test_it_is_safe_to_run_daily():
    user = UserFactory(searches_used=5, usage_period_start=OCT_1, usage_period_end=NOV_1)
    usage_reset_expired(now=NOV_15)
    User.objects.filter(pk=user.pk).update(searches_used=2)  # used during the day

    assert usage_reset_expired(now=NOV_15 + dt.timedelta(days=1)) == 0

    user.refresh_from_db()
    assert user.searches_used == 2
    assert user.usage_period_start == NOV_1


def test_it_gives_users_without_a_period_one():
    user = UserFactory(searches_used=3, usage_period_start=None, usage_period_end=None)
    usage_reset_expired(now=NOV_15)
    user.refresh_from_db()
    assert (user.searches_used, user.usage_period_start, user.usage_period_end) == (0, NOV_1, DEC_1)


def test_it_leaves_running_periods_and_paid_plans_alone():
    running = UserFactory(searches_used=3, usage_period_start=NOV_1, usage_period_end=DEC_1)
    paid = UserFactory(subscription_tier="basic", searches_used=30, usage_period_start=OCT_1, usage_period_end=NOV_1)

    assert usage_reset_expired(now=NOV_15) == 0

    running.refresh_from_db()
    paid.refresh_from_db()
    assert running.searches_used == 3
    assert (paid.searches_used, paid.usage_period_end) == (30, NOV_1)  # Stripe's invoice.paid renews paid plans


def test_the_command_resets_and_reports(monkeypatch):
    UserFactory(searches_used=5, usage_period_start=OCT_1, usage_period_end=timezone.now() - dt.timedelta(days=1))
    out = io.StringIO()
    call_command("reset_usage", stdout=out)
    assert out.getvalue().strip() == "Usage reset for 1 free-plan user(s)."
    call_command("reset_usage", stdout=out)
    assert out.getvalue().strip().endswith("Usage reset for 0 free-plan user(s).")


def _utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (_utc(2026, 2, 28, 23, 59), (_utc(2026, 2, 1), _utc(2026, 3, 1))),
        (_utc(2026, 12, 31, 12), (_utc(2026, 12, 1), _utc(2027, 1, 1))),
        (_utc(2028, 2, 29, 12), (_utc(2028, 2, 1), _utc(2028, 3, 1))),
    ],
)
def test_it_computes_calendar_months(moment, expected):
    assert calendar_month(moment) == expected
