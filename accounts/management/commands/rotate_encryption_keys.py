"""Re-encrypt every encrypted column and file under the newest key of ENCRYPTION_KEYS."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.key_rotation import encryption_keys_rotate


class Command(BaseCommand):
    help = (
        "After putting a new key first in ENCRYPTION_KEYS (keeping the old ones after it), re-encrypt "
        "every encrypted row and file under it; then the old keys can be removed. Safe to rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")

    def handle(self, *args, batch_size, **options):
        report = encryption_keys_rotate(batch_size=batch_size)
        self.stdout.write(f"Re-encrypted {report.rows} row(s) and {report.files} file(s) under the newest key.")
