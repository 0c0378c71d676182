"""The legacy single-user database (Alembic revision d896bf2738fb) and who owns its rows.

Used by the migrations that adopt the legacy tables, by ``migrate`` (which checks the revision
before touching anything) and by the ``remap_legacy_users`` and ``downgrade_to_legacy`` commands.
Everything here works on a plain connection or on the historical models of a migration.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connections

from accounts.models import SYSTEM_USER_EMAIL

LEGACY_REVISION = "d896bf2738fb"
LEGACY_TABLES = ("grants", "analyses", "search_runs", "application_history", "user_settings", "saved_grants")
# legacy/sql/README.md says what each file is; tests and benchmarks load the same files.
LEGACY_SQL_DIR = Path(__file__).parent / "sql"
LEGACY_SCHEMA_SQL = LEGACY_SQL_DIR / "legacy_schema.sql"
ALEMBIC_VERSION_DDL = (LEGACY_SQL_DIR / "legacy_alembic_version.sql").read_text()


class LegacyDatabaseError(Exception):
    """The database is not one that ``migrate`` can convert; nothing has been changed."""


def table_exists(cursor, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{table}"])
    return cursor.fetchone()[0]


def legacy_database_check(connection) -> None:
    """Refuse a database that is not at the legacy revision, before anything is changed.

    No ``alembic_version`` table (a new database, or one that Django already converted) or
    the expected revision proceeds. Anything else raises ``LegacyDatabaseError``.
    """
    with connection.cursor() as cursor:
        if not table_exists(cursor, "alembic_version"):
            return
        cursor.execute("SELECT version_num FROM alembic_version ORDER BY version_num")
        found = [row[0] for row in cursor.fetchall()]
        if found != [LEGACY_REVISION]:
            shown = ", ".join(found) or "no revision (the table is empty)"
            raise LegacyDatabaseError(
                f"This database is at Alembic revision {shown}, but Grant Finder can only convert a "
                f"database at revision {LEGACY_REVISION}. Bring it to {LEGACY_REVISION} with the legacy "
                "application's Alembic first. Nothing has been changed."
            )
        if table_exists(cursor, "user_settings"):
            cursor.execute("SELECT count(*) FROM user_settings")
            (settings_rows,) = cursor.fetchone()
            if settings_rows > 1:
                raise LegacyDatabaseError(
                    f"The legacy user_settings table has {settings_rows} rows; the single-user application "
                    "only ever wrote one. Merge them by hand (and their saved_grants) before migrating. "
                    "Nothing has been changed."
                )


def legacy_schema_create_if_missing(schema_editor) -> None:
    """On a new database, create the legacy tables so it takes the same path as a legacy one."""
    with schema_editor.connection.cursor() as cursor:
        if table_exists(cursor, "grants"):
            return
        cursor.execute(LEGACY_SCHEMA_SQL.read_text())


def legacy_has_rows(cursor) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM grants) OR EXISTS (SELECT 1 FROM search_runs)"
        " OR EXISTS (SELECT 1 FROM application_history) OR EXISTS (SELECT 1 FROM user_settings)"
    )
    return cursor.fetchone()[0]


def legacy_owner_email() -> str:
    """Whom the conversion makes the legacy owner: ``LEGACY_OWNER_EMAIL``, else the system user."""
    return (settings.LEGACY_OWNER_EMAIL or SYSTEM_USER_EMAIL).strip()


def legacy_owner_get_or_create(user_model):
    """The user who owns what the single-user application stored, at the conversion.

    ``LEGACY_OWNER_EMAIL`` names a real person (created here if missing, linked to Auth0 at
    their first verified sign-in); without it, a system user who can never sign in.
    ``user_model`` is the real model or a migration's historical one.
    """
    email = legacy_owner_email()
    owner = user_model.objects.filter(email__iexact=email).first()
    if owner is None:
        is_system = email == SYSTEM_USER_EMAIL
        owner = user_model.objects.create(
            email=email,
            password=make_password(None),
            is_active=not is_system,
            full_name="Legacy data (system)" if is_system else "",
        )
    return owner


def legacy_owner_recorded(connection) -> tuple[bool, int | None]:
    """Whether ``migrate`` has recorded the legacy owner (table ``legacy_owner``), and their user id.

    The id is None when the database held no legacy rows, or that user has since been purged.
    Raw SQL: the migrations ask before and after the table exists.
    """
    with connection.cursor() as cursor:
        if not table_exists(cursor, "legacy_owner"):
            return False, None
        cursor.execute("SELECT user_id FROM legacy_owner WHERE id = 1")
        row = cursor.fetchone()
    return (row is not None, row[0] if row else None)


def legacy_owner_find(user_model):
    """The legacy owner, for the migrations that adopt legacy rows.

    The recorded one once ``migrate`` has recorded it (so a conversion split over two runs in
    two environments still gives every row to one user), else the one the environment names.
    """
    recorded, user_id = legacy_owner_recorded(connections[user_model._default_manager.db])
    if recorded:
        return user_model.objects.filter(pk=user_id).first() if user_id is not None else None
    return user_model.objects.filter(email__iexact=legacy_owner_email()).first()


def legacy_owner_record(user_model, record_model) -> None:
    """Record who the conversion made the legacy owner (accounts.0008); once.

    Run in the same ``migrate`` as the conversion, the environment is the one that chose the
    owner, and the owner exists only if the database held legacy rows. (A database converted
    before this record existed gets the user the environment names now, if any.)
    """
    if record_model.objects.exists():
        return
    owner = user_model.objects.filter(email__iexact=legacy_owner_email()).first()
    record_model.objects.create(id=1, user=owner)


def legacy_owner_for_command(user_model):
    """The recorded legacy owner (or None: no legacy rows), for ``remap_legacy_users`` and the rollback.

    The database decides, whatever the environment says; ``LEGACY_OWNER_EMAIL`` naming someone
    else stops the command (``LegacyDatabaseError``) before anything is changed.
    """
    recorded, user_id = legacy_owner_recorded(connections[user_model._default_manager.db])
    if not recorded:
        raise LegacyDatabaseError(
            "This database has no record of its legacy owner: run `python manage.py migrate` first. "
            "Nothing has been changed."
        )
    owner = user_model.objects.filter(pk=user_id).first() if user_id is not None else None
    named = (settings.LEGACY_OWNER_EMAIL or "").strip()
    if named and (owner is None or owner.email.lower() != named.lower()):
        recorded_as = (
            owner.email if owner is not None else "nobody (it held no legacy rows, or their owner was deleted)"
        )
        raise LegacyDatabaseError(
            f"LEGACY_OWNER_EMAIL names {named}, but migrate recorded this database's legacy owner as "
            f"{recorded_as}, and the record decides. Unset LEGACY_OWNER_EMAIL (or set it to the recorded "
            "owner) and run the command again. Nothing has been changed."
        )
    return owner


def sequence_reset_past_max(cursor, table: str) -> None:
    """Make the table's id sequence hand out ids past the largest id already stored."""
    cursor.execute(
        f"""
        SELECT setval(pg_get_serial_sequence('{table}', 'id'), m.max_id, true)
        FROM (SELECT max(id) AS max_id FROM {table}) m,
             pg_sequences s
        WHERE s.schemaname = 'public'
          AND s.sequencename = split_part(pg_get_serial_sequence('{table}', 'id'), '.', 2)
          AND m.max_id IS NOT NULL
          AND (s.last_value IS NULL OR m.max_id > s.last_value)
        """
    )
