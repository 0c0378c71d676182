"""Every API operation requires a signed-in caller, except the ones listed here with the reason."""

from __future__ import annotations

import re

import pytest
from django.urls import URLResolver, get_resolver

from tests.factories import UserFactory
from tests.test_isolation import isolation_problems, project_routes

pytestmark = pytest.mark.django_db

# Route name -> (status an anonymous caller gets, why it is not 401).
PUBLIC_API_ROUTES = {
    "api:api-root": (404, "django-ninja's placeholder for reversing the API root; it serves nothing"),
    "api:openapi-json": (302, "the schema is for staff: anonymous callers are sent to sign in"),
    "api:openapi-view": (302, "the docs are for staff: anonymous callers are sent to sign in"),
}


def api_routes() -> list[tuple[str, str]]:
    routes = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "api":
            for inner in pattern.url_patterns:
                path = "/" + str(pattern.pattern) + re.sub(r"<[^>]+>", "1", str(inner.pattern))
                routes.append((f"api:{inner.name}", path))
    return routes


def test_it_finds_the_api_routes():
    names = {name for name, _ in api_routes()}
    assert {"api:me", "api:me_update", "api:openapi-json"} <= names


def test_it_answers_401_to_anonymous_callers_on_every_operation(client):
    problems = []
    for name, path in api_routes():
        for method in ["get", "post", "put", "patch", "delete"]:
            status = getattr(client, method)(path, content_type="application/json").status_code
            expected = {PUBLIC_API_ROUTES[name][0], 405} if name in PUBLIC_API_ROUTES else {401, 405}
            if status not in expected:
                problems.append(f"{method.upper()} {path} ({name}): {status}")

    assert problems == [], "\n".join(problems)


def test_it_answers_404_to_another_user_on_every_api_route_with_an_id():
    # The project-wide walk (tests/test_isolation.py), kept to the API here.
    api_routes_with_ids = [route for route in project_routes() if route.is_api]
    owner, intruder, witness = (UserFactory() for _ in range(3))

    assert api_routes_with_ids
    assert isolation_problems(api_routes_with_ids, owner, intruder, witness) == []


def test_every_cookie_authenticated_write_without_the_csrf_token_gets_403(settings):
    """Bar line 15: signed in by the session cookie, no X-CSRFToken: every write operation refuses."""
    from django.test import Client

    from accounts.models import User

    # More writes than the per-minute API write limit: this test is about CSRF, not the limit.
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "api_write": "10000/minute"}

    user = UserFactory(full_name="Unchanged")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    problems, refused = [], 0
    for name, path in api_routes():
        if name in PUBLIC_API_ROUTES:
            continue
        for method in ["post", "put", "patch", "delete"]:
            status = getattr(client, method)(path, {}, content_type="application/json").status_code
            refused += status == 403
            if status not in (403, 405):
                problems.append(f"{method.upper()} {path} ({name}): {status}")

    assert problems == [], "\n".join(problems)
    assert refused >= 8, "too few write operations were found to prove anything"
    assert User.objects.get(pk=user.pk).full_name == "Unchanged"
