"""Abuse limits: the sign-in lockout (django-axes) and the per-user rate limits behind 429."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.utils import timezone

from accounts.models import CacheEntry
from accounts.throttling import Rate, Throttled, client_ip, request_throttled, throttle_hit
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _password_sign_in(settings):
    settings.ALLOW_PASSWORD_LOGIN = True
    settings.AXES_FAILURE_LIMIT = 5


def _sign_in(client, email, password, address="203.0.113.7"):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


def test_25_wrong_passwords_then_the_right_one_does_not_sign_in(client, user, settings):
    statuses = [_sign_in(client, user.email, f"guess-{n}").status_code for n in range(25)]

    right = _sign_in(client, user.email, PASSWORD)

    assert statuses[:4] == [400] * 4  # wrong password, said as such
    assert set(statuses[4:]) == {429}  # the fifth failure locks
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in right.content.decode()
    assert "try again in 15 minutes" in right.content.decode()
    assert right["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))


def test_the_account_is_locked_from_every_address_and_opens_after_the_cool_off(client, user, settings):
    for n in range(5):
        _sign_in(client, user.email, f"guess-{n}", address="203.0.113.7")

    elsewhere = _sign_in(client, user.email.upper(), PASSWORD, address="198.51.100.9")  # same account, any case

    assert elsewhere.status_code == 429 and "_auth_user_id" not in client.session
    # The cool-off runs from the last try: once it has passed, the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    after = _sign_in(client, user.email, PASSWORD, address="198.51.100.9")
    assert after.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_address_trying_many_accounts_is_locked_but_others_are_not(client, user):
    for n in range(5):
        _sign_in(client, f"someone-{n}@example.com", "guess", address="203.0.113.7")

    from_there = _sign_in(client, user.email, PASSWORD, address="203.0.113.7")
    assert from_there.status_code == 429 and "_auth_user_id" not in client.session

    from_elsewhere = _sign_in(client, user.email, PASSWORD, address="198.51.100.9")
    assert from_elsewhere.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_a_sign_in_lockout_is_announced_for_monitoring(client, user):
    heard = []

    def listener(sender, user, **kwargs):
        heard.append(sender)

    request_throttled.connect(listener)
    try:
        for n in range(6):
            _sign_in(client, user.email, f"guess-{n}")
    finally:
        request_throttled.disconnect(listener)
    assert heard == ["sign_in", "sign_in"]  # once per refused try: the fifth and the sixth


def test_the_client_address_behind_a_proxy_is_the_one_the_proxy_saw(rf, settings):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # not the forgeable left-most entry


# --- Rate limits --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [("10/minute", Rate(10, 60)), ("3/second", Rate(3, 1)), ("100/hours", Rate(100, 3600)), ("5/day", Rate(5, 86400))],
)
def test_rates_are_read_from_settings_text(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["ten/minute", "10/fortnight", "", "-1/minute"])
def test_a_malformed_rate_is_refused(text):
    with pytest.raises(ValueError, match="count"):
        Rate.parse(text)


def test_the_limit_holds_within_a_sliding_minute(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "generation": "3/minute"}
    user = UserFactory()
    start = 1_800_000_000.0  # a window boundary (divisible by 60)

    for offset in (0, 1, 2):
        throttle_hit(user=user, scope="generation", now=start + offset)
    with pytest.raises(Throttled) as refused:
        throttle_hit(user=user, scope="generation", now=start + 20.5)

    # The three fade out of the next window as it passes: one more fits once a third of it is over.
    assert refused.value.retry_after == 60
    assert str(refused.value) == (
        "Too many application writing requests: the limit is 3 per minute. Please try again in 60 s."
    )
    with pytest.raises(Throttled):
        throttle_hit(user=user, scope="generation", now=start + 60)
    throttle_hit(user=user, scope="generation", now=start + 80.5)
    throttle_hit(user=UserFactory(), scope="generation", now=start + 21)  # another user's own count


def test_a_burst_across_a_window_boundary_is_still_limited(settings):
    """Fixed windows would take ten just before the minute turns and ten more just after."""
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "generation": "10/minute"}
    user = UserFactory()
    start = 1_800_000_000.0

    for tenth in range(10):
        throttle_hit(user=user, scope="generation", now=start + 59 + tenth / 10)
    with pytest.raises(Throttled) as refused:
        throttle_hit(user=user, scope="generation", now=start + 61)

    assert 1 <= refused.value.retry_after <= 60


def test_a_refused_request_is_not_counted(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "generation": "2/minute"}
    user = UserFactory()
    start = 1_800_000_000.0
    throttle_hit(user=user, scope="generation", now=start)
    throttle_hit(user=user, scope="generation", now=start + 1)
    for offset in range(2, 30):
        with pytest.raises(Throttled):
            throttle_hit(user=user, scope="generation", now=start + offset)

    assert cache.get(f"throttle:generation:{user.pk}:{int(start // 60)}") == 2


def test_the_database_cache_counts_without_moving_the_expiry():
    cache.add("counter", 0, timeout=30)
    expires = CacheEntry.objects.get().expires
    assert [cache.incr("counter") for _ in range(3)] == [1, 2, 3]
    assert cache.get("counter") == 3
    assert CacheEntry.objects.get().expires == expires
    with pytest.raises(ValueError):
        cache.incr("missing")


def test_culling_the_database_cache_never_drops_a_live_counter():
    from datetime import timedelta

    from django.utils import timezone

    from accounts.cache import DatabaseCache

    small = DatabaseCache("cache_entries", {"OPTIONS": {"MAX_ENTRIES": 3}})
    for n in range(6):
        small.add(f"key-{n}", n, timeout=60)
    CacheEntry.objects.filter(cache_key=small.make_key("key-0")).update(expires=timezone.now() - timedelta(seconds=5))

    # Six rows, past MAX_ENTRIES: the cull runs. Django's would then drop a third of the live ones.
    small.add("one-more", 0, timeout=60)

    assert [small.get(f"key-{n}") for n in range(6)] == [None, 1, 2, 3, 4, 5]
    assert CacheEntry.objects.count() == 6  # the expired row went, every live one stayed
