"""Migration operations for indexes on the big legacy tables, which the legacy app keeps serving.

``CREATE INDEX CONCURRENTLY`` never blocks the table's readers and writers, but it cannot run in a
transaction and, when interrupted (a lock timeout, a deploy killed half-way), leaves an INVALID
index behind under the name. These operations make such a migration safe to rerun: an invalid
index of the name is dropped and built again, a valid one is kept. Use them in a migration with
``atomic = False``.

Inside a caller's transaction (``downgrade_to_legacy`` reverses every migration in one), they fall
back to plain ``CREATE``/``DROP INDEX``, which PostgreSQL allows there.
"""

from __future__ import annotations

from django.db import migrations

# Session settings of an index build (see _build).
BUILD_MEMORY = "1GB"
BUILD_WORKERS = 2


def _index_state(schema_editor, name: str) -> str | None:
    """The index's state: "valid", "invalid", or None when no index of that name exists."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(%s)",
            [schema_editor.quote_name(name)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return "valid" if row[0] else "invalid"


def _drop(schema_editor, name: str) -> None:
    concurrently = "" if schema_editor.connection.in_atomic_block else "CONCURRENTLY "
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {schema_editor.quote_name(name)}")


def _build(schema_editor, model, index) -> None:
    state = None if schema_editor.collect_sql else _index_state(schema_editor, index.name)
    if state == "valid":
        return
    if state == "invalid":  # left by an interrupted build: it serves no query and must go first
        _drop(schema_editor, index.name)
    concurrently = not schema_editor.connection.in_atomic_block
    # Memory and workers for this session's build only. A btree's sort then stays in memory, and a
    # trigram GIN index (hundreds of keys per row) accumulates its entries in far fewer passes: on
    # 1,000,000 grants 1GB took its concurrent build from 18.9 s to the figure in README.md (bench/migrate_legacy.py).
    # PostgreSQL 18 builds btree and GIN indexes with parallel workers, concurrent builds included.
    schema_editor.execute(f"SET maintenance_work_mem = '{BUILD_MEMORY}'")
    schema_editor.execute(f"SET max_parallel_maintenance_workers = {BUILD_WORKERS}")
    schema_editor.add_index(model, index, concurrently=concurrently)
    schema_editor.execute("RESET max_parallel_maintenance_workers")
    schema_editor.execute("RESET maintenance_work_mem")


class AddIndexConcurrentlyIfMissing(migrations.AddIndex):
    """``AddIndex``, built ``CONCURRENTLY`` and idempotently (see the module's docstring)."""

    def describe(self):
        return f"Create index {self.index.name} concurrently, if missing, on {self.model_name}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _build(schema_editor, model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _drop(schema_editor, self.index.name)


class RemoveIndexConcurrentlyIfPresent(migrations.RemoveIndex):
    """``RemoveIndex`` with ``DROP INDEX CONCURRENTLY IF EXISTS``; its reverse builds as above."""

    def describe(self):
        return f"Remove index {self.name} concurrently, if present, from {self.model_name}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            _drop(schema_editor, self.name)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
            _build(schema_editor, model, index)
