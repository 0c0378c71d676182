"""The account page, "Download my data", "Delete my account" and purge_deleted_accounts."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.encryption import decrypt_bytes
from accounts.models import AuditEntry, User
from accounts.registry import owner_models
from tests.conftest import PASSWORD
from tests.owned_data import owned_data_build, owned_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_users_with_everything(user, other_user):
    owned_data_build(user)
    owned_data_build(other_user)
    return user, other_user


def _export(client) -> tuple[dict, dict[str, bytes]]:
    response = client.post("/accounts/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = {name: archive.read(name) for name in archive.namelist() if name.startswith("files/")}
    return json.loads(archive.read("data.json")), files


def test_it_shows_details_and_usage_meters(owner_client, user):
    user.searches_used = 3
    user.save()

    response = owner_client.get("/accounts/")

    assert response.status_code == 200
    assert b"Grant searches: 3 of 5" in response.content
    assert b'<meter id="searches-meter" min="0" max="5" value="3">' in response.content
    assert user.email.encode() in response.content


def test_it_asks_anonymous_visitors_to_sign_in(client):
    for path in ["/accounts/", "/accounts/delete/"]:
        assert client.get(path)["Location"].startswith("/accounts/login/?next=")
    assert client.post("/accounts/export/").status_code == 302


def test_it_exports_every_owned_row_and_file_and_nothing_of_another_user(client, two_users_with_everything):
    owner, other = two_users_with_everything
    client.force_login(owner)

    data, files = _export(client)

    exported = data["data"]
    for entry in owner_models:
        pk_names = [field.attname for field in entry.model._meta.pk_fields]
        in_db = {tuple(row) for row in entry.rows_of(owner).values_list(*pk_names)}
        in_export = {tuple(row[name] for name in pk_names) for row in exported[entry.label]}
        assert in_db, f"{entry.label}: the fixture made no row, so the export is not proven for it"
        assert in_export == in_db, entry.label
        theirs = {tuple(row) for row in entry.rows_of(other).values_list(*pk_names)}
        assert not in_export & theirs, entry.label
    own_files = {f"files/{name}" for entry in owner_models for name in entry.file_names_of(owner)}
    assert own_files and set(files) == own_files
    for name, content in files.items():
        stored = (Path(settings.MEDIA_ROOT) / name.removeprefix("files/")).read_bytes()
        assert content != stored and content == decrypt_bytes(stored)  # clear in the export, not on disk
        assert content.startswith(b"Annual report of ")
    text = json.dumps(data)
    assert other.email not in text
    assert "secret-token" not in text  # the Auth0 tokens are not exported
    assert "password" not in exported["accounts.user"][0]


def test_it_deletes_nothing_when_the_confirmation_is_wrong(owner_client, user):
    response = owner_client.post("/accounts/delete/", {"confirm_email": "someone@else.com"})

    assert response.status_code == 400
    assert b"Nothing has been deleted" in response.content
    user.refresh_from_db()
    assert user.is_active and user.deactivated_at is None


def test_it_closes_the_account_at_once_and_signs_out_everywhere(client, owner_client, user, settings):
    settings.ALLOW_PASSWORD_LOGIN = True
    second_device = Client()
    second_device.force_login(user)

    response = owner_client.post("/accounts/delete/", {"confirm_email": user.email.upper()})

    assert response["Location"] == "/"
    user.refresh_from_db()
    assert not user.is_active and user.deactivated_at is not None
    assert "_auth_user_id" not in owner_client.session
    assert second_device.get("/accounts/").status_code == 302
    assert second_device.get("/api/users/me").status_code == 401
    assert not Client().login(username=user.email, password=PASSWORD)


def test_it_hides_deleted_accounts_from_the_admin_user_list(staff_client, user, other_user):
    services.account_delete(user=user)

    listed = staff_client.get("/admin/accounts/user/")
    pending = staff_client.get("/admin/accounts/user/?account=deleted")

    assert user.email.encode() not in listed.content and other_user.email.encode() in listed.content
    assert user.email.encode() in pending.content and other_user.email.encode() not in pending.content


def test_it_purges_after_the_grace_period_leaving_other_users_identical(
    two_users_with_everything, staff_user, django_capture_on_commit_callbacks, rf
):
    owner, other = two_users_with_everything
    request = rf.get("/admin/")
    request.user = staff_user
    request.META["REMOTE_ADDR"] = "10.0.0.9"
    services.audit_record(
        request=request, action="view", target_user=owner, object_type="accounts.user", object_id=str(owner.pk)
    )
    owner_files = [Path(settings.MEDIA_ROOT) / name for name in services.account_file_names(user=owner)]
    assert owner_files and all(path.exists() for path in owner_files)
    other_before = owned_snapshot(other.pk)
    services.account_delete(user=owner)

    # Inside the grace period nothing goes.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_deleted_accounts", stdout=io.StringIO())
    assert User.objects.filter(pk=owner.pk).exists()
    assert all(path.exists() for path in owner_files)

    User.objects.filter(pk=owner.pk).update(
        deactivated_at=timezone.now() - timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS, seconds=1)
    )
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_deleted_accounts", stdout=out)

    assert "Purged 1 account" in out.getvalue()
    assert all(not rows for key, rows in owned_snapshot(owner.pk).items() if not key.startswith("file:"))
    assert not any(path.exists() for path in owner_files)
    assert owned_snapshot(other.pk) == other_before
    entry = AuditEntry.objects.get()
    assert entry.target_user is None and owner.email not in entry.target_user_email
    assert entry.actor_email == staff_user.email


def test_it_keeps_files_when_the_purge_fails(
    two_users_with_everything, monkeypatch, django_capture_on_commit_callbacks
):
    owner, _ = two_users_with_everything
    owner_files = [Path(settings.MEDIA_ROOT) / name for name in services.account_file_names(user=owner)]
    services.account_delete(user=owner)
    User.objects.filter(pk=owner.pk).update(deactivated_at=timezone.now() - timedelta(days=400))

    def explode(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(User, "delete", explode)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.accounts_purge_deleted()

    assert User.objects.filter(pk=owner.pk).exists()
    assert all(path.exists() for path in owner_files)
