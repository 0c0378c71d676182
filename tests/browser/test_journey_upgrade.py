"""Journey 3: a free user runs out of searches, follows the upgrade path, subscribes through the
(fake) Stripe Checkout, and the new limits show once Stripe's webhook arrives."""

from __future__ import annotations

import io
import json

import pytest
import stripe
from django.core.management import call_command
from djstripe.models import WebhookEndpoint
from playwright.sync_api import expect

from tests.billing.conftest import EVENTS, stripe_settings  # noqa: F401  (keys and prices, reused)
from tests.browser.conftest import assert_accessible
from tests.browser.data import catalog_add
from tests.browser.fake_checkout import FakeStripeCheckout
from tests.factories import BusinessProfileFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def checkout(monkeypatch, stripe_settings, csp_form_targets):  # noqa: F811
    fake = FakeStripeCheckout().start()
    monkeypatch.setattr(stripe, "api_base", fake.url)
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    csp_form_targets(fake.url)
    for product in json.loads((EVENTS / "objects.json").read_text())["products"]:
        fake.put(product)
    yield fake
    fake.stop()


@pytest.fixture
def webhook_url(live_server, stripe_settings):  # noqa: F811
    call_command("stripe_webhook_endpoint", stdout=io.StringIO())
    endpoint = WebhookEndpoint.objects.get(id="we_grantfinder")
    return f"{live_server.url}/stripe/webhook/{endpoint.djstripe_uuid}/"


def test_it_upgrades_a_free_user_who_ran_out_of_searches(live_server, page, sign_in, user, checkout, webhook_url):
    BusinessProfileFactory(user=user)
    catalog_add()
    user.searches_used = user.searches_limit - 1
    user.save(update_fields=["searches_used"])
    sign_in(user)
    page.goto("/dashboard/")
    nav = page.get_by_role("navigation", name="Main")

    # The last free search still runs; the next one meets the limit and the way to upgrade.
    for _ in range(2):
        nav.get_by_role("link", name="Search").click()
        page.get_by_label("Keywords").fill("broadband")
        page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have reached your plan's limit")
    assert_accessible(page)
    page.get_by_role("link", name="See plans and upgrade").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Plans and billing")
    expect(page.get_by_role("heading", name="Your plan: Free")).to_be_visible()
    current_plan = page.locator("section", has=page.get_by_role("heading", name="Your plan"))
    # Used, allowance, left.
    expect(current_plan.get_by_role("row", name="Searches").get_by_role("cell")).to_have_text(["5", "5", "0"])

    # Choose Basic: off to (the fake) Stripe Checkout, subscribe, back to our thank-you page.
    page.get_by_role("row", name="Basic").get_by_role("button", name="Choose Basic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subscribe to Grant Finder Basic")
    assert page.url.startswith(checkout.url)
    page.get_by_role("button", name="Subscribe").click()
    expect(page).to_have_url(f"{live_server.url}/billing/checkout/success/")
    assert_accessible(page)

    # Until Stripe's webhook says so, nothing has changed.
    nav.get_by_role("link", name="Billing").click()
    expect(page.get_by_role("heading", name="Your plan: Free")).to_be_visible()

    assert checkout.deliver_webhooks(webhook_url) == [200, 200]

    page.reload()
    expect(page.get_by_role("heading", name="Your plan: Basic")).to_be_visible()
    expect(current_plan.get_by_role("row", name="Searches").get_by_role("cell")).to_have_text(["5", "50", "45"])
    expect(current_plan.get_by_role("row", name="Applications").get_by_role("cell")).to_have_text(["0", "20", "20"])
    expect(page.get_by_role("row", name="Basic")).to_contain_text("Current plan")
    nav.get_by_role("link", name="Account").click()
    expect(page.get_by_text("Grant searches: 5 of 50")).to_be_visible()

    # And the search that was refused now runs.
    nav.get_by_role("link", name="Search").click()
    page.get_by_label("Keywords").fill("broadband")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Search of")
