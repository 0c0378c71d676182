"""The fake Auth0 tenant, switched on in settings for the tests that ask for it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlparse

import pytest
import requests
from social_core.backends.auth0 import Auth0OAuth2

from tests.accounts.fake_auth0 import CLIENT_ID, CLIENT_SECRET, FakeAuth0


@pytest.fixture
def auth0(settings):
    fake = FakeAuth0().start()
    fake.next_identity()
    settings.AUTH0_DOMAIN = "tenant.example.test"
    settings.AUTH0_CLIENT_ID = CLIENT_ID
    settings.AUTH0_CLIENT_SECRET = CLIENT_SECRET
    settings.AUTH0_BASE_URL = fake.base_url
    settings.AUTH0_ENABLED = True
    settings.ALLOW_PASSWORD_LOGIN = False
    settings.SOCIAL_AUTH_AUTH0_DOMAIN = "tenant.example.test"
    settings.SOCIAL_AUTH_AUTH0_KEY = CLIENT_ID
    settings.SOCIAL_AUTH_AUTH0_SECRET = CLIENT_SECRET
    settings.SOCIAL_AUTH_AUTH0_BASE_URL = fake.base_url
    # The JWKS is cached for a day per backend class; each test's tenant has its own address and key use.
    Auth0OAuth2.get_jwks_keys_for_uri.invalidate()
    yield fake
    fake.stop()
    Auth0OAuth2.get_jwks_keys_for_uri.invalidate()


def auth0_sign_in(client, *, next_url: str | None = None, forge_state: bool = False, drop_state: bool = False):
    """Drive the whole sign-in: our POST, the tenant's approval, our callback. Returns the callback's response."""
    begin = client.post("/accounts/auth/login/auth0/", {"next": next_url} if next_url else {})
    assert begin.status_code == 302, begin
    approval = requests.get(begin["Location"], allow_redirects=False, timeout=5)
    assert approval.status_code == 302, approval.text
    callback = urlparse(approval.headers["Location"])
    params = dict(parse_qsl(callback.query))
    if forge_state:
        # social-auth reads the state from either parameter: forge both.
        for name in ("state", "redirect_state"):
            if name in params:
                params[name] = "forged-" + params[name][:8]
    if drop_state:
        for name in ("state", "redirect_state"):
            params.pop(name, None)
    return client.get(callback.path, params)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")
