"""Fill the opportunity catalog from one source and print what changed.

manage.py sync_grants --source grantsgov-api
manage.py sync_grants --source grantsgov-xml PATH   (GrantsDBExtract*.zip or the XML inside)
manage.py sync_grants --source ca-portal          (the California Grants Portal's datastore API)
manage.py sync_grants --source ca-portal PATH     (its datastore dump: JSON or CSV)
manage.py sync_grants --source demo
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from grants.models import SearchRunStatus
from grants.services import catalog_sync_api, catalog_sync_ca_portal, catalog_sync_demo, catalog_sync_xml

SOURCES = ("grantsgov-api", "grantsgov-xml", "ca-portal", "demo")


class Command(BaseCommand):
    help = "Sync the opportunity catalog from Grants.gov (API or XML extract) or the bundled sample data."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, choices=SOURCES)
        parser.add_argument("path", nargs="?", help="the extract file (grantsgov-xml) or a datastore dump (ca-portal)")
        parser.add_argument("--no-alerts", action="store_true", help="do not send saved-search alerts afterwards")

    def handle(self, *args, source, path=None, no_alerts=False, **options):
        if source == "grantsgov-xml":
            if not path:
                raise CommandError("--source grantsgov-xml needs the path of the extract file.")
            sync = catalog_sync_xml(path=path)
        elif source == "ca-portal":
            sync = catalog_sync_ca_portal(path=path)
        elif path:
            raise CommandError(f"--source {source} takes no path.")
        elif source == "demo":
            sync = catalog_sync_demo()
        else:
            sync = catalog_sync_api()
        self.stdout.write(
            f"{sync.source}: {sync.status.lower()} - new {sync.new}, updated {sync.updated}, "
            f"closed {sync.closed}, failed {sync.failed}, unchanged {sync.unchanged}"
            + (f", API calls {sync.api_calls}" if sync.api_calls else "")
        )
        if sync.error_message:
            self.stderr.write(sync.error_message)
        if not no_alerts and sync.status != SearchRunStatus.FAILED:
            from grants.services.alerts import alerts_send_digests

            sent = alerts_send_digests()
            self.stdout.write(f"alerts: {sent} digest(s) sent")
        if sync.status == SearchRunStatus.FAILED:
            raise CommandError(f"The sync failed: {sync.error_message}")
