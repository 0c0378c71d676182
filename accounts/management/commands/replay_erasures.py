"""Erase again the users in the erasure log: run it after restoring a database backup."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = (
        "After a backup restore: purge again every user the erasure log (table account_erasures and "
        "ERASURE_LOG_PATH) says was erased, and anonymise audit entries that still name them. Safe to rerun."
    )

    def handle(self, *args, **options):
        report = services.erasures_replay()
        self.stdout.write(
            f"{report.erasures} erasure(s) in the log: {report.users} restored user(s) erased again, "
            f"{report.audit_entries} audit entr(y/ies) anonymised."
        )
