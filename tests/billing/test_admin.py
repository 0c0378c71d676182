from __future__ import annotations

import datetime as dt

import pytest

from billing.models import Subscription
from billing.services.subscriptions import subscription_limits_override
from tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_it_lists_subscriptions_with_user_plan_status_and_period_end(staff_client, user):
    SubscriptionFactory(
        user=user, plan_name="pro", status="PAST_DUE", current_period_end=dt.datetime(2026, 12, 24, tzinfo=dt.UTC)
    )
    content = staff_client.get("/admin/billing/subscription/").content.decode()
    for text in ["owner@example.com", "pro", "Past due", "Dec. 24, 2026"]:
        assert text in content


def test_it_shows_the_subscription_on_the_user_admin(staff_client, user, other_user):
    subscription = SubscriptionFactory(user=user, plan_name="basic", status="ACTIVE")
    content = staff_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert f'href="/admin/billing/subscription/{subscription.pk}/change/"' in content
    assert "basic (Active)" in content
    other = staff_client.get(f"/admin/accounts/user/{other_user.pk}/change/").content.decode()
    assert f'href="/admin/billing/subscription/add/?user={other_user.pk}"' in other


def test_staff_override_a_users_limits_in_the_admin(staff_client, user):
    subscription = SubscriptionFactory(user=user)
    response = staff_client.post(
        f"/admin/billing/subscription/{subscription.pk}/change/",
        {"searches_limit_override": "40", "applications_limit_override": ""},
    )
    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert (user.searches_limit, user.applications_limit) == (40, 1)
    subscription.refresh_from_db()
    assert (subscription.searches_limit_override, subscription.searches_remaining) == (40, 40)


def test_staff_add_a_subscription_row_to_override_a_free_users_limits(staff_client, user):
    response = staff_client.post(
        "/admin/billing/subscription/add/",
        {"user": user.pk, "searches_limit_override": "", "applications_limit_override": "3"},
    )
    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert (user.searches_limit, user.applications_limit) == (5, 3)


def test_clearing_an_override_returns_to_the_plans_limits(user):
    subscription = SubscriptionFactory(user=user, searches_limit_override=99)
    subscription_limits_override(subscription=subscription, searches_limit=None, applications_limit=None)
    user.refresh_from_db()
    assert user.searches_limit == 5
    assert Subscription.objects.get(pk=subscription.pk).searches_limit_override is None


def test_non_staff_cannot_reach_the_subscription_admin(owner_client):
    assert owner_client.get("/admin/billing/subscription/").status_code == 302
