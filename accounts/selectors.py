"""Shared reads about accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import User


def users_open(queryset: QuerySet | None = None) -> QuerySet:
    """Accounts nobody has deleted (a deleted account is invisible while it waits for the purge)."""
    return (queryset if queryset is not None else User.objects.all()).filter(deactivated_at__isnull=True)


def users_deleted(queryset: QuerySet | None = None) -> QuerySet:
    return (queryset if queryset is not None else User.objects.all()).filter(deactivated_at__isnull=False)


def users_due_for_purge(*, now: datetime) -> QuerySet:
    """Accounts deleted longer ago than the grace period, oldest id first."""
    cutoff = now - timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    return User.objects.filter(deactivated_at__lte=cutoff).order_by("pk")
