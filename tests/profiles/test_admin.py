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
