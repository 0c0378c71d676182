"""The staff admin: the user list, its actions, the audit log of what staff open, and who gets in."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client

from accounts import services
from accounts.models import AuditAction, AuditEntry
from tests.factories import GrantFactory, UserFactory
from tests.owned_data import owned_data_build, owned_snapshot

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"


def _action(client, action: str, *users):
    return client.post(USERS, {"action": action, "_selected_action": [u.pk for u in users]})


def test_it_lists_users_with_usage_against_limits(staff_client, user):
    user.searches_used, user.applications_used = 3, 1
    user.save()

    response = staff_client.get(USERS)

    content = response.content.decode()
    assert response.status_code == 200
    assert "3/5" in content and "1/1" in content
    for column in [
        "E-mail",
        "Full name",
        "Company name",
        "Subscription tier",
        "Searches",
        "Applications",
        "Last login",
    ]:
        assert column.lower() in content.lower(), column


def test_it_searches_by_auth0_id_and_filters_by_tier(staff_client, user, other_user):
    user.auth0_id = "auth0|findme"
    user.save()

    found = staff_client.get(USERS, {"q": "auth0|findme"}).content.decode()
    basic = staff_client.get(USERS, {"subscription_tier__exact": "basic"}).content.decode()

    assert user.email in found and other_user.email not in found
    assert user.email not in basic


def test_it_resets_usage_and_audits_it(staff_client, staff_user, user, other_user):
    user.searches_used, user.applications_used = 4, 1
    user.save()
    other_user.searches_used = 2
    other_user.save()

    _action(staff_client, "reset_usage", user)

    user.refresh_from_db()
    other_user.refresh_from_db()
    assert (user.searches_used, user.applications_used) == (0, 0)
    assert other_user.searches_used == 2
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.target_user, entry.action, entry.detail) == (
        staff_user,
        user,
        AuditAction.ACTION,
        "reset usage",
    )


def test_it_deactivates_and_reactivates(staff_client, user):
    device = Client()
    device.force_login(user)

    _action(staff_client, "deactivate", user)
    user.refresh_from_db()
    assert not user.is_active and user.deactivated_at is None  # deactivated, not scheduled for erasure
    assert device.get("/accounts/").status_code == 302

    _action(staff_client, "reactivate", user)
    user.refresh_from_db()
    assert user.is_active


def test_it_never_deactivates_the_staff_member_running_the_action(staff_client, staff_user):
    _action(staff_client, "deactivate", staff_user)

    staff_user.refresh_from_db()
    assert staff_user.is_active


def test_it_exports_one_users_data_and_audits_it(staff_client, user, other_user):
    GrantFactory(user=user, title="Owner's grant")
    GrantFactory(user=other_user, title="Other's grant")

    response = _action(staff_client, "export_data", user)

    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    assert [g["title"] for g in data["data"]["grants.grant"]] == ["Owner's grant"]
    assert AuditEntry.objects.get().action == AuditAction.EXPORT


def test_it_refuses_to_export_several_users_at_once(staff_client, user, other_user):
    response = _action(staff_client, "export_data", user, other_user)

    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


def test_it_audits_staff_opening_and_changing_a_user(staff_client, staff_user, user):
    page = staff_client.get(f"{USERS}{user.pk}/change/", REMOTE_ADDR="203.0.113.7")

    assert page.status_code == 200
    viewed = AuditEntry.objects.get()
    assert (viewed.actor, viewed.actor_email, viewed.target_user, viewed.target_user_email) == (
        staff_user,
        staff_user.email,
        user,
        user.email,
    )
    assert (viewed.action, viewed.object_type, viewed.object_id) == (AuditAction.VIEW, "accounts.user", str(user.pk))
    assert viewed.ip_address == "203.0.113.7"
    assert viewed.at is not None


def test_it_audits_staff_opening_another_apps_record_of_a_user(staff_client, user):
    grant = GrantFactory(user=user)

    assert staff_client.get(f"/admin/grants/grant/{grant.pk}/change/").status_code == 200

    entry = AuditEntry.objects.get()
    assert (entry.target_user, entry.object_type, entry.object_id) == (user, "grants.grant", str(grant.pk))


def test_it_shows_the_audit_log_read_only_even_to_superusers(staff_client, staff_user, user):
    staff_client.get(f"{USERS}{user.pk}/change/")
    entry = AuditEntry.objects.get()

    listing = staff_client.get("/admin/accounts/auditentry/")
    assert listing.status_code == 200 and user.email.encode() in listing.content
    assert b'value="delete_selected"' not in listing.content
    assert staff_client.get(f"/admin/accounts/auditentry/{entry.pk}/delete/").status_code == 403
    assert staff_client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert staff_client.get("/admin/accounts/auditentry/add/").status_code == 403
    staff_client.post(f"/admin/accounts/auditentry/{entry.pk}/change/", {"actor_email": "forged@example.com"})
    staff_client.post(
        "/admin/accounts/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    entry.refresh_from_db()
    assert entry.actor_email == staff_user.email
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_it_gives_non_staff_no_admin(owner_client, other_user):
    for path in ["/admin/", USERS, f"{USERS}{other_user.pk}/change/", "/admin/accounts/auditentry/"]:
        response = owner_client.get(path, follow=True)
        assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/admin/"), path
        assert b"cannot open the page you asked for" in response.content, path
        assert b"Grant Finder administration" not in response.content, path
    assert not AuditEntry.objects.exists()


def test_it_refuses_staff_without_permission_and_audits_nothing(client, user):
    clerk = UserFactory(is_staff=True, is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_grant"))
    client.force_login(clerk)

    assert client.get(f"{USERS}{user.pk}/change/").status_code == 403
    assert not AuditEntry.objects.exists()


def test_it_erases_a_user_deleted_in_the_admin_files_included(
    staff_client, user, other_user, django_capture_on_commit_callbacks
):
    owned_data_build(user)
    owned_data_build(other_user)
    files = [Path(settings.MEDIA_ROOT) / name for name in services.account_file_names(user=user)]
    other_before = owned_snapshot(other_user.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"{USERS}{user.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert all(not rows for key, rows in owned_snapshot(user.pk).items() if not key.startswith("file:"))
    assert files and not any(path.exists() for path in files)
    assert owned_snapshot(other_user.pk) == other_before
    deleted = AuditEntry.objects.get(action=AuditAction.DELETE)
    assert deleted.target_user is None and user.email not in deleted.object_repr + deleted.target_user_email
    assert not AuditEntry.objects.filter(target_user_email=user.email).exists()


def test_it_audits_staff_listing_and_searching_users_data(staff_client, staff_user, user):
    staff_client.get(USERS, {"q": user.email}, REMOTE_ADDR="203.0.113.8")
    staff_client.get("/admin/grants/grant/")
    staff_client.get("/admin/accounts/auditentry/")  # the audit log itself holds no user's data

    entries = list(AuditEntry.objects.order_by("id").values_list("action", "object_type", "detail", "actor_email"))
    assert entries == [
        (AuditAction.LIST, "accounts.user", f"q={user.email.replace('@', '%40')}", staff_user.email),
        (AuditAction.LIST, "grants.grant", "", staff_user.email),
    ]
    assert AuditEntry.objects.order_by("id").first().ip_address == "203.0.113.8"
