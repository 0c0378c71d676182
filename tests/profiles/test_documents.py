import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.encryption import decrypt_bytes
from profiles import services
from profiles.documents import DocumentRejected
from profiles.models import DOCUMENTS_MAX_TOTAL_BYTES, BusinessProfile, Document, Passage
from tests.profiles.files import make_docx, make_pdf, make_zip_bomb_docx

pytestmark = pytest.mark.django_db

HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def raw_named(name: str, data: bytes) -> SimpleUploadedFile:
    """An upload whose name skipped Django's own clean-up, as a hostile client could make it."""
    uploaded = SimpleUploadedFile("placeholder.txt", data)
    uploaded._name = name
    return uploaded


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def everything_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("name", "data", "kind", "phrase"),
    [
        ("plan.txt", b"Our broadband plan reaches 400 homes.", "txt", "broadband plan"),
        ("plan.pdf", make_pdf("Our broadband plan reaches 400 homes."), "pdf", "broadband plan"),
        ("plan.docx", make_docx("Our broadband plan reaches 400 homes."), "docx", "broadband plan"),
    ],
)
def test_it_stores_extracts_and_indexes_each_kind(settings, user, profile, name, data, kind, phrase):
    document = services.document_upload(user=user, uploaded_file=upload(name, data))
    assert document.kind == kind
    assert document.original_name == name
    assert document.storage_name.endswith(f".{kind}") and document.storage_name != name
    stored = (Path(settings.MEDIA_ROOT) / "documents" / document.storage_name).read_bytes()
    assert data not in stored and stored.startswith(b"gAAAAA")  # a Fernet token, not the upload
    assert decrypt_bytes(stored) == data
    passages = Passage.objects.filter(document=document)
    assert passages.count() == 1
    assert phrase in passages.get().text
    profile.refresh_from_db()
    assert profile.documents_total_size_bytes == len(data)
    assert profile.embeddings_generated_at is not None
    assert profile.uploaded_documents == [{"id": document.pk, "name": name, "kind": kind, "size_bytes": len(data)}]


def test_it_rejects_one_byte_over_the_total_limit_and_stores_nothing(settings, user, profile):
    profile.documents_total_size_bytes = DOCUMENTS_MAX_TOTAL_BYTES - 10
    profile.save()
    with pytest.raises(DocumentRejected, match="at most 10 MB"):
        services.document_upload(user=user, uploaded_file=upload("notes.txt", b"x" * 11))
    assert stored_files(settings) == []
    assert not Document.objects.exists()
    profile.refresh_from_db()
    assert profile.documents_total_size_bytes == DOCUMENTS_MAX_TOTAL_BYTES - 10
    # Exactly at the limit is allowed.
    services.document_upload(user=user, uploaded_file=upload("notes.txt", b"x" * 10))
    profile.refresh_from_db()
    assert profile.documents_total_size_bytes == DOCUMENTS_MAX_TOTAL_BYTES


def test_it_rejects_a_single_file_one_byte_over_10_mb_through_the_page(settings, owner_client, profile):
    data = b"a" * (DOCUMENTS_MAX_TOTAL_BYTES + 1)
    response = owner_client.post("/profile/documents/", {"file": upload("big.txt", data)}, follow=True)
    assert "Not uploaded: Your documents may total at most 10 MB" in response.content.decode()
    assert stored_files(settings) == []
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", HTML_PAGE, "web-page markup (HTML)"),
        ("report.txt", b"Quarterly report\n<script>alert(1)</script>", "web-page markup (HTML)"),
        ("report.pdf", make_pdf("Annual report") + HTML_PAGE, "web-page markup (HTML)"),
        ("report.pdf", make_pdf("Annual report") + make_docx("hidden"), "also contains a zip archive"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "not a PDF, a Word document"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a PDF, a Word document"),
        ("report.pdf", b"Just some text that claims to be a PDF.", "named .pdf but its content is Plain text"),
        ("report.docx", make_pdf("Annual report"), "named .docx but its content is PDF"),
        ("report.exe", b"plain words", "Only PDF, DOCX and TXT files"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "damaged"),
        (
            "archive.docx",
            make_zip_bomb_docx(inflated_bytes=10).replace(b"word/document.xml", b"word/documenX.xml"),
            "not a Word document",
        ),
        ("bomb.docx", make_zip_bomb_docx(inflated_bytes=8 * 1024 * 1024), "zip bomb"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_it_rejects_files_by_their_content_and_stores_nothing(settings, user, profile, name, data, message):
    with pytest.raises(DocumentRejected, match=re.escape(message)):
        services.document_upload(user=user, uploaded_file=upload(name, data))
    assert stored_files(settings) == []
    assert not Document.objects.exists()
    assert not Passage.objects.filter(document__isnull=False).exists()
    profile.refresh_from_db()
    assert profile.documents_total_size_bytes == 0


def test_it_rejects_a_zip_bomb_that_declares_more_than_40_mb(user, profile, monkeypatch):
    # Declared sizes are what zipfile honours; a bomb declaring 50 MB is refused before inflating.
    monkeypatch.setattr("profiles.documents.DOCX_MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    with pytest.raises(DocumentRejected, match="expands to more than"):
        services.document_upload(
            user=user, uploaded_file=upload("bomb.docx", make_zip_bomb_docx(inflated_bytes=2 * 1024 * 1024))
        )


def test_it_shows_an_html_file_named_pdf_as_rejected_on_the_page(settings, owner_client, profile):
    response = owner_client.post("/profile/documents/", {"file": upload("cv.pdf", HTML_PAGE)}, follow=True)
    assert "Not uploaded: This file contains web-page markup (HTML)" in response.content.decode()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("raw_name", "shown"),
    [
        ("../../x.txt", "x.txt"),
        ("..\\..\\windows\\x.txt", "x.txt"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("evil\x00.txt", "evil.txt"),
        ("a" * 300 + ".txt", "a" * 251 + ".txt"),
        ("..", "document"),
    ],
)
def test_it_never_lets_the_uploaded_name_reach_the_filesystem(settings, tmp_path, user, profile, raw_name, shown):
    before = everything_under(tmp_path)
    document = services.document_upload(user=user, uploaded_file=raw_named(raw_name, b"Plain words."))
    assert document.original_name == shown
    documents_dir = Path(settings.MEDIA_ROOT) / "documents"
    assert stored_files(settings) == [documents_dir / document.storage_name]
    assert everything_under(tmp_path) == sorted([*before, documents_dir / document.storage_name])
    assert len(document.storage_name) == 32 + len(".txt")


def test_it_asks_for_a_profile_before_documents(user):
    with pytest.raises(DocumentRejected, match="Save your business profile"):
        services.document_upload(user=user, uploaded_file=upload("a.txt", b"words"))


def test_it_serves_the_download_to_its_owner_as_an_attachment(owner_client, user, profile):
    document = services.document_upload(user=user, uploaded_file=upload("plan.pdf", make_pdf("Plan")))
    response = owner_client.get(f"/profile/documents/{document.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == make_pdf("Plan")


def test_it_answers_404_to_another_user_on_download_and_delete(settings, other_client, user, profile):
    document = services.document_upload(user=user, uploaded_file=upload("plan.txt", b"Secret plan"))
    assert other_client.get(f"/profile/documents/{document.pk}/download/").status_code == 404
    assert other_client.post(f"/profile/documents/{document.pk}/delete/").status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()
    assert len(stored_files(settings)) == 1
    assert "plan.txt" not in other_client.get("/profile/").content.decode()


def test_it_does_not_serve_the_raw_storage_path(client, owner_client, user, profile):
    document = services.document_upload(user=user, uploaded_file=upload("plan.txt", b"Secret plan"))
    for path in (f"/media/documents/{document.storage_name}", f"/documents/{document.storage_name}"):
        assert owner_client.get(path).status_code == 404


def test_it_deletes_the_document_its_passages_and_its_file(
    settings, owner_client, user, profile, django_capture_on_commit_callbacks
):
    document = services.document_upload(user=user, uploaded_file=upload("plan.txt", b"Broadband plan"))
    path = Path(settings.MEDIA_ROOT) / "documents" / document.storage_name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/profile/documents/{document.pk}/delete/")
    assert response.status_code == 302
    assert not path.exists()
    assert not Document.objects.exists()
    assert not Passage.objects.filter(document_id=document.pk).exists()
    profile.refresh_from_db()
    assert profile.documents_total_size_bytes == 0
    assert profile.uploaded_documents == []


def test_it_uploads_through_the_page_and_lists_the_document(owner_client, user, profile):
    response = owner_client.post(
        "/profile/documents/", {"file": upload("story.docx", make_docx("We trained 300 seniors."))}, follow=True
    )
    body = response.content.decode()
    assert "“story.docx” is uploaded and indexed." in body
    assert "story.docx" in body
    assert BusinessProfile.objects.get(user=user).documents.count() == 1


def test_it_stops_storing_an_upload_once_it_passes_the_remaining_allowance(owner_client, profile, monkeypatch):
    profile.documents_total_size_bytes = DOCUMENTS_MAX_TOTAL_BYTES - 10
    profile.save()

    def never(**kwargs):
        raise AssertionError("the oversized file reached the upload service")

    # The upload handler drops the file while the body is read; nothing gets as far as the service.
    monkeypatch.setattr(services, "document_upload", never)
    response = owner_client.post("/profile/documents/", {"file": upload("notes.txt", b"x" * 11)}, follow=True)
    assert "Not uploaded: Your documents may total at most 10 MB; you have 0.0 MB left." in response.content.decode()
    assert not Document.objects.exists()


def test_it_still_checks_csrf_on_uploads(user, profile, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/profile/documents/", {"file": upload("notes.txt", b"words")})
    assert response.status_code == 403
    assert not Document.objects.exists()
    assert stored_files(settings) == []
