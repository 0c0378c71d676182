"""The rollback: back to the legacy single-user schema at Alembic revision d896bf2738fb.

Reverses the project's migrations that adopted the legacy tables (they restore every legacy
column, type and index), then drops everything the multi-user product added: users,
profiles, subscriptions, generated applications, dj-stripe, sessions, tasks and Django's
own bookkeeping. The six legacy tables and ``alembic_version`` are left exactly as the
legacy application expects them. Runs in one transaction: it all happens, or nothing does.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from accounts.models import User
from legacy.database import LEGACY_TABLES, LegacyDatabaseError, legacy_owner_for_command

KEEP_TABLES = {*LEGACY_TABLES, "alembic_version"}
CONFIRMATION = "downgrade"


class Command(BaseCommand):
    help = "Roll the database back to the legacy (Alembic d896bf2738fb) schema. Deletes all multi-user data."

    def add_arguments(self, parser):
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, yes: bool, **options):
        applied = MigrationRecorder(connection).applied_migrations()
        if ("accounts", "0002_adopt_user_settings") not in applied:
            raise CommandError("This database has not been converted by Grant Finder's migrations: nothing to undo.")

        try:
            # The owner migrate recorded: their settings row is the legacy one and must stay, whatever
            # LEGACY_OWNER_EMAIL says in this shell (it may only agree with the record).
            owner = legacy_owner_for_command(User)
        except LegacyDatabaseError as exc:
            raise CommandError(str(exc)) from exc
        self._warn(owner)
        if not yes:
            answer = input(f"Type '{CONFIRMATION}' to delete all of this and roll back: ")
            if answer.strip() != CONFIRMATION:
                raise CommandError("Not confirmed; nothing was changed.")

        with transaction.atomic():
            with connection.cursor() as cursor:
                # The legacy schema has one global settings row; the legacy owner's is it.
                # Other users' rows go, and their saved grants with them (ON DELETE CASCADE).
                cursor.execute(
                    "DELETE FROM user_settings WHERE user_id IS DISTINCT FROM %s", [owner.pk if owner else None]
                )
            call_command("migrate", "accounts", "0001_initial", verbosity=options["verbosity"], interactive=False)
            with connection.cursor() as cursor:
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
                added = [name for (name,) in cursor.fetchall() if name not in KEEP_TABLES]
                if added:
                    cursor.execute("DROP TABLE " + ", ".join(connection.ops.quote_name(t) for t in added) + " CASCADE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Rolled back to the legacy schema (Alembic d896bf2738fb); dropped {len(added)} table(s). "
                "Run the legacy application's `alembic current` to confirm."
            )
        )

    def _warn(self, owner) -> None:
        with connection.cursor() as cursor:
            counts = {}
            for label, sql in [
                ("users", "SELECT count(*) FROM users"),
                ("business profiles", "SELECT count(*) FROM business_profiles"),
                ("subscriptions", "SELECT count(*) FROM subscriptions"),
                ("generated applications", "SELECT count(*) FROM generated_applications"),
                ("other users' settings", "SELECT count(*) FROM user_settings WHERE user_id IS DISTINCT FROM %s"),
            ]:
                cursor.execute(sql, [owner.pk if owner else None] if "%s" in sql else None)
                counts[label] = cursor.fetchone()[0]
        self.stdout.write(self.style.WARNING("This permanently deletes:"))
        for label, count in counts.items():
            self.stdout.write(f"  {count} {label}")
        self.stdout.write(
            "  every column the multi-user schema added (owners, scores and reasons, run details), "
            "and all dj-stripe, session and task data.\n"
            f"Legacy rows stay, whoever owns them now (legacy owner: {owner.email if owner else 'none'}). "
            "Take a backup first (pg_dump)."
        )
