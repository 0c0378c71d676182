"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's ``live_server``.

- One browser for the whole session (pytest-playwright's ``browser``); each test gets a fresh
  context and page. ``sign_in`` puts a session cookie into that context, so a test starts signed
  in without walking the sign-in form (the journeys that are *about* signing in walk it).
- ``fake_auth0``: the accounts tests' fake Auth0 tenant, switched on and allowed by the CSP.
- ``page`` fails the test on any Content-Security-Policy violation or uncaught script error: the
  site runs under a strict CSP, and a blocked script is a broken page even when it looks fine.
- ``assert_accessible(page)`` runs axe-core (vendored in ``vendor/``) in the page and fails on any
  serious or critical violation. ``screenshot(page, name)`` writes ``<name>-desktop.png`` (1280 wide)
  and ``<name>-phone.png`` (390 wide) into ``var/screenshots/`` (ignored by git), or into
  ``$SCREENSHOTS_DIR``: ``make screenshots`` points it at ``docs/screenshots/``, the README's set, so
  a test run never rewrites tracked files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils.csp import CSP
from playwright.sync_api import Page, expect

from tests.accounts.conftest import auth0  # noqa: F401  (the accounts tests' fake Auth0 tenant, reused)

# Playwright's sync API runs an event loop in the test's thread; the ORM calls that tests make
# next to it are still plain synchronous calls (stack.md section 5).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "var/screenshots")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Auto-waiting assertions get a little more time than the default: the live server, the worker
# and Chromium share two cores with whatever else runs.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Pages are addressed relative to the live server: ``page.goto("/grants/")``."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-US", "timezone_id": "UTC"}


@pytest.fixture
def csp_form_targets(settings):
    """Let forms redirect to fakes on 127.0.0.1, as production lets them reach Auth0 and Stripe.

    Chromium applies CSP ``form-action`` to the redirects a form submission follows, so a POST that
    our server answers with a redirect to the fake tenant or the fake Checkout needs that origin
    listed, just as the real settings list the real Auth0 domain and checkout.stripe.com.
    """

    def allow(*origins: str) -> None:
        policy = {key: list(value) for key, value in settings.SECURE_CSP.items()}
        policy["form-action"] = [CSP.SELF, *origins, *policy["form-action"][1:]]
        settings.SECURE_CSP = policy

    return allow


def breakage_watch(page: Page) -> list[str]:
    """A list that fills with every CSP violation and uncaught script error on ``page`` from now on."""
    problems: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"Script error: {error}"))
    return problems


@pytest.fixture
def fake_auth0(auth0, csp_form_targets):  # noqa: F811
    """Sign-in through the accounts tests' fake Auth0 tenant on 127.0.0.1, reachable from the browser."""
    csp_form_targets(auth0.base_url)
    return auth0


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(10_000)
    problems = breakage_watch(page)
    yield page
    assert problems == [], "The page broke under the browser:\n" + "\n".join(problems)


@pytest.fixture
def sign_in(live_server, page: Page):
    """``sign_in(user)``: the page's browser context is now signed in as ``user``."""

    def sign_in_as(user) -> Page:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session.session_key,
                    "url": live_server.url,
                    "httpOnly": True,
                }
            ]
        )
        return page

    return sign_in_as


def accessibility_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    # Evaluated through the DevTools protocol, not a <script> tag: the page's CSP stays as strict as
    # it is for real visitors, and axe still sees the real DOM.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }"""
    )
    return [violation for violation in violations if violation["impact"] in ("serious", "critical")]


def assert_accessible(page: Page) -> None:
    violations = accessibility_violations(page)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in violations
    )
    assert violations == [], f"axe-core on {page.url}:\n{report}"


def screenshot(page: Page, name: str) -> None:
    """Full-page PNGs of the page at desktop and phone widths into ``SCREENSHOTS``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        # Nothing may stick out sideways at a phone's width: horizontal scrolling is the classic
        # sign of a layout that does not fit.
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{page.url} is {overflow}px wider than a {size['width']}px screen"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True, animations="disabled")
    page.set_viewport_size(original)
