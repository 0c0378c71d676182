"""A person's legacy history, claimed when their e-mail is verified (not called by migrations)."""

from __future__ import annotations

from django.db import connection

from legacy.models import LegacyOwner


def history_claim(sender, *, user, **kwargs) -> int:
    """Rule 1 for one person, once their e-mail is verified (``accounts.signals.email_verified``).

    The legacy owner's rows whose legacy string is the user's e-mail, ignoring case and the blanks
    around it, move to the user. The legacy owner is the one ``migrate`` recorded (``LegacyOwner``);
    no record, nothing to claim. Returns how many rows moved.
    """
    owner_id = LegacyOwner.objects.filter(pk=1).values_list("user_id", flat=True).first()
    if owner_id is None or owner_id == user.pk:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE application_history SET user_id = %s
            WHERE user_id = %s
              AND user_id_old IS NOT NULL
              AND lower(btrim(user_id_old, E' \\t\\r\\n')) = lower(btrim(%s))
            """,
            [user.pk, owner_id, user.email],
        )
        return cursor.rowcount
