"""``migrate``, refusing before it touches anything a database at an unexpected Alembic revision."""

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections

from accounts.legacy import LegacyDatabaseError, legacy_database_check


class Command(DjangoMigrateCommand):
    def handle(self, *args, **options):
        try:
            legacy_database_check(connections[options["database"]])
        except LegacyDatabaseError as exc:
            raise CommandError(str(exc)) from exc
        return super().handle(*args, **options)
