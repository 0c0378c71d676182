"""core/migration_ops.py: index builds on the big tables, CONCURRENTLY and safe to rerun."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.migrations.state import ProjectState

from core.migration_ops import AddIndexConcurrentlyIfMissing, RemoveIndexConcurrentlyIfPresent
from grants.models import Grant
from tests.factories import GrantFactory

INDEX = next(index for index in Grant._meta.indexes if index.name == "ix_grants_user_score")


def _state() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('ix_grants_user_score')")
        row = cursor.fetchone()
    return None if row is None else ("valid" if row[0] else "invalid")


def _apply(operation, *, backwards: bool = False) -> list[str]:
    """Run the operation as migrate would (no transaction here: atomic = False) and return its SQL."""
    before = ProjectState.from_apps(apps)
    after = before.clone()
    with connection.schema_editor(atomic=False, collect_sql=False) as editor:
        executed = []
        original = editor.execute

        def recording(sql, params=()):
            executed.append(str(sql))
            return original(sql, params)

        editor.execute = recording
        if backwards:
            operation.database_backwards("grants", editor, after, before)
        else:
            operation.database_forwards("grants", editor, before, after)
    return executed


@pytest.mark.django_db(transaction=True)
def test_it_builds_concurrently_replaces_an_invalid_index_and_keeps_a_valid_one():
    GrantFactory.create_batch(3)
    add = AddIndexConcurrentlyIfMissing(model_name="grant", index=INDEX)
    _apply(RemoveIndexConcurrentlyIfPresent(model_name="grant", name=INDEX.name))
    assert _state() is None

    built = _apply(add)
    assert _state() == "valid"
    assert any(sql.startswith('CREATE INDEX CONCURRENTLY "ix_grants_user_score"') for sql in built)

    # What an interrupted CONCURRENTLY build leaves: the index, marked invalid.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_grants_user_score'::regclass")
    assert _state() == "invalid"
    rerun = _apply(add)
    assert rerun[0] == 'DROP INDEX CONCURRENTLY IF EXISTS "ix_grants_user_score"'
    assert _state() == "valid"

    assert not any("CREATE INDEX" in sql for sql in _apply(add))  # valid already: nothing to do
    assert _state() == "valid"


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_it_falls_back_to_plain_statements():
    """downgrade_to_legacy reverses every migration in one transaction, where CONCURRENTLY is refused."""
    with transaction.atomic():
        dropped = _apply(RemoveIndexConcurrentlyIfPresent(model_name="grant", name=INDEX.name))
        assert dropped == ['DROP INDEX IF EXISTS "ix_grants_user_score"'] and _state() is None
        executed = _apply(AddIndexConcurrentlyIfMissing(model_name="grant", index=INDEX))
        assert _state() == "valid"
    assert any(sql.startswith('CREATE INDEX "ix_grants_user_score"') for sql in executed)
