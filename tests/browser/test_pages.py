"""Every main page, as a grant seeker with data sees it: no serious or critical axe-core violation,
nothing wider than a phone, no CSP violation or script error; a screenshot of each at desktop and
phone widths goes to var/screenshots/ (``make screenshots``: docs/screenshots/, shown in the README)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, breakage_watch, screenshot
from tests.browser.data import grant_seeker_with_everything

pytestmark = pytest.mark.browser


def test_it_serves_every_main_page_accessibly_at_desktop_and_phone_widths(live_server, page, sign_in, user):
    data = grant_seeker_with_everything(user)
    # (screenshot name, path, the start of the page's main heading)
    pages = [
        ("dashboard", reverse("grants:dashboard"), "Your grants"),
        ("grants", reverse("grants:list"), "Grants"),
        ("grants-saved", reverse("grants:list") + "?saved=on", "Grants"),
        ("grant-detail", reverse("grants:detail", args=[data["grant"].pk]), data["grant"].title),
        ("search", reverse("grants:search"), "Search for grants"),
        ("search-run", reverse("grants:run_detail", args=[data["run"].pk]), "Search of"),
        ("search-runs", reverse("grants:runs"), "Past searches"),
        ("saved-searches", reverse("grants:saved_searches"), "Saved searches"),
        ("applications", reverse("applications:list"), "Applications"),
        ("application-detail", reverse("applications:detail", args=[data["application"].pk]), data["grant"].title),
        ("application-print", reverse("applications:print", args=[data["application"].pk]), data["grant"].title),
        ("profile", reverse("profiles:edit"), "Business profile"),
        ("billing", reverse("billing:plans"), "Plans and billing"),
        ("checkout-cancel", reverse("billing:checkout_cancel"), "Checkout canceled"),
        ("checkout-success", reverse("billing:checkout_success"), "Thank you for subscribing"),
        ("account", reverse("accounts:account"), "Your account"),
        ("account-delete", reverse("accounts:delete"), "Delete your account"),
    ]
    sign_in(user)

    for name, path, heading in pages:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
        screenshot(page, name)


def test_it_serves_the_public_pages_accessibly(live_server, page):
    public = [
        ("home", "/", "Find the grants"),
        ("sign-in", "/accounts/login/", "Sign in"),
        ("sign-in-required", "/grants/999999/", "Sign in"),  # pages behind sign-in send visitors to it
        ("not-found", "/no-such-page/", "Page not found"),
    ]
    for name, path, heading in public:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
        screenshot(page, name)


def test_it_catches_an_accessibility_violation(live_server, page):
    # The checker itself must be able to fail: an unlabelled field and an image without alt text.
    page.set_content('<html lang="en"><body><main><h1>T</h1><img src="x.png"><input type="text"></main></body></html>')

    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_it_shows_where_the_keyboard_focus_is(live_server, page, sign_in, user):
    sign_in(user)
    page.goto("/dashboard/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    dashboard = page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")
    expect(dashboard).to_be_focused()
    expect(dashboard).to_have_attribute("aria-current", "page")
    outline = dashboard.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth")
    assert outline == "solid 3px"


def test_it_catches_a_script_the_csp_blocks(live_server, context):
    # The guard every browser test runs under must be able to fail.
    other = context.new_page()
    problems = breakage_watch(other)

    other.set_content(
        '<html lang="en"><head><meta http-equiv="Content-Security-Policy" content="script-src \'self\'"></head>'
        "<body><script>document.title = 'ran';</script><h1>T</h1></body></html>"
    )
    expect(other.locator("h1")).to_have_text("T")

    assert any(problem.startswith("CSP: ") for problem in problems), problems
    assert other.title() != "ran"


def test_it_marks_where_the_user_is_in_the_navigation(live_server, page, sign_in, user):
    sign_in(user)
    nav = page.get_by_role("navigation", name="Main")
    for path, current in [
        ("/dashboard/", "Dashboard"),
        ("/grants/", "Grants"),
        ("/grants/?saved=on", "Saved"),
        ("/search/runs/", "Search"),
        ("/applications/", "Applications"),
        ("/profile/", "Profile"),
        ("/billing/", "Billing"),
        ("/accounts/", "Account"),
    ]:
        page.goto(path)
        expect(nav.locator("[aria-current=page]")).to_have_text([current])
