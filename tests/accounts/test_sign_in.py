"""The password sign-in form (local and demo use), sign-out, and where sign-in sends you."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_signs_in_with_a_password_when_auth0_is_not_configured(client, user, settings):
    settings.AUTH0_ENABLED = False
    settings.ALLOW_PASSWORD_LOGIN = True

    page = client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})

    assert b"Sign in with a password" in page.content
    assert b"Sign in with Auth0" not in page.content
    assert b"Auth0 sign-in is not configured" in page.content
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_refuses_a_wrong_password_with_a_message(client, user, settings):
    settings.ALLOW_PASSWORD_LOGIN = True

    response = client.post("/accounts/login/", {"username": user.email, "password": "wrong"})

    assert response.status_code == 400
    assert b"Please enter a correct" in response.content
    assert "_auth_user_id" not in client.session


def test_it_turns_password_sign_in_off_when_auth0_is_configured(client, user, settings):
    settings.AUTH0_ENABLED = True
    settings.ALLOW_PASSWORD_LOGIN = False

    page = client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})

    assert b"Sign in with Auth0" in page.content
    assert b'name="password"' not in page.content
    assert response.status_code == 403
    assert b"Password sign-in is turned off" in response.content
    assert "_auth_user_id" not in client.session


def test_it_keeps_password_sign_in_with_auth0_when_allowed(client, user, settings):
    settings.AUTH0_ENABLED = True
    settings.ALLOW_PASSWORD_LOGIN = True

    page = client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})

    assert b"Sign in with Auth0" in page.content and b'name="password"' in page.content
    assert response.status_code == 302


def test_it_refuses_a_deactivated_account(client, user, settings):
    settings.ALLOW_PASSWORD_LOGIN = True
    user.is_active = False
    user.save()

    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_it_gives_a_new_session_key_at_sign_in(client, user, settings):
    settings.ALLOW_PASSWORD_LOGIN = True
    client.get("/accounts/login/")
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before

    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.session_key != before


@pytest.mark.parametrize(
    ("asked", "landed"),
    [
        ("/accounts/", "/accounts/"),
        ("https://evil.example.com/", "/dashboard/"),
        ("//evil.example.com/", "/dashboard/"),
        ("http://testserver.evil.example.com/", "/dashboard/"),
        ("javascript:alert(1)", "/dashboard/"),
        ("/\\evil.example.com", "/dashboard/"),
    ],
)
def test_it_follows_next_only_within_the_site(client, user, settings, asked, landed):
    settings.ALLOW_PASSWORD_LOGIN = True

    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD, "next": asked})

    assert response["Location"] == landed


def test_it_signs_out_on_post_only(owner_client, settings):
    settings.AUTH0_ENABLED = False

    assert owner_client.get("/accounts/logout/").status_code == 405
    response = owner_client.post("/accounts/logout/")

    assert response["Location"] == "/"
    assert "_auth_user_id" not in owner_client.session


def test_it_rejects_the_old_session_cookie_after_sign_out(client, user, settings):
    settings.ALLOW_PASSWORD_LOGIN = True
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    old_cookie = client.cookies["sessionid"].value

    client.post("/accounts/logout/")
    client.cookies["sessionid"] = old_cookie

    assert client.get("/accounts/").status_code == 302


def test_it_sends_the_admin_sign_in_to_the_one_sign_in_page(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/accounts/user/"


def test_it_says_plainly_when_auth0_is_not_configured(client, settings):
    settings.AUTH0_ENABLED = False

    response = client.post("/accounts/auth/login/auth0/", follow=True)

    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert b"Auth0 sign-in is not configured on this server." in response.content
