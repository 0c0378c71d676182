"""The legacy database's one fact kept in Django: who received the single-user data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class LegacyOwner(models.Model):
    """Who received what the single-user application stored: one row, written by ``migrate``.

    The conversion gives the legacy rows to the user named by ``LEGACY_OWNER_EMAIL`` (else to the
    system user) and records that user here, so that ``remap_legacy_users`` and
    ``downgrade_to_legacy`` rely on this database rather than on the environment they happen to
    run in. ``user`` is empty when the database held no legacy rows (or that user was purged).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "legacy_owner"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="legacy_owner_single_row")]

    def __str__(self) -> str:
        return f"Legacy owner: {self.user or 'none'}"
