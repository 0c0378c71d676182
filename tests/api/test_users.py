import pytest

pytestmark = pytest.mark.django_db


def test_it_returns_the_signed_in_user(owner_client, user):
    response = owner_client.get("/api/users/me")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == user.email
    assert body["searches_limit"] == 5


def test_it_refuses_anonymous_callers(client):
    assert client.get("/api/users/me").status_code == 401


def test_it_shows_the_docs_to_staff_only(owner_client, staff_user, client):
    assert owner_client.get("/api/docs").status_code == 302
    client.force_login(staff_user)
    assert client.get("/api/docs").status_code == 200
