"""profiles 0003 encrypts existing profile text, passages and files, and its reverse gives back
exactly what was there (the rows byte for byte in ``pg_dump``, the files, the generated vector)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.migrations.support import manage, pg_dump, query, scalar, scratch_database

pytestmark = pytest.mark.migrations

# The development key: manage() runs with DJANGO_DEBUG=true and no ENCRYPTION_KEYS of its own.
DEV_KEY = "Z3JhbnRmaW5kZXItZGV2LWtleS1ub3Qtc2VjcmV0ISE="
MISSION = "Broadband for rural parishes, since 2016."
NARRATIVE = "We connected 3,000 households; ünïcödé and 'quotes' survive."
PASSAGE = "The parish library hotspot programme reached 400 homes."
FILE = b"%PDF-1.4 not really a pdf, but bytes to keep exactly\n\x00\x01\xff"
TABLES = ["business_profiles", "profile_documents", "profile_passages"]


def _dump(db: str) -> str:
    return pg_dump(db, "--data-only", *[f"--table={table}" for table in TABLES])


def test_it_encrypts_existing_rows_and_files_and_decrypts_them_back_exactly(tmp_path):
    env = {"MEDIA_ROOT": str(tmp_path), "ENCRYPTION_KEYS": DEV_KEY}
    stored = tmp_path / "documents" / "0123abcd.pdf"
    stored.parent.mkdir()
    stored.write_bytes(FILE)
    with scratch_database("gf_mig_crypt") as db:
        manage(db, "migrate", "accounts", env=env)
        manage(db, "migrate", "profiles", "0002", env=env)
        manage(
            db,
            "createsuperuser",
            "--noinput",
            env={**env, "DJANGO_SUPERUSER_EMAIL": "a@example.com", "DJANGO_SUPERUSER_PASSWORD": "x-9f8e7d6c"},
        )
        user_id = scalar(db, "SELECT id FROM users WHERE email = 'a@example.com'")
        profile_id = scalar(
            db,
            """
            INSERT INTO business_profiles (user_id, business_name, organization_type, mission_statement,
                service_description, website_url, target_sectors, revenue_range, geographic_focus, narrative_text,
                uploaded_documents, documents_total_size_bytes, vector_embeddings_id, created_at, updated_at)
            VALUES (%s, 'Bayou', 'nonprofit', %s, '', '', '[]', '', '', %s, '[]', 0, '', now(), now()) RETURNING id
            """,
            [user_id, MISSION, NARRATIVE],
        )
        document_id = scalar(
            db,
            """INSERT INTO profile_documents (profile_id, original_name, storage_name, kind, size_bytes, text_length,
                uploaded_at) VALUES (%s, 'r.pdf', '0123abcd.pdf', 'pdf', %s, 0, now()) RETURNING id""",
            [profile_id, len(FILE)],
        )
        query(
            db,
            """INSERT INTO profile_passages (profile_id, document_id, source_label, position, text)
               VALUES (%s, %s, 'Document: r.pdf', 0, %s) RETURNING id""",
            [profile_id, document_id, PASSAGE],
        )
        before = _dump(db)
        vector_before = scalar(db, "SELECT search::text FROM profile_passages")

        manage(db, "migrate", "profiles", "0003", env=env)

        mission, services, narrative = query(
            db, "SELECT mission_statement, service_description, narrative_text FROM business_profiles"
        )[0]
        assert services == ""  # empty stays empty
        assert MISSION not in mission and Fernet(DEV_KEY).decrypt(mission.encode()).decode() == MISSION
        assert Fernet(DEV_KEY).decrypt(narrative.encode()).decode() == NARRATIVE
        text, vector = query(db, "SELECT text, search::text FROM profile_passages")[0]
        assert "hotspot" not in text and Fernet(DEV_KEY).decrypt(text.encode()).decode() == PASSAGE
        assert vector == vector_before  # the derived index, computed from the clear text
        assert FILE not in stored.read_bytes() and Fernet(DEV_KEY).decrypt(stored.read_bytes()) == FILE

        manage(db, "migrate", "profiles", "0002", env=env)

        assert _dump(db) == before
        assert stored.read_bytes() == FILE
        assert (
            scalar(
                db,
                "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'profile_passages'::regclass "
                "AND attname = 'search'",
            )
            == "s"
        )
        assert scalar(db, "SELECT search::text FROM profile_passages") == vector_before
