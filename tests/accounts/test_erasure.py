"""Erasure leaves no trace in the audit tables, and the erasure log removes the user again after
a backup restore (bar line 34)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts import services
from accounts.models import AuditEntry, ErasureRecord, User
from tests.owned_data import owned_data_build, owned_snapshot

pytestmark = pytest.mark.django_db

# Our staff audit trail, the admin's change log and django-axes' sign-in records.
AUDIT_TABLES = [
    "staff_audit_entries",
    "django_admin_log",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
]


def _needles(user: User, business_name: str) -> list[str]:
    email = user.email
    return sorted(
        {email, email.upper(), quote(email, safe=""), quote_plus(email), user.full_name, business_name}, key=len
    )


def _audit_rows_naming(needles: list[str]) -> list[str]:
    """Whole audit rows, every column cast to text, that contain any needle (any case)."""
    found = []
    with connection.cursor() as cursor:
        for table in AUDIT_TABLES:
            cursor.execute(f"SELECT t::text FROM {table} t")
            for (row,) in cursor.fetchall():
                found += [f"{table}: {row}" for needle in needles if needle.lower() in row.lower()]
    return found


def _tables() -> list[str]:
    return [t for t in connection.introspection.table_names() if t != "django_migrations"]


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "AND attgenerated = '' ORDER BY attnum",
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


def _backup() -> dict:
    """Every row of every table, as a dump would hold them (generated columns are recomputed on restore)."""
    backup = {}
    with connection.cursor() as cursor:
        for table in _tables():
            columns = _columns(table)
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            backup[table] = (columns, cursor.fetchall())
    backup["files"] = {p: p.read_bytes() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    return backup


def _restore(backup: dict) -> None:
    """Put the backup back as pg_restore --disable-triggers would: every table emptied and refilled."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        for table, (columns, rows) in backup.items():
            if table == "files":
                continue
            name = connection.ops.quote_name(table)
            cursor.execute(f"DELETE FROM {name}")
            if rows:
                quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {name} ({quoted}) VALUES ({marks})",
                    [[json.dumps(v) if isinstance(v, dict | list) else v for v in row] for row in rows],
                )
        cursor.execute("SET session_replication_role = origin")
    for path, data in backup["files"].items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.fixture
def audited_owner(user, other_user, staff_user, staff_client):
    """The owner's and another user's data, looked at by staff through the real admin."""
    owned_data_build(user)
    owned_data_build(other_user)
    profile = user.business_profile
    for url in (
        f"/admin/accounts/user/{user.pk}/change/",
        f"/admin/profiles/businessprofile/{profile.pk}/change/",
        f"/admin/accounts/user/?q={quote(user.email)}",
        f"/admin/accounts/user/?q={quote(user.full_name)}",
        f"/admin/grants/searchrun/?q={user.email}",
        f"/admin/accounts/user/{other_user.pk}/change/",
    ):
        assert staff_client.get(url).status_code == 200, url
    # Two wrong passwords for the owner's account: django-axes records them under the e-mail.
    for _ in range(2):
        assert Client().post("/accounts/login/", {"username": user.email, "password": "wrong"}).status_code == 400
    assert AccessAttempt.objects.filter(username__iexact=user.email).exists()
    LogEntry.objects.log_actions(
        user_id=staff_user.pk,
        queryset=[user, profile],
        action_flag=CHANGE,
        change_message=f"Checked {user.email} after a support ticket",
    )
    return user, other_user, profile.business_name


def test_purge_leaves_no_audit_row_naming_the_user(audited_owner, django_capture_on_commit_callbacks):
    owner, other, business_name = audited_owner
    owner_pk = owner.pk
    needles = _needles(owner, business_name)
    assert len(_audit_rows_naming(needles)) >= 6  # the fixture really did put the user in the trail
    other_rows = _audit_rows_naming([other.email])

    with django_capture_on_commit_callbacks(execute=True):
        services.account_purge(user=owner)

    assert _audit_rows_naming(needles) == []
    assert _audit_rows_naming([other.email]) == other_rows  # nobody else's entries change
    assert AuditEntry.objects.count() >= 6 and LogEntry.objects.count() == 2  # anonymised, not deleted
    assert ErasureRecord.objects.filter(user_id=owner_pk).exists()
    log = Path(settings.ERASURE_LOG_PATH).read_text()
    assert json.loads(log)["user_id"] == owner_pk and owner.email not in log and "owner" not in log.lower()


def test_replaying_the_erasure_log_after_a_restore_removes_the_user_again(
    audited_owner, django_capture_on_commit_callbacks
):
    owner, other, business_name = audited_owner
    owner_pk = owner.pk
    needles = _needles(owner, business_name)
    backup = _backup()  # last night's backup, taken before the purge
    other_before = owned_snapshot(other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.account_purge(user=owner)
    assert not User.objects.filter(pk=owner_pk).exists()

    _restore(backup)
    owner = User.objects.get(pk=owner_pk)  # the restore brought the user back ...
    assert _audit_rows_naming(needles)
    assert not ErasureRecord.objects.exists()  # ... and a log table as old as the backup
    files = [Path(settings.MEDIA_ROOT) / name for name in services.account_file_names(user=owner)]
    assert files and all(path.exists() for path in files)

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("replay_erasures", stdout=out)

    assert "1 restored user(s) erased again" in out.getvalue()
    assert not User.objects.filter(pk=owner_pk).exists()
    assert all(not rows for key, rows in owned_snapshot(owner_pk).items() if not key.startswith("file:"))
    assert not any(path.exists() for path in files)
    assert _audit_rows_naming(needles) == []
    assert owned_snapshot(other.pk) == other_before
    assert list(ErasureRecord.objects.values_list("user_id", flat=True)) == [owner_pk]

    # Again: nothing left to do, nothing changes.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("replay_erasures", stdout=(out := io.StringIO()))
    assert "0 restored user(s)" in out.getvalue()
    assert Path(settings.ERASURE_LOG_PATH).read_text().count("\n") == 1
