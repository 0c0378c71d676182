"""Re-applies the legacy owner remap to rows the legacy owner still holds.

For people who signed up after the deploy: history rows whose legacy string names them by
e-mail or unique e-mail local part move to them. ``--dry-run`` only reports. The legacy owner is
the one ``migrate`` recorded in the database, not whoever ``LEGACY_OWNER_EMAIL`` names now.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.models import User
from legacy.database import LegacyDatabaseError, legacy_owner_for_command
from legacy.remap import history_remap


class Command(BaseCommand):
    help = "Give legacy application history to the users its legacy owner strings name."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would move; change nothing.")

    def handle(self, *args, dry_run: bool, **options):
        try:
            # The owner migrate recorded, whatever LEGACY_OWNER_EMAIL says here (it may only agree).
            owner = legacy_owner_for_command(User)
        except LegacyDatabaseError as exc:
            raise CommandError(str(exc)) from exc
        if owner is None:
            self.stdout.write("This database has no legacy owner (it held no legacy rows): nothing to remap.")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            report = history_remap(cursor, owner_id=owner.pk, owner_email=owner.email, dry_run=dry_run)
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was changed."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Moved {report.moved_total} row(s)."))
