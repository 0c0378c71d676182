"""Rate limits under real gunicorn with two workers: the counts are shared (the cache table in
PostgreSQL), so a burst spread over both workers still gets exactly the limit through.

Also bar line 36: 50 concurrent generation requests through the real route against an allowance
of 10 give exactly 10 applications, 40 refusals (402 or 429), an allowance at 0 and 10 ledger rows.
"""

from __future__ import annotations

import json
from functools import partial

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection

from accounts.models import User
from applications.models import GeneratedApplication
from billing.models import UsageRecord
from tests.factories import BusinessProfileFactory, GrantFactory
from tests.ops.servers import database_url, gunicorn, production_env
from tests.race import all_at_once

pytestmark = pytest.mark.django_db(transaction=True)

CSRF_TOKEN = "x" * 32


@pytest.fixture
def env():
    return {
        **production_env(database_url=database_url(connection.settings_dict), secret_key=django_settings.SECRET_KEY),
        "REQUEST_LOG_LEVEL": "INFO",  # one JSON line per request, with the worker's pid
        # The last application of the allowance sends the "allowance used" notice.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def _session(client, user) -> dict[str, str]:
    client.force_login(user)
    return {
        django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "csrftoken": CSRF_TOKEN,
    }


def _burst(count: int, send) -> list[requests.Response]:
    """``count`` requests released at once, each on its own connection."""
    return all_at_once([partial(send, n) for n in range(count)])


def _request_log(path) -> list[dict]:
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == "grantfinder.requests":
                lines.append(record)
    return lines


def test_a_burst_gets_429_with_retry_after_and_the_count_holds_across_two_workers(client, user, env, tmp_path):
    # A day's window: the burst fades by a few seconds' worth of a day, which lets nothing more in.
    limit = 10
    env = {**env, "THROTTLE_API_WRITE_RATE": f"{limit}/day"}
    cookies = _session(client, user)
    log = tmp_path / "gunicorn.log"

    with gunicorn(env, workers=2, log=log) as base:
        responses = _burst(
            30,
            lambda n: requests.patch(
                f"{base}/api/users/me",
                json={"full_name": f"Burst {n}"},
                cookies=cookies,
                headers={"X-CSRFToken": CSRF_TOKEN, "Connection": "close"},
                timeout=30,
            ),
        )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * limit + [429] * (30 - limit)
    for refused in (r for r in responses if r.status_code == 429):
        assert 1 <= int(refused.headers["Retry-After"]) <= 86400
        assert refused.json()["code"] == "throttled" and refused.headers["Content-Type"] == "application/json"
    # Both workers answered part of the burst, so the count was theirs together.
    served_by = {
        line["pid"] for line in _request_log(log) if line["method"] == "PATCH" and line["route"] == "api/users/me"
    }
    assert len(served_by) == 2


def test_50_concurrent_generations_against_an_allowance_of_10(client, user, env):
    User.objects.filter(pk=user.pk).update(applications_limit=10, applications_used=0)
    BusinessProfileFactory(user=user)
    grants = [GrantFactory(user=user) for _ in range(50)]
    cookies = _session(client, user)

    with gunicorn(env, workers=2) as base:
        responses = _burst(
            50,
            lambda n: requests.post(
                f"{base}/api/applications/generate",
                json={"grant_id": grants[n].pk},
                cookies=cookies,
                headers={"X-CSRFToken": CSRF_TOKEN, "Connection": "close"},
                timeout=60,
            ),
        )

    statuses = [r.status_code for r in responses]
    assert statuses.count(202) == 10
    assert all(status in (402, 429) for status in statuses if status != 202), statuses
    user.refresh_from_db()
    assert (user.applications_used, user.applications_limit) == (10, 10)
    assert GeneratedApplication.objects.filter(user=user).count() == 10
    assert UsageRecord.objects.filter(user=user, kind="applications").count() == 10
    assert sum(UsageRecord.objects.filter(user=user, kind="applications").values_list("delta", flat=True)) == 10
