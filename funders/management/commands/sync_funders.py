"""Import private foundations' 990-PF e-file returns and print what changed.

manage.py sync_funders --source irs-990pf PATH   (one return .xml, a folder of them, or a .zip)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from funders.services import funders_import

SOURCES = ("irs-990pf",)


class Command(BaseCommand):
    help = "Import 990-PF returns (IRS e-file XML: a file, a folder or a zip) into the funders."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, choices=SOURCES)
        parser.add_argument("path", help="a return .xml, a folder of them, or a .zip (the IRS yearly files)")

    def handle(self, *args, source, path, **options):
        sync = funders_import(path=path, source=source)
        self.stdout.write(
            f"{sync.source}: {sync.status} - new {sync.new}, replaced {sync.replaced}, unchanged {sync.unchanged}, "
            f"older {sync.older}, not 990-PF {sync.skipped}, failed {sync.failed}, grants {sync.grants}"
        )
        for error in sync.errors:
            self.stderr.write(error)
        if sync.status == "failed":
            raise CommandError(f"The import failed: {'; '.join(sync.errors[-1:])}")
