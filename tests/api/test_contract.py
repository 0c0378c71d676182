"""The API keeps its OpenAPI contract (bar: the contract is true): schemathesis generates requests
for every operation, signed in, and every answer must be declared, with the declared body and
content type, and never a 5xx. Bounded and derandomised, so it is the same run every time."""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from grantfinder.api import api
from tests.factories import BusinessProfileFactory, GeneratedApplicationFactory, GrantFactory

CSRF_TOKEN = "x" * 32

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))
schema.app = WSGIHandler()

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Requests go straight to Django's WSGI handler, whose end-of-request hook would close the
    connection holding the test's transaction; Django's own test client unhooks it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def signed_in(client, user, wsgi_in_the_test_transaction):
    """A session of the owner, with some of their data for ids to find."""
    BusinessProfileFactory(user=user)
    grant = GrantFactory(user=user)
    GeneratedApplicationFactory(user=user, grant=grant)
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return {
        "cookies": {django_settings.SESSION_COOKIE_NAME: session, "csrftoken": CSRF_TOKEN},
        "headers": {"X-CSRFToken": CSRF_TOKEN},
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_the_contract(case, signed_in):
    response = case.call(**signed_in)
    case.validate_response(response, checks=CHECKS)


def test_every_operation_declares_the_errors_it_can_answer():
    document = api.get_openapi_schema(path_prefix="/api")
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    assert len(operations) >= 15

    for path, method, operation in operations:
        declared = {int(status) for status in operation["responses"]}
        expected = {401, 422, 503}
        if method in ("post", "put", "patch", "delete"):
            expected |= {403, 429}
        if "{" in path:
            expected.add(404)
        assert expected <= declared, (method, path, sorted(declared))
        for status in expected:
            ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[1] in document["components"]["schemas"]
    # Where an allowance is spent, 402 with its body.
    for path in ("/api/search-runs", "/api/applications/generate"):
        assert "UsageLimitOut" in str(document["paths"][path]["post"]["responses"][402])
    assert "ThrottledOut" in str(document["paths"]["/api/search-runs"]["post"]["responses"][429])
