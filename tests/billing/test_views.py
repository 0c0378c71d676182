from __future__ import annotations

import re

import pytest
from djstripe.models import Customer as StripeCustomer

from billing.models import Subscription
from grantfinder.api import api

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/billing/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_explains_that_billing_is_not_configured_without_keys(owner_client, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    response = owner_client.get("/billing/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="billing-not-configured"' in content
    assert "Billing is not configured on this server" in content
    assert "/billing/checkout/" not in content  # nothing to buy
    assert "Manage billing" not in content


def test_it_refuses_checkout_without_keys_and_calls_no_one(owner_client, settings, user):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    response = owner_client.post("/billing/checkout/basic/", follow=True)
    assert response.redirect_chain == [("/billing/", 302)]
    assert "Billing is not configured" in response.content.decode()
    assert not Subscription.objects.filter(user=user).exists()


def test_it_lists_plans_with_prices_and_limits_from_settings(owner_client, stripe_settings, user):
    user.searches_used = 2
    user.save()
    content = owner_client.get("/billing/").content.decode()
    assert "billing-not-configured" not in content
    for text in ["$15/month", "$49/month", "<td>50</td>", "<td>250</td>", "<td>20</td>", "<td>100</td>"]:
        assert text in content
    assert 'action="/billing/checkout/basic/"' in content
    assert 'action="/billing/checkout/pro/"' in content
    assert "<td>2</td><td>5</td><td>3</td>" in content  # searches used / allowance / left


def test_it_creates_a_checkout_session_with_the_price_customer_and_return_urls(owner_client, fake_stripe, user):
    response = owner_client.post("/billing/checkout/pro/")

    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.test/c/pay/cs_test_fake")
    [customer_post] = fake_stripe.posts("/v1/customers")
    assert customer_post["email"] == user.email
    assert customer_post["metadata[djstripe_subscriber]"] == str(user.pk)
    customer = StripeCustomer.objects.get(subscriber=user)
    [session] = fake_stripe.posts("/v1/checkout/sessions")
    assert session["mode"] == "subscription"
    assert session["customer"] == customer.id
    assert session["line_items[0][price]"] == "price_pro"
    assert session["line_items[0][quantity]"] == "1"
    assert session["success_url"] == "http://testserver/billing/checkout/success/"
    assert session["cancel_url"] == "http://testserver/billing/checkout/cancel/"
    assert session["client_reference_id"] == str(user.pk)
    assert session["subscription_data[metadata][user_id]"] == str(user.pk)
    assert Subscription.objects.get(user=user).stripe_customer_id == customer.id
    # Nothing is granted before Stripe confirms by webhook.
    user.refresh_from_db()
    assert user.subscription_tier == "free"


def test_it_reuses_the_users_stripe_customer_on_a_second_checkout(owner_client, fake_stripe):
    owner_client.post("/billing/checkout/basic/")
    owner_client.post("/billing/checkout/basic/")
    assert len(fake_stripe.posts("/v1/customers")) == 1
    sessions = fake_stripe.posts("/v1/checkout/sessions")
    assert len(sessions) == 2 and sessions[0]["customer"] == sessions[1]["customer"]


def test_it_answers_404_for_an_unknown_plan(owner_client, fake_stripe):
    assert owner_client.post("/billing/checkout/platinum/").status_code == 404
    assert fake_stripe.requests == []


def test_it_refuses_to_check_out_the_free_plan(owner_client, fake_stripe):
    response = owner_client.post("/billing/checkout/free/", follow=True)
    assert "That plan cannot be bought." in response.content.decode()
    assert fake_stripe.posts("/v1/checkout/sessions") == []


def test_it_accepts_only_post_for_checkout_and_portal(owner_client, fake_stripe):
    assert owner_client.get("/billing/checkout/basic/").status_code == 405
    assert owner_client.get("/billing/portal/").status_code == 405
    assert fake_stripe.requests == []


def test_it_sends_paying_users_to_the_portal_instead_of_a_second_checkout(owner_client, fake_stripe, user):
    user.subscription_tier = "basic"
    user.save()
    response = owner_client.post("/billing/checkout/pro/", follow=True)
    assert "change it under Manage billing" in response.content.decode()
    assert fake_stripe.posts("/v1/checkout/sessions") == []


def test_it_says_so_when_stripe_fails_and_changes_nothing(owner_client, fake_stripe, user):
    fake_stripe.fail_posts_with = 500
    response = owner_client.post("/billing/checkout/basic/", follow=True)
    assert response.redirect_chain == [("/billing/", 302)]
    assert "We could not reach our payment provider" in response.content.decode()
    assert not Subscription.objects.filter(user=user).exists()
    assert not StripeCustomer.objects.exists()


def test_it_opens_the_billing_portal_for_the_users_customer(owner_client, fake_stripe, user):
    Subscription.objects.create(user=user, stripe_customer_id="cus_1")

    page = owner_client.get("/billing/").content.decode()
    response = owner_client.post("/billing/portal/")

    assert "Manage billing" in page
    assert response.status_code == 302
    assert response["Location"].startswith("https://billing.stripe.test/p/session/bps_fake")
    [portal] = fake_stripe.posts("/v1/billing_portal/sessions")
    assert portal == {"customer": "cus_1", "return_url": "http://testserver/billing/"}


def test_it_never_opens_another_users_billing_portal(other_client, fake_stripe, user, other_user):
    Subscription.objects.create(user=user, stripe_customer_id="cus_1")
    response = other_client.post("/billing/portal/", follow=True)
    assert "You have no billing account yet" in response.content.decode()
    assert fake_stripe.posts("/v1/billing_portal/sessions") == []
    Subscription.objects.create(user=other_user, stripe_customer_id="cus_other")
    other_client.post("/billing/portal/")
    assert [p["customer"] for p in fake_stripe.posts("/v1/billing_portal/sessions")] == ["cus_other"]


def test_it_shows_each_user_only_their_own_usage(other_client, user, other_user):
    user.searches_used, other_user.searches_used = 4, 1
    user.save()
    other_user.save()
    content = other_client.get("/billing/").content.decode()
    assert "<td>1</td><td>5</td><td>4</td>" in content
    assert "<td>4</td><td>5</td><td>1</td>" not in content


def test_it_serves_the_success_and_cancel_pages(owner_client):
    assert "Thank you for subscribing" in owner_client.get("/billing/checkout/success/").content.decode()
    assert "Nothing was charged" in owner_client.get("/billing/checkout/cancel/").content.decode()


def test_it_links_billing_in_the_navigation(owner_client):
    content = owner_client.get("/billing/").content.decode()
    assert re.search(r'<nav[^>]*aria-label="Main".*<a [^>]*href="/billing/"[^>]*>Billing</a>', content, re.S)


@pytest.mark.urls("tests.billing.limit_urls")
def test_a_page_answers_402_with_the_upgrade_link_when_the_allowance_is_spent(owner_client, user):
    user.searches_used = user.searches_limit = 5
    user.save()
    response = owner_client.get("/test-consume-search/")
    assert response.status_code == 402
    content = response.content.decode()
    assert "You have used all 5 searches your plan includes for this period." in content
    assert 'href="/billing/"' in content


@pytest.mark.urls("tests.billing.limit_urls")
def test_the_api_answers_402_json_when_the_allowance_is_spent(owner_client, user):
    user.searches_used = user.searches_limit = 5
    user.save()
    response = owner_client.post("/test-api/search")
    assert response.status_code == 402
    assert response.json() == {
        "detail": "You have used all 5 searches your plan includes for this period. Upgrade your plan to continue.",
        "code": "usage_limit_reached",
        "kind": "searches",
        "limit": 5,
        "upgrade_url": "http://testserver/billing/",
    }


def test_the_project_api_maps_usage_limit_reached_to_402(rf, user):
    from billing.exceptions import UsageLimitReached

    request = rf.get("/api/anything")
    response = api.on_exception(request, UsageLimitReached(kind="applications", limit=1))
    assert response.status_code == 402
    assert b"You have used the 1 application your plan includes" in response.content


def test_the_api_reports_the_users_own_usage(owner_client, user):
    user.applications_used = 1
    user.save()
    assert owner_client.get("/api/billing/usage").json() == {
        "plan": "free",
        "status": "ACTIVE",
        "billing_configured": False,
        "searches": {"used": 0, "limit": 5, "remaining": 5},
        "applications": {"used": 1, "limit": 1, "remaining": 0},
    }


def test_the_usage_api_requires_sign_in(client):
    assert client.get("/api/billing/usage").status_code == 401


def test_it_lets_the_checkout_and_portal_forms_redirect_to_stripe(owner_client):
    policy = owner_client.get("/billing/")["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if part.strip().startswith("form-action"))
    assert "https://checkout.stripe.com" in form_action
    assert "https://billing.stripe.com" in form_action


def test_it_says_when_a_canceled_subscription_ends(owner_client, user):
    import datetime as dt

    subscription = Subscription.objects.create(user=user, cancel_at_period_end=True)
    assert "ends at the end of this period; it will not renew." in owner_client.get("/billing/").content.decode()
    subscription.current_period_end = dt.datetime(2026, 12, 24, tzinfo=dt.UTC)
    subscription.save()
    assert "ends on 24 December 2026; it will not renew." in owner_client.get("/billing/").content.decode()
