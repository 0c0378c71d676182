"""A database that stops answering (no refusal, no reset) over TCP or a Unix socket: /health
answers 503 within 2.5 s, pages a friendly 503 and the API a JSON 503 well before gunicorn's
30 s timeout, and all recover by themselves once the path answers again.

The silent path is tests/ops/proxy.py in front of this run's test database; gunicorn runs with
production settings. (A frozen server, SIGSTOP, is in test_production_stack.py.) Also bar line
38's Stripe event retried during the outage.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from djstripe.models import Event

from billing.models import Subscription
from core.workers import worker_heartbeat_record
from tests.billing.conftest import (  # noqa: F401  (fixtures: the fake Stripe and its webhook endpoint)
    SECRET_KEY,
    WEBHOOK_SECRET,
    fake_stripe,
    load_event,
    stripe_settings,
    stripe_signature,
    webhook_endpoint,
)
from tests.factories import UserFactory
from tests.ops.proxy import stalling_proxy
from tests.ops.servers import collectstatic, gunicorn, production_env, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["tcp", "unix-socket"])
def silent_path(request):
    """(proxy, DATABASE_URL) for this run's database, through a proxy that can go silent."""
    database = connection.settings_dict
    target = f"{database['HOST']}/.s.PGSQL.{database['PORT']}"
    if request.param == "tcp":
        with stalling_proxy(target=target) as proxy:
            yield proxy, f"postgres://{database['USER']}@127.0.0.1:{proxy.port}/{database['NAME']}"
    else:
        # A short path: Unix socket paths are limited to ~100 characters.
        socket_dir = Path(tempfile.mkdtemp(prefix="gf-pg-", dir="/tmp"))
        socket_dir.chmod(0o777)
        try:
            with stalling_proxy(target=target, unix_path=socket_dir / f".s.PGSQL.{database['PORT']}") as proxy:
                yield (
                    proxy,
                    f"postgres://{database['USER']}@/{database['NAME']}?host={socket_dir}&port={database['PORT']}",
                )
        finally:
            shutil.rmtree(socket_dir, ignore_errors=True)


def test_a_silent_database_gives_prompt_503s_and_service_comes_back_by_itself(silent_path, client, user):
    proxy, url = silent_path
    worker_heartbeat_record(worker_id="busy-worker", started_at=timezone.now())
    client.force_login(user)
    cookies = {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value}
    env = production_env(database_url=url, secret_key=django_settings.SECRET_KEY)
    collectstatic(env)

    def page(path: str, timeout: float) -> requests.Response:
        return requests.get(f"{base}{path}", cookies=cookies, timeout=timeout, allow_redirects=False)

    with gunicorn(env, workers=1) as base:
        assert page("/health", 5).json()["database"] == "ok"
        assert page("/grants/", 30).status_code == 200  # the worker now holds a pooled connection

        proxy.stall()

        # The client gives up after 2.5 s: an answer at all is the "within 2.5 s".
        health = page("/health", 2.5)
        assert health.status_code == 503
        assert health.json()["database"] == "error: no answer within 2 s"
        # Well inside gunicorn's 30 s: the request deadline (5 s) or the connect timeout (5 s).
        grants = page("/grants/", 15)
        assert grants.status_code == 503 and grants.headers["Retry-After"] == "5"
        assert "cannot reach its database" in grants.text
        api = page("/api/users/me", 15)
        assert api.status_code == 503 and api.headers["Content-Type"] == "application/json"
        assert api.json() == {
            "detail": "The service is briefly unavailable; please try again shortly.",
            "code": "service_unavailable",
        }

        proxy.resume()

        # Nothing is restarted: the same gunicorn worker reconnects.
        wait_for(lambda: page("/grants/", 15).status_code == 200, timeout=60, what="pages to recover")
        wait_for(lambda: page("/health", 5).json()["database"] == "ok", timeout=60, what="/health to recover")


@pytest.mark.parametrize("silent_path", ["tcp"], indirect=True)
def test_a_stripe_event_retried_during_the_outage_is_processed_exactly_once(
    silent_path,
    fake_stripe,  # noqa: F811 (the billing tests' fixture, imported above)
    webhook_endpoint,  # noqa: F811
):
    """Bar line 38: Stripe retries what did not get a 2xx; the delivery during the outage gets a
    prompt 503, the retries after it one Event and one change of state."""
    proxy, url = silent_path
    user = UserFactory()
    Subscription.objects.create(user=user, stripe_customer_id="cus_1")
    event = load_event("customer_subscription_created")
    fake_stripe.put(event["data"]["object"])
    payload = json.dumps(event)
    env = production_env(
        database_url=url,
        secret_key=django_settings.SECRET_KEY,
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY="pk_test_" + "y" * 24,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=fake_stripe.url,
        STRIPE_PRICE_BASIC="price_basic",
        STRIPE_PRICE_PRO="price_pro",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    collectstatic(env)

    with gunicorn(env, workers=1) as base:

        def deliver() -> requests.Response:
            return requests.post(
                f"{base}/stripe/webhook/{webhook_endpoint.djstripe_uuid}/",
                data=payload,
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": stripe_signature(payload, WEBHOOK_SECRET),
                },
                timeout=15,
            )

        proxy.stall()
        during = deliver()
        proxy.resume()

        assert during.status_code == 503
        retried = wait_for(
            lambda: (response := deliver()).status_code == 200 and response, timeout=60, what="a retry to succeed"
        )
        assert retried.status_code == 200
        assert deliver().status_code == 200  # and Stripe's next retry, had the answer been lost

    assert Event.objects.filter(id=event["id"]).count() == 1
    user.refresh_from_db()
    assert (user.subscription_tier, user.subscription_status) == ("basic", "ACTIVE")
    assert Subscription.objects.get(user=user).stripe_subscription_id == "sub_1"
