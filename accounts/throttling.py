"""Abuse limits: sign-in lockout (django-axes) and per-user rate limits with 429 and Retry-After.

Rate limits count in sliding windows in the shared cache (``CACHES``: PostgreSQL's cache table, or
Redis), so every gunicorn worker on every machine counts against the same number. A view that
does something costly calls ``throttle_hit(user=..., scope=...)`` before doing it::

    throttle_hit(user=request.user, scope="generation")  # raises Throttled past the limit

``Throttled`` becomes a 429 page (``accounts.middleware.ThrottleMiddleware``) or a 429 JSON body
on /api/ (``grantfinder/api.py``), both with ``Retry-After``. Every write to the API also counts
against ``api_write`` (the middleware). The limits are ``settings.THROTTLE_RATES``.

Whatever is refused is announced once through ``request_throttled`` (sender: the scope name;
``user``), so monitoring can count it without knowing where limits are checked. Sign-in lockouts
announce themselves as scope ``"sign_in"``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal

# Sent with sender=<scope> (e.g. "generation", "sign_in") and user (None when not signed in).
request_throttled = Signal()

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# The time rate limits count by; tests set it to stay inside one window whatever the wall clock does.
clock = time.time


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"10/minute"``; also ``second``, ``hour`` and ``day``, singular or plural."""
        count, _, unit = text.partition("/")
        unit = unit.strip().lower().removesuffix("s") or "minute"
        if unit not in PERIODS or not count.strip().isdigit():
            raise ValueError(f"A rate is '<count>/<second|minute|hour|day>', not {text!r}.")
        return cls(limit=int(count), period=PERIODS[unit])

    def describe(self) -> str:
        unit = next(name for name, seconds in PERIODS.items() if seconds == self.period)
        return f"{self.limit} per {unit}"


SCOPE_LABELS = {
    "generation": "application writing requests",
    "search_run": "searches",
    "api_write": "changes through the API",
}


class Throttled(Exception):
    def __init__(self, *, scope: str, rate: Rate, retry_after: int):
        self.scope = scope
        self.rate = rate
        self.retry_after = retry_after
        what = SCOPE_LABELS.get(scope, "requests")
        super().__init__(f"Too many {what}: the limit is {rate.describe()}. Please try again in {retry_after} s.")


def throttle_rate(scope: str) -> Rate:
    return Rate.parse(settings.THROTTLE_RATES[scope])


def throttle_hit(*, user, scope: str, now: float | None = None) -> None:
    """Count one request of ``user`` against ``scope``; raise ``Throttled`` once past the limit.

    A sliding window: the current fixed window's count plus the previous window's, weighted by how
    much of it still lies within one period of ``now``. Plain fixed windows let twice the limit
    through across a boundary (ten just before the minute turns, ten just after). A refused request
    is not counted, so whoever waits the ``Retry-After`` it was given gets in.
    """
    rate = throttle_rate(scope)
    now = clock() if now is None else now
    window = int(now // rate.period)
    key = f"throttle:{scope}:{user.pk}:{window}"
    try:
        count = cache.incr(key)  # one locked update when the window's counter exists
    except ValueError:
        # The window's first request; two at once both add, and one add wins. Kept through the
        # next window too, where it is the previous window's count.
        cache.add(key, 0, timeout=2 * rate.period + 1)
        count = cache.incr(key)
    elapsed = now - window * rate.period
    previous = cache.get(f"throttle:{scope}:{user.pk}:{window - 1}", 0)
    if previous * (rate.period - elapsed) / rate.period + count <= rate.limit:
        return
    cache.decr(key)
    retry_after = _seconds_until_allowed(rate=rate, previous=previous, count=count - 1, elapsed=elapsed)
    request_throttled.send(sender=scope, user=user)
    raise Throttled(scope=scope, rate=rate, retry_after=retry_after)


def _seconds_until_allowed(*, rate: Rate, previous: int, count: int, elapsed: float) -> int:
    """When one more request fits: later in this window as the previous one fades, or else in the
    next window once this window's ``count`` has faded enough. Said as at most a period, when every
    request now counted is over a period old; the estimate (which spreads a window's count evenly
    over it) may refuse once more then, with a short wait of its own."""
    period, room = rate.period, rate.limit - count - 1
    if room >= 0 and previous:
        wait = period * (1 - room / previous) - elapsed
    else:
        wait = period - elapsed + period * (1 - (rate.limit - 1) / max(count, 1))
    return min(period, max(1, math.ceil(wait)))


# --- Sign-in lockout (django-axes) ---------------------------------------------------------------


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins over HTTP only.

    ``authenticate()`` without a request (``manage.py`` commands, the test client's ``login``) has
    no address to count and no one to lock out; axes would raise, so it is let through here.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def sign_in_username(request, credentials) -> str:
    """The e-mail tried, as one account: ``Alice@x.org `` and ``alice@x.org`` share a counter."""
    source = credentials if credentials else getattr(request, "POST", {})
    return str(source.get("username") or "").strip().lower()


def client_ip(request) -> str:
    """The caller's address: the peer's, or behind ``TRUSTED_PROXY_COUNT`` proxies the one the
    first of them saw (X-Forwarded-For entries further left are the client's to invent)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
