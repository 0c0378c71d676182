"""Erase accounts their owners deleted more than ACCOUNT_DELETION_GRACE_DAYS ago (run daily)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = "Remove accounts deleted longer ago than ACCOUNT_DELETION_GRACE_DAYS, with their rows and files."

    def handle(self, *args, **options):
        report = services.accounts_purge_deleted()
        self.stdout.write(
            f"Purged {report.users} account(s) deleted more than {settings.ACCOUNT_DELETION_GRACE_DAYS} days ago: "
            f"{report.rows} row(s), {report.files} file(s)."
        )
