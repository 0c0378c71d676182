import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_returns_the_signed_in_user(owner_client, user):
    response = owner_client.get("/api/users/me")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == user.email
    assert body["searches_limit"] == 5


def test_it_never_shows_another_users_details(other_client, user, other_user):
    # /me takes no id: the only way to ask about someone is to be them.
    body = other_client.get("/api/users/me").json()

    assert body["id"] == other_user.pk and body["email"] == other_user.email
    assert user.email not in str(body)


def test_it_refuses_anonymous_callers(client):
    assert client.get("/api/users/me").status_code == 401
    assert client.patch("/api/users/me", {"full_name": "X"}, content_type="application/json").status_code == 401


def test_it_shows_the_docs_to_staff_only(owner_client, staff_user, client):
    assert owner_client.get("/api/docs").status_code == 302
    assert owner_client.get("/api/openapi.json").status_code == 302
    client.force_login(staff_user)
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200


def test_it_updates_name_and_company(owner_client, user, other_user):
    response = owner_client.patch(
        "/api/users/me",
        {"full_name": "  Olive O. Owner ", "company_name": "Bayou Connect"},
        content_type="application/json",
    )

    assert response.status_code == 200
    user.refresh_from_db()
    other_user.refresh_from_db()
    assert (user.full_name, user.company_name) == ("Olive O. Owner", "Bayou Connect")
    assert other_user.full_name == "Otto Other"


def test_it_refuses_bad_input_and_changes_nothing(owner_client, user):
    response = owner_client.patch(
        "/api/users/me", {"full_name": "x" * 256, "email": "evil@example.com"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert "full_name" in response.content.decode()
    user.refresh_from_db()
    assert (user.full_name, user.email) == ("Olive Owner", "owner@example.com")


def test_it_requires_the_csrf_token_for_writes(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    refused = client.patch("/api/users/me", {"full_name": "Forged"}, content_type="application/json")
    client.get("/accounts/")  # sets the CSRF cookie, as any page does
    accepted = client.patch(
        "/api/users/me",
        {"full_name": "Genuine"},
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    user.refresh_from_db()
    assert user.full_name == "Genuine"
