"""Key rotation: re-encrypt every encrypted column and file under the newest key (``accounts.encryption``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from accounts.encryption import rotate_file, rotate_token
from accounts.fields import EncryptedTextField
from accounts.registry import owner_models


@dataclass
class RotationReport:
    rows: int = 0
    files: int = 0


def encrypted_columns() -> list[tuple[type[models.Model], list]]:
    """Each model with ``EncryptedTextField`` columns, and those fields."""
    found = []
    for model in apps.get_models():
        fields = [field for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def encryption_keys_rotate(*, batch_size: int = 500) -> RotationReport:
    """Re-encrypt every encrypted column and file under the newest key of ``ENCRYPTION_KEYS``.

    Rows go in primary-key batches, each locked and rewritten in its own transaction, so a long
    run never holds the whole table and a rerun after an interruption simply carries on (tokens
    already under the newest key are re-encrypted again, harmlessly). Files are replaced whole.
    """
    report = RotationReport()
    quote = connection.ops.quote_name
    for model, fields in encrypted_columns():
        pk_column = model._meta.pk.column
        assert pk_column is not None  # a concrete model's primary key has a column
        table, pk = quote(model._meta.db_table), quote(pk_column)
        columns = [quote(field.column) for field in fields]
        update = f"UPDATE {table} SET {', '.join(f'{column} = %s' for column in columns)} WHERE {pk} = %s"
        last = None
        while True:
            after = "" if last is None else f"WHERE {pk} > %s"
            select = f"SELECT {pk}, {', '.join(columns)} FROM {table} {after} ORDER BY {pk} LIMIT %s FOR UPDATE"
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, [batch_size] if last is None else [last, batch_size])
                batch = cursor.fetchall()
                if not batch:
                    break
                cursor.executemany(
                    update,
                    [
                        [rotate_token(value.encode("ascii")).decode("ascii") if value else value for value in values]
                        + [row_pk]
                        for row_pk, *values in batch
                    ],
                )
                report.rows += len(batch)
                last = batch[-1][0]
    for entry in owner_models:
        if not entry.files_encrypted:
            continue
        for name in entry.all_file_names():
            try:
                rotate_file(Path(default_storage.path(name)))
            except FileNotFoundError:
                continue  # deleted meanwhile
            report.files += 1
    return report
