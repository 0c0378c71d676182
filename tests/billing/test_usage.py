from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from billing.exceptions import UsageLimitReached
from billing.models import BillingNotice, UsageRecord
from billing.services.usage import (
    usage_consume_application,
    usage_consume_search,
    usage_refund_application,
    usage_refund_search,
)
from tests.factories import SubscriptionFactory, UserFactory
from tests.race import all_at_once


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_the_allowance_through_under_50_concurrent_consumers():
    user = UserFactory(searches_used=0, searches_limit=10)

    def consume() -> str:
        try:
            usage_consume_search(user=User.objects.get(pk=user.pk))
        except UsageLimitReached:
            return "limit"
        return "ok"

    outcomes = all_at_once([consume] * 50)

    assert outcomes.count("ok") == 10
    assert outcomes.count("limit") == 40
    user.refresh_from_db()
    assert user.searches_used == 10
    assert list(UsageRecord.objects.filter(user=user).values_list("kind", "delta")) == [("searches", 1)] * 10
    # The 80% warning went out once, although 3 of the successful consumers crossed the line.
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_it_consumes_a_search_and_refreshes_the_user(user):
    user.searches_used, user.searches_limit = 1, 5
    user.save()
    consumed = usage_consume_search(user=user)
    assert (consumed.used, consumed.limit, consumed.remaining) == (2, 5, 3)
    assert user.searches_used == 2
    user.refresh_from_db()
    assert user.searches_used == 2


@pytest.mark.django_db
def test_it_refuses_a_spent_allowance_with_the_upgrade_link_and_changes_nothing(user):
    user.applications_used, user.applications_limit = 1, 1
    user.save()
    with pytest.raises(UsageLimitReached) as raised:
        usage_consume_application(user=user)
    assert raised.value.kind == "applications"
    assert raised.value.upgrade_url == "/billing/"
    assert str(raised.value) == (
        "You have used the 1 application your plan includes for this period. Upgrade your plan to continue."
    )
    user.refresh_from_db()
    assert user.applications_used == 1
    assert not UsageRecord.objects.exists()


@pytest.mark.django_db
def test_it_keeps_the_subscription_remaining_counts_in_step(user):
    user.searches_used, user.searches_limit = 0, 50
    user.save()
    subscription = SubscriptionFactory(user=user, searches_remaining=50)
    usage_consume_search(user=user)
    subscription.refresh_from_db()
    assert subscription.searches_remaining == 49
    usage_refund_search(user=user)
    subscription.refresh_from_db()
    assert subscription.searches_remaining == 50
    assert list(UsageRecord.objects.filter(user=user).order_by("id").values_list("kind", "delta")) == [
        ("searches", 1),
        ("searches", -1),
    ]


@pytest.mark.django_db
def test_it_never_refunds_below_zero(user):
    user.applications_used = 0
    user.save()
    usage_refund_application(user=user)
    user.refresh_from_db()
    assert user.applications_used == 0
    assert not UsageRecord.objects.exists()


@pytest.mark.django_db
def test_it_sends_the_80_percent_warning_with_text_and_html_once_per_period(user, django_capture_on_commit_callbacks):
    period_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    user.searches_used, user.searches_limit, user.usage_period_start = 3, 5, period_start
    user.save()

    with django_capture_on_commit_callbacks(execute=True):
        usage_consume_search(user=user)  # 4 of 5: 80%
    with django_capture_on_commit_callbacks(execute=True):
        usage_consume_search(user=user)  # 5 of 5: same period, no second e-mail

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "You have used 4 of your 5 searches this period"
    assert "You have used 4 of the 5 searches" in message.body
    assert "http://127.0.0.1:8000/billing/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<strong>4 of the 5 searches</strong>" in html
    assert 'href="http://127.0.0.1:8000/billing/"' in html
    assert BillingNotice.objects.filter(user=user, kind="searches_80").count() == 1


@pytest.mark.django_db
def test_it_warns_again_in_the_next_period(user, django_capture_on_commit_callbacks):
    user.applications_used, user.applications_limit = 4, 5
    user.usage_period_start = timezone.now().replace(month=1, day=1)
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        usage_consume_application(user=user)
    User.objects.filter(pk=user.pk).update(
        applications_used=3, usage_period_start=timezone.now().replace(month=2, day=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        usage_consume_application(user=user)
    assert [m.subject for m in mail.outbox] == [
        "You have used 5 of your 5 applications this period",
        "You have used 4 of your 5 applications this period",
    ]


@pytest.mark.django_db
def test_it_sends_no_warning_below_80_percent(user, django_capture_on_commit_callbacks):
    user.searches_used, user.searches_limit = 0, 50
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        usage_consume_search(user=user)
    assert mail.outbox == []
