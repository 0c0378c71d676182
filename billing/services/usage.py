"""Billing's allowance meter: consuming and refunding searches and applications, usage periods.

Other apps call ``usage_consume_search`` / ``usage_consume_application`` before doing the work.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from billing import emails
from billing.exceptions import UsageLimitReached
from billing.models import BillingNotice, NoticeKind, Subscription

# The share of an allowance at which the user is warned by e-mail, once per usage period.
WARNING_RATIO = (4, 5)

_KINDS = {
    "searches": ("searches_used", "searches_limit", "searches_remaining", NoticeKind.SEARCHES_80),
    "applications": ("applications_used", "applications_limit", "applications_remaining", NoticeKind.APPLICATIONS_80),
}

# One statement, so the check and the increment cannot be separated by a concurrent request:
# PostgreSQL re-evaluates the WHERE on the locked row, and a spent allowance updates nothing.
# The second CTE keeps subscriptions.<kind>_remaining in step (users row first, then subscriptions,
# the same lock order as subscription_apply_stripe_state); the third writes the ledger row.
_CONSUME_SQL = """
WITH consumed AS (
    UPDATE users SET {used} = {used} + 1
    WHERE id = %s AND {used} < {limit}
    RETURNING id, {used} AS used, {limit} AS usage_limit, usage_period_start
), remaining AS (
    UPDATE subscriptions SET {remaining} = consumed.usage_limit - consumed.used
    FROM consumed WHERE subscriptions.user_id = consumed.id
), ledger AS (
    INSERT INTO billing_usage_records (user_id, kind, delta, created_at)
    SELECT consumed.id, %s, 1, now() FROM consumed
)
SELECT used, usage_limit, usage_period_start FROM consumed
"""

_REFUND_SQL = """
WITH refunded AS (
    UPDATE users SET {used} = {used} - 1
    WHERE id = %s AND {used} > 0
    RETURNING id, {used} AS used, {limit} AS usage_limit
), remaining AS (
    UPDATE subscriptions SET {remaining} = refunded.usage_limit - refunded.used
    FROM refunded WHERE subscriptions.user_id = refunded.id
), ledger AS (
    INSERT INTO billing_usage_records (user_id, kind, delta, created_at)
    SELECT refunded.id, %s, -1, now() FROM refunded
)
SELECT used FROM refunded
"""


@dataclass(frozen=True)
class Consumed:
    """What is left after a successful consumption."""

    kind: str
    used: int
    limit: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def usage_consume_search(*, user: User) -> Consumed:
    """Take one search from the user's allowance for this period, or raise ``UsageLimitReached``.

    A single atomic conditional UPDATE: concurrent callers never take the count past the limit.
    Call it before starting the search; if the search then fails for a reason that is not the
    user's, give it back with ``usage_refund_search``. ``user.searches_used`` is refreshed.
    At 80% of the allowance the user gets one warning e-mail per usage period (after commit).
    """
    return _consume(user=user, kind="searches")


def usage_consume_application(*, user: User) -> Consumed:
    """Take one application generation from the user's allowance, or raise ``UsageLimitReached``.

    Same guarantees as ``usage_consume_search``; refund with ``usage_refund_application``.
    """
    return _consume(user=user, kind="applications")


def usage_refund_search(*, user: User) -> None:
    """Give back one search (never below zero), e.g. when the search run failed on our side."""
    _refund(user=user, kind="searches")


def usage_refund_application(*, user: User) -> None:
    """Give back one application generation (never below zero)."""
    _refund(user=user, kind="applications")


def _consume(*, user: User, kind: str) -> Consumed:
    used_column, limit_column, remaining_column, notice_kind = _KINDS[kind]
    sql = _CONSUME_SQL.format(used=used_column, limit=limit_column, remaining=remaining_column)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk, kind])
            row = cursor.fetchone()
        if row is None:
            user.refresh_from_db(fields=[used_column, limit_column])
            raise UsageLimitReached(kind=kind, limit=getattr(user, limit_column))
        used, limit, period_start = row
        setattr(user, used_column, used)
        if used * WARNING_RATIO[1] >= limit * WARNING_RATIO[0]:
            _warn_once(user=user, kind=kind, notice_kind=notice_kind, used=used, limit=limit, period_start=period_start)
    return Consumed(kind=kind, used=used, limit=limit)


def _refund(*, user: User, kind: str) -> None:
    used_column, limit_column, remaining_column, _notice = _KINDS[kind]
    with connection.cursor() as cursor:
        cursor.execute(
            _REFUND_SQL.format(used=used_column, limit=limit_column, remaining=remaining_column), [user.pk, kind]
        )
        row = cursor.fetchone()
    if row is not None:
        setattr(user, used_column, row[0])


def _period_key(period_start: dt.datetime | None) -> str:
    return period_start.isoformat() if period_start else "no-period"


def _warn_once(*, user: User, kind: str, notice_kind: str, used: int, limit: int, period_start) -> None:
    # The unique (user, kind, key) row is the "already sent" flag; get_or_create is safe under races.
    _notice, created = BillingNotice.objects.get_or_create(user=user, kind=notice_kind, key=_period_key(period_start))
    if created:
        transaction.on_commit(lambda: emails.send_usage_warning(user=user, kind=kind, used=used, limit=limit))


# --- Usage periods ------------------------------------------------------------------------------


def calendar_month(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The calendar month (UTC) holding ``moment``: [first day 00:00, first day of next month)."""
    moment = moment.astimezone(dt.UTC)
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(start.year, start.month)[1]
    return start, start + dt.timedelta(days=days)


def usage_reset_expired(*, now: dt.datetime | None = None) -> int:
    """Start a new calendar-month usage period for every free-plan user whose period has ended.

    Paid plans get their new period from Stripe (``invoice.paid``). Safe to run as often as you
    like: a user whose period is still running is not touched. Returns the number of users reset.
    """
    now = now or timezone.now()
    start, end = calendar_month(now)
    expired = Q(usage_period_end__isnull=True) | Q(usage_period_end__lte=now)
    with transaction.atomic():
        reset_ids = list(
            User.objects.filter(expired, subscription_tier="free").select_for_update().values_list("id", flat=True)
        )
        User.objects.filter(id__in=reset_ids).update(
            searches_used=0, applications_used=0, usage_period_start=start, usage_period_end=end, updated_at=now
        )
        _sync_remaining(user_ids=reset_ids)
    return len(reset_ids)


def remaining_copy(*, user: User, subscription: Subscription) -> None:
    """Copy the user's remaining allowances onto the (unsaved) subscription row.

    ``subscriptions.<kind>_remaining`` are columns of the legacy schema that the rollback
    (downgrade_to_legacy) hands back, so they are kept; ``users`` holds the truth (used, limit)
    and every writer derives the remaining counts from it here or in the SQL below.
    """
    subscription.searches_remaining = max(user.searches_limit - user.searches_used, 0)
    subscription.applications_remaining = max(user.applications_limit - user.applications_used, 0)


def _sync_remaining(*, user_ids: list[int]) -> None:
    """Copy the users' remaining allowances onto their subscription rows (``remaining_copy`` in bulk)."""
    if not user_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE subscriptions SET searches_remaining = users.searches_limit - users.searches_used,
                                     applications_remaining = users.applications_limit - users.applications_used
            FROM users WHERE subscriptions.user_id = users.id AND users.id = ANY(%s)
            """,
            [list(user_ids)],
        )
