"""Auth0 as it really is, in the browser: recorded tokens from a Google login and a database login."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from social_django.models import UserSocialAuth

from accounts.models import User
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def _sign_in(page):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Auth0").click()


def _account_name(page, live_server):
    """The name the account page shows, once sign-in has landed on the dashboard."""
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    page.goto("/accounts/")
    return page.locator("dt:text-is('Name') + dd")


def test_a_second_verified_login_reaches_the_same_account_and_keeps_its_name(live_server, page, fake_auth0):
    fake_auth0.next_recorded("google_social")
    _sign_in(page)
    expect(_account_name(page, live_server)).to_have_text("Luca Iachini")
    user = User.objects.get(email="luca.iachini@example.com")
    User.objects.filter(pk=user.pk).update(full_name="Luca I.")  # renamed in the app meanwhile

    # Later, on another computer, the same person uses an e-mail-and-password login they verified.
    page.context.clear_cookies()
    fake_auth0.next_recorded("database_connection", email="luca.iachini@example.com", email_verified=True)
    _sign_in(page)

    expect(_account_name(page, live_server)).to_have_text("Luca I.")
    expect(page.locator(".nav-user")).to_contain_text("luca.iachini@example.com")
    assert User.objects.count() == 1
    assert UserSocialAuth.objects.filter(user=user).count() == 2


def test_a_login_without_the_email_scope_is_told_what_is_missing(live_server, page, fake_auth0):
    fake_auth0.next_recorded("without_email_scope")

    _sign_in(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    message = page.get_by_text("Auth0 sent no e-mail address for this login")
    expect(message).to_be_visible()
    expect(message).to_contain_text("`email` scope")
    assert_accessible(page)
    assert not User.objects.exists()
