"""Rebuilding the per-user grant figures from a fresh count (grants/figures_sql.py keeps them current)."""

from __future__ import annotations

from django.db import connection, transaction

from grants.figures_sql import REBUILD
from grants.models import GrantFigures


def figures_rebuild(*, user_ids: list[int] | None = None) -> None:
    """Recount the figures of these users (all users when None), replacing what is stored.

    For rows written while the triggers were absent (a restore, a bulk load with triggers
    disabled). Writers of ``grants`` wait meanwhile, so no write falls between count and store.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE grants IN SHARE MODE")
        stale = GrantFigures.objects.all() if user_ids is None else GrantFigures.objects.filter(user_id__in=user_ids)
        stale.delete()
        cursor.execute(REBUILD, {"all": user_ids is None, "users": list(user_ids or [])})
