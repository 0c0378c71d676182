"""``migrate``, refusing before it touches anything a database at an unexpected Alembic revision,
and waiting at most ``MIGRATION_LOCK_TIMEOUT_MS`` for any lock (but with no statement timeout).

A migration that needs a lock another session holds (a long report, an idle transaction) would
otherwise queue behind it, and every query of the live site would queue behind the migration.
With the timeout it fails at once instead: an atomic migration rolls back whole, a non-atomic one
is built of steps that are safe to rerun (``core.migration_ops``), so running ``migrate``
again later carries on with nothing half-made left behind.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections

from legacy.database import LegacyDatabaseError, legacy_database_check


class Command(DjangoMigrateCommand):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        # A migration step may rightly run longer than DATABASE_STATEMENT_TIMEOUT_MS (an index built
        # CONCURRENTLY over millions of rows, the legacy conversion's UPDATEs): migrate lifts it for
        # its own session. The lock timeout below is what keeps the live site from queueing.
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
        try:
            legacy_database_check(connection)
        except LegacyDatabaseError as exc:
            raise CommandError(str(exc)) from exc
        timeout = int(settings.MIGRATION_LOCK_TIMEOUT_MS)
        with connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {timeout}")
        try:
            return super().handle(*args, **options)
        finally:
            if connection.connection is not None and not connection.in_atomic_block:
                with connection.cursor() as cursor:
                    cursor.execute("RESET lock_timeout")
                    cursor.execute("RESET statement_timeout")
