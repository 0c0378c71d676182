# Encryption at rest of the profile's free text, the passages and the document files.
#
# Forward: the passages' search vector stops being a generated column (it would be computed from
# ciphertext) and becomes a plain column filled from the clear text, then every existing value
# and file is encrypted under the newest key of ENCRYPTION_KEYS. Backward decrypts them exactly
# and restores the generated column. Values are read and written with raw SQL, because the
# historical models' fields already encrypt and decrypt. File steps skip files already in the
# wanted state, so a rerun after a failure (files are outside the transaction) is safe.

from pathlib import Path

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models

import accounts.fields

COLUMNS = {
    "business_profiles": ["mission_statement", "service_description", "narrative_text"],
    "profile_passages": ["text"],
}


def _convert_rows(schema_editor, convert):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns in COLUMNS.items():
            cursor.execute(f"SELECT id, {', '.join(map(quote, columns))} FROM {quote(table)} ORDER BY id")
            rows = cursor.fetchall()
            cursor.executemany(
                f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = %s' for c in columns)} WHERE id = %s",
                [[convert(value) if value else value for value in values] + [pk] for pk, *values in rows],
            )


def _document_paths(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT storage_name FROM profile_documents ORDER BY id")
        names = [name for (name,) in cursor.fetchall()]
    root = Path(settings.MEDIA_ROOT) / "documents"
    return [root / name for name in names if (root / name).is_file()]


def encrypt(apps, schema_editor):
    from accounts.encryption import InvalidToken, decrypt_bytes, encrypt_bytes, encrypt_text

    _convert_rows(schema_editor, encrypt_text)
    for path in _document_paths(schema_editor):
        data = path.read_bytes()
        try:
            decrypt_bytes(data)
            continue  # encrypted by an earlier, interrupted run
        except InvalidToken:
            pass
        path.write_bytes(encrypt_bytes(data))


def decrypt(apps, schema_editor):
    from accounts.encryption import InvalidToken, decrypt_bytes, decrypt_text

    _convert_rows(schema_editor, decrypt_text)
    for path in _document_paths(schema_editor):
        try:
            data = decrypt_bytes(path.read_bytes())
        except InvalidToken:
            continue  # already clear
        path.write_bytes(data)


class Migration(migrations.Migration):

    dependencies = [
        ('profiles', '0002_documents_and_passages'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='passage', name='ix_profile_passages_search'),
        migrations.RemoveField(model_name='passage', name='search'),
        migrations.AddField(
            model_name='passage',
            name='search',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        # The same vector the generated column held, from the text while it is still clear.
        migrations.RunSQL(
            "UPDATE profile_passages SET search = to_tsvector('english'::regconfig, COALESCE(text, ''))",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name='passage',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search'], name='ix_profile_passages_search'),
        ),
        migrations.AlterField(
            model_name='businessprofile',
            name='mission_statement',
            field=accounts.fields.EncryptedTextField(blank=True, default=''),
        ),
        migrations.AlterField(
            model_name='businessprofile',
            name='narrative_text',
            field=accounts.fields.EncryptedTextField(blank=True, default='', max_length=2000),
        ),
        migrations.AlterField(
            model_name='businessprofile',
            name='service_description',
            field=accounts.fields.EncryptedTextField(blank=True, default=''),
        ),
        migrations.AlterField(
            model_name='passage',
            name='text',
            field=accounts.fields.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
