"""Journey 4: a staff member finds a user in the admin, resets their usage, and the audit log shows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_it_lets_staff_find_a_user_reset_usage_and_see_it_in_the_audit_log(live_server, page, staff_user, user):
    user.searches_used, user.applications_used = 5, 1
    user.save(update_fields=["searches_used", "applications_used"])

    # Staff sign in with the password form, as they would on a server without Auth0.
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(staff_user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in with a password").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.locator(".nav-user")).to_contain_text(staff_user.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("administration")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("textbox", name="Search").fill(user.email)
    page.get_by_role("button", name="Search", exact=True).click()
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(user.email)
    expect(row.locator("td.field-searches_usage")).to_have_text("5/5")
    expect(row.locator("td.field-applications_usage")).to_have_text("1/1")

    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Reset this month's usage")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Usage reset for 1 user(s).")
    expect(row.locator("td.field-searches_usage")).to_have_text("0/5")
    expect(row.locator("td.field-applications_usage")).to_have_text("0/1")

    page.goto("/admin/")
    page.get_by_role("link", name="Audit log").click()
    entries = page.locator("#result_list tbody tr").filter(has_text="Ran an admin action").filter(has_text=user.email)
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text(staff_user.email)
    entries.get_by_role("link").first.click()
    expect(page.locator("#content")).to_contain_text("reset usage")
    expect(page.locator("#content")).to_contain_text(user.email)

    # Signing out says so, and the admin is closed again.
    page.goto("/dashboard/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status").filter(has_text="You are signed out.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/$"))
