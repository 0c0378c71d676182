"""Writes to profiles and documents: saving a profile, uploading, deleting, (re)indexing passages."""

from __future__ import annotations

import io
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone

from accounts.encryption import decrypt_bytes, encrypt_bytes
from profiles.documents import DocumentRejected, check_document, display_name
from profiles.models import DOCUMENTS_MAX_TOTAL_BYTES, BusinessProfile, Document, Passage
from profiles.passages import split_passages

logger = logging.getLogger(__name__)

PROFILE_FIELDS = [
    "business_name",
    "organization_type",
    "mission_statement",
    "service_description",
    "website_url",
    "target_sectors",
    "revenue_range",
    "years_in_operation",
    "geographic_focus",
    "team_size",
    "narrative_text",
]


def document_storage() -> FileSystemStorage:
    """Where document files live: under MEDIA_ROOT, which no URL serves (downloads go through a view).

    Each file holds the upload encrypted (a Fernet token, ``accounts.encryption``); read them
    through ``document_open``.
    """
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "documents", base_url=None)


@transaction.atomic
def profile_save(*, user, data: dict) -> BusinessProfile:
    """Create or update the user's profile from validated ``data`` and re-index its passages."""
    profile = BusinessProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        profile = BusinessProfile(user=user)
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(profile, field, data[field])
    profile.save()
    profile_passages_rebuild(profile=profile)
    return profile


def _profile_texts(profile: BusinessProfile) -> list[tuple[str, str]]:
    facts = [f"{profile.business_name} is a {profile.get_organization_type_display() or 'organisation'}"]
    if profile.geographic_focus:
        facts.append(f"serving {profile.geographic_focus}")
    if profile.target_sectors:
        facts.append(f"in {', '.join(profile.target_sectors)}")
    if profile.years_in_operation is not None:
        facts.append(f"for {profile.years_in_operation} years")
    if profile.team_size is not None:
        facts.append(f"with a team of {profile.team_size}")
    if profile.revenue_range:
        facts.append(f"and annual revenue of {profile.revenue_range}")
    return [
        ("Profile: organisation facts", " ".join(facts) + "."),
        ("Profile: mission statement", profile.mission_statement),
        ("Profile: services", profile.service_description),
        ("Profile: narrative", profile.narrative_text),
    ]


def profile_passages_rebuild(*, profile: BusinessProfile) -> None:
    """Replace the passages taken from the profile's own fields (documents keep theirs)."""
    Passage.objects.filter(profile=profile, document__isnull=True).delete()
    passages = []
    for label, text in _profile_texts(profile):
        for position, passage in enumerate(split_passages(text)):
            passages.append(Passage.indexed(profile=profile, source_label=label, position=position, text=passage))
    Passage.objects.bulk_create(passages)
    profile.embeddings_generated_at = timezone.now()
    profile.save(update_fields=["embeddings_generated_at", "updated_at"])


def _documents_summary(profile: BusinessProfile) -> list[dict]:
    # The legacy ``uploaded_documents`` column keeps a readable list for the admin and exports.
    return [
        {"id": d.pk, "name": d.original_name, "kind": d.kind, "size_bytes": d.size_bytes}
        for d in profile.documents.order_by("id")
    ]


def document_upload(*, user, uploaded_file) -> Document:
    """Check, store, extract and index one upload; ``DocumentRejected`` leaves nothing behind."""
    profile = BusinessProfile.objects.filter(user=user).first()
    if profile is None:
        raise DocumentRejected("Save your business profile before uploading documents.")
    size = uploaded_file.size or 0
    if profile.documents_total_size_bytes + size > DOCUMENTS_MAX_TOTAL_BYTES:
        raise DocumentRejected(over_limit_message(profile.documents_total_size_bytes))
    data = uploaded_file.read(DOCUMENTS_MAX_TOTAL_BYTES + 1)
    name = display_name(getattr(uploaded_file, "name", ""))
    checked = check_document(data=data, name=name)

    storage = document_storage()
    storage_name = f"{uuid.uuid4().hex}.{checked.kind}"
    with transaction.atomic():
        # Locked, then counted again: two uploads at once must not both fit under the limit.
        profile = BusinessProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.documents_total_size_bytes + len(data) > DOCUMENTS_MAX_TOTAL_BYTES:
            raise DocumentRejected(over_limit_message(profile.documents_total_size_bytes))
        saved_name = storage.save(storage_name, ContentFile(encrypt_bytes(data)))
        try:
            document = Document.objects.create(
                profile=profile,
                original_name=name,
                storage_name=saved_name,
                kind=checked.kind,
                size_bytes=len(data),
                text_length=len(checked.text),
            )
            Passage.objects.bulk_create(
                Passage.indexed(
                    profile=profile,
                    document=document,
                    source_label=f"Document: {name}",
                    position=position,
                    text=text,
                )
                for position, text in enumerate(split_passages(checked.text))
            )
            profile.documents_total_size_bytes += len(data)
            profile.uploaded_documents = _documents_summary(profile)
            profile.embeddings_generated_at = timezone.now()
            profile.save(update_fields=["documents_total_size_bytes", "uploaded_documents", "embeddings_generated_at"])
        except BaseException:
            storage.delete(saved_name)
            raise
    return document


def over_limit_message(used: int) -> str:
    left = max(DOCUMENTS_MAX_TOTAL_BYTES - used, 0)
    return (
        f"Your documents may total at most 10 MB; you have {left / (1024 * 1024):.1f} MB left. "
        "Delete a document or upload a smaller file."
    )


def document_delete(*, document: Document) -> None:
    """Delete the row, its passages and, once that is committed, its file."""
    storage = document_storage()
    storage_name = document.storage_name
    with transaction.atomic():
        profile = BusinessProfile.objects.select_for_update().get(pk=document.profile_id)
        document.delete()
        profile.documents_total_size_bytes = max(profile.documents_total_size_bytes - document.size_bytes, 0)
        profile.uploaded_documents = _documents_summary(profile)
        profile.embeddings_generated_at = timezone.now()
        profile.save(update_fields=["documents_total_size_bytes", "uploaded_documents", "embeddings_generated_at"])
        transaction.on_commit(lambda: _delete_file(storage, storage_name))


def _delete_file(storage: FileSystemStorage, storage_name: str) -> None:
    try:
        storage.delete(storage_name)
    except OSError:
        logger.exception("Could not delete document file %s", storage_name)


def document_open(*, document: Document) -> io.BytesIO:
    """The document's clear bytes as a file (at most 10 MB, so decrypting in memory is fine)."""
    with document_storage().open(document.storage_name, "rb") as stored:
        return io.BytesIO(decrypt_bytes(stored.read()))
