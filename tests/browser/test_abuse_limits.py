"""What a person sees when a limit stops them: the sign-in lockout and a rate-limited search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import User
from grants.models import SearchRun
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _try_password(page, email: str, password: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in with a password").click()


def test_sign_in_pauses_after_five_failures_and_says_so(live_server, page, user, settings):
    settings.ALLOW_PASSWORD_LOGIN = True
    settings.AXES_FAILURE_LIMIT = 5
    page.goto("/accounts/login/")

    for attempt in range(4):
        _try_password(page, user.email, f"wrong-{attempt}")
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct")
    _try_password(page, user.email, "wrong-again")
    expect(page.get_by_text("Too many failed sign-ins")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "sign-in-locked")

    _try_password(page, user.email, PASSWORD)  # the right one, during the pause

    expect(page.get_by_text("Too many failed sign-ins")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_a_search_past_the_rate_limit_says_when_to_try_again(live_server, page, sign_in, user, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "search_run": "1/hour"}
    User.objects.filter(pk=user.pk).update(searches_limit=10)
    sign_in(user)

    for _ in range(2):
        page.goto("/search/")
        page.get_by_label("Keywords").fill("broadband")
        page.get_by_role("button", name="Search").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many requests")
    expect(page.get_by_role("alert")).to_contain_text("the limit is 1 per hour")
    assert_accessible(page)
    screenshot(page, "rate-limited")
    assert SearchRun.objects.filter(user=user).count() == 1
