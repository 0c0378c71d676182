"""Encryption at rest: ciphertext in PostgreSQL and on disk, clear text on pages and in exports,
key rotation over every row and file, and production refusing to start without a key."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from profiles import services
from profiles.models import Passage
from profiles.selectors import passage_search

pytestmark = pytest.mark.django_db

MISSION = "We bring broadband and digital skills to rural Louisiana parishes."
SERVICES = "Community Wi-Fi, digital literacy classes and device lending."
NARRATIVE = "Founded after the 2016 floods, we have connected 3,000 households."
DOCUMENT = b"Our annual report: the parish library hotspot programme reached 400 homes.\n"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def _raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _raw_profile(user) -> tuple[str, str, str]:
    return _raw(
        "SELECT mission_statement, service_description, narrative_text FROM business_profiles WHERE user_id = %s",
        [user.pk],
    )[0]


def _raw_passages() -> list[str]:
    return [text for (text,) in _raw("SELECT text FROM profile_passages ORDER BY id")]


def _stored_file(document) -> bytes:
    return (Path(settings.MEDIA_ROOT) / "documents" / document.storage_name).read_bytes()


@pytest.fixture
def filled(user):
    profile = services.profile_save(
        user=user,
        data={
            "business_name": "Bayou Connect",
            "organization_type": "nonprofit",
            "mission_statement": MISSION,
            "service_description": SERVICES,
            "narrative_text": NARRATIVE,
        },
    )
    document = services.document_upload(user=user, uploaded_file=SimpleUploadedFile("report.txt", DOCUMENT))
    return profile, document


def _decrypts_only_with(token: bytes, key: str, not_key: str) -> bytes:
    with pytest.raises(InvalidToken):
        Fernet(not_key).decrypt(token)
    return Fernet(key).decrypt(token)


def test_profile_text_passages_and_files_are_ciphertext_in_postgresql_and_on_disk(user, filled):
    _profile, document = filled
    key = settings.ENCRYPTION_KEYS[0]

    raw = _raw_profile(user)
    for clear, stored in zip([MISSION, SERVICES, NARRATIVE], raw, strict=True):
        assert clear not in stored and "broadband" not in stored
        assert Fernet(key).decrypt(stored.encode()).decode() == clear
    passages = _raw_passages()
    assert passages and all(text.startswith("gAAAAA") for text in passages)
    assert not any("broadband" in text or "hotspot" in text for text in passages)
    stored = _stored_file(document)
    assert DOCUMENT not in stored and b"hotspot" not in stored
    assert Fernet(key).decrypt(stored) == DOCUMENT
    # The derived full-text vector stays in clear, so retrieval still finds the passages.
    found = passage_search(profile=filled[0], terms=["hotspot"], limit=5)
    assert [p.text for p in found] == [DOCUMENT.decode().strip()]


def test_pages_downloads_and_exports_show_clear_text(owner_client, user, filled):
    _profile, document = filled

    page = owner_client.get("/profile/").content.decode()
    assert MISSION in page and SERVICES in page and NARRATIVE in page

    download = owner_client.get(f"/profile/documents/{document.pk}/download/")
    assert b"".join(download.streaming_content) == DOCUMENT

    archive = zipfile.ZipFile(io.BytesIO(owner_client.post("/accounts/export/").content))
    data = json.loads(archive.read("data.json"))
    exported = data["data"]["profiles.businessprofile"][0]
    assert (exported["mission_statement"], exported["narrative_text"]) == (MISSION, NARRATIVE)
    assert any("hotspot" in row["text"] for row in data["data"]["profiles.passage"])
    assert archive.read(f"files/documents/{document.storage_name}") == DOCUMENT


def test_key_rotation_re_encrypts_every_row_and_file(settings, owner_client, user, other_user, filled):
    # Rows and files under two older keys: the test key (``filled``) and then KEY_A.
    test_key = settings.ENCRYPTION_KEYS[0]
    settings.ENCRYPTION_KEYS = [KEY_A, test_key]
    services.profile_save(user=other_user, data={"business_name": "Other", "mission_statement": "Other's mission."})
    document = services.document_upload(user=user, uploaded_file=SimpleUploadedFile("b.txt", b"Second file.\n"))

    settings.ENCRYPTION_KEYS = [KEY_B, KEY_A, test_key]
    out = io.StringIO()
    call_command("rotate_encryption_keys", "--batch-size", "2", stdout=out)

    rows = _raw("SELECT mission_statement, service_description, narrative_text FROM business_profiles")
    values = [value for row in rows for value in row if value] + _raw_passages()
    assert len(values) > 6
    for value in values:
        _decrypts_only_with(value.encode(), KEY_B, KEY_A)
        _decrypts_only_with(value.encode(), KEY_B, test_key)
    for stored_document in (filled[1], document):
        _decrypts_only_with(_stored_file(stored_document), KEY_B, KEY_A)
        _decrypts_only_with(_stored_file(stored_document), KEY_B, test_key)
    assert f"{len(_raw_passages()) + len(rows)} row(s) and 2 file(s)" in out.getvalue()

    # Only the new key is left: everything still reads in clear.
    settings.ENCRYPTION_KEYS = [KEY_B]
    page = owner_client.get("/profile/").content.decode()
    assert MISSION in page and NARRATIVE in page
    download = owner_client.get(f"/profile/documents/{document.pk}/download/")
    assert b"".join(download.streaming_content) == b"Second file.\n"
    assert Passage.objects.filter(profile__user=other_user).exists()


def _production_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "ENCRYPTION_"))}
    clean.update({"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "grantfinder.settings", **env})
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_a_real_key():
    missing = _production_settings({})
    assert missing.returncode != 0 and "Set ENCRYPTION_KEYS" in missing.stderr
    development = _production_settings({"ENCRYPTION_KEYS": settings.DEV_ENCRYPTION_KEY})
    assert development.returncode != 0 and "public development key" in development.stderr
    malformed = _production_settings({"ENCRYPTION_KEYS": "not-a-fernet-key"})
    assert malformed.returncode != 0
    assert _production_settings({"ENCRYPTION_KEYS": f"{KEY_B},{KEY_A}"}).returncode == 0
