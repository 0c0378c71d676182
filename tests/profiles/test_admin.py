import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles.services import document_upload
from tests.factories import BusinessProfileFactory

pytestmark = pytest.mark.django_db


def test_it_lists_documents_and_passages_read_only_for_staff(staff_client, user):
    BusinessProfileFactory(user=user)
    document = document_upload(user=user, uploaded_file=SimpleUploadedFile("plan.txt", b"Our broadband plan."))
    assert "plan.txt" in staff_client.get("/admin/profiles/document/").content.decode()
    assert staff_client.get(f"/admin/profiles/document/{document.pk}/change/").status_code == 200
    assert staff_client.get("/admin/profiles/document/add/").status_code == 403
    assert "Document: plan.txt #0" in staff_client.get("/admin/profiles/passage/?q=broadband").content.decode()


def test_staff_opening_a_users_profile_or_document_is_audited_and_staff_without_permission_get_403(
    client, staff_client, staff_user, user
):
    """Bar line 16 on the records it names: the profile and a document, with actor, object, time and IP."""
    from django.contrib.auth.models import Permission

    from accounts.models import AuditAction, AuditEntry
    from tests.factories import UserFactory

    profile = BusinessProfileFactory(user=user)
    document = document_upload(user=user, uploaded_file=SimpleUploadedFile("plan.txt", b"Our broadband plan."))
    pages = {
        "profiles.businessprofile": (f"/admin/profiles/businessprofile/{profile.pk}/change/", profile.pk),
        "profiles.document": (f"/admin/profiles/document/{document.pk}/change/", document.pk),
    }

    for object_type, (path, pk) in pages.items():
        assert staff_client.get(path, REMOTE_ADDR="198.51.100.4").status_code == 200
        entry = AuditEntry.objects.filter(object_type=object_type).get()
        assert (entry.actor, entry.target_user, entry.action, entry.object_id) == (
            staff_user, user, AuditAction.VIEW, str(pk),
        )  # fmt: skip
        assert entry.ip_address == "198.51.100.4" and entry.at is not None

    clerk = UserFactory(is_staff=True, is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_grant"))
    client.force_login(clerk)
    audited = AuditEntry.objects.count()
    for path, _pk in pages.values():
        assert client.get(path).status_code == 403
    assert AuditEntry.objects.count() == audited
