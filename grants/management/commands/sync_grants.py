"""Fill the opportunity catalog from one source and print what changed.

manage.py sync_grants --source grantsgov           (what the schedule runs: API or XML by GRANTSGOV_SYNC_METHOD)
manage.py sync_grants --source grantsgov-api
manage.py sync_grants --source grantsgov-xml PATH   (GrantsDBExtract*.zip or the XML inside)
manage.py sync_grants --source ca-portal          (the California Grants Portal's datastore API)
manage.py sync_grants --source ca-portal PATH     (its datastore dump: JSON or CSV)
manage.py sync_grants --source demo
manage.py sync_grants --reprocess                 (clean text stored before entities were decoded)

A new source is one entry in SOURCES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from grants.models import CatalogSync, SearchRunStatus
from grants.services import (
    catalog_sync_api,
    catalog_sync_ca_portal,
    catalog_sync_demo,
    catalog_sync_grantsgov,
    catalog_sync_xml,
)


@dataclass(frozen=True)
class Source:
    sync: Callable[[str | None], CatalogSync]
    path: str  # "none", "optional" or "required"


SOURCES: dict[str, Source] = {
    "grantsgov": Source(lambda path: catalog_sync_grantsgov(), "none"),
    "grantsgov-api": Source(lambda path: catalog_sync_api(), "none"),
    "grantsgov-xml": Source(lambda path: catalog_sync_xml(path=str(path)), "required"),
    "ca-portal": Source(lambda path: catalog_sync_ca_portal(path=path), "optional"),
    "demo": Source(lambda path: catalog_sync_demo(), "none"),
}
PATH_HELP = {"grantsgov-xml": "the path of the extract file"}


class Command(BaseCommand):
    help = "Sync the opportunity catalog from Grants.gov (API or XML extract), the California portal or sample data."

    def add_arguments(self, parser):
        parser.add_argument("--source", choices=sorted(SOURCES))
        parser.add_argument("path", nargs="?", help="the extract file (grantsgov-xml) or a datastore dump (ca-portal)")
        parser.add_argument("--no-alerts", action="store_true", help="do not send saved-search alerts afterwards")
        parser.add_argument(
            "--reprocess", action="store_true", help="decode HTML entities left in stored catalog text, then stop"
        )

    def handle(self, *args, source=None, path=None, no_alerts=False, reprocess=False, **options):
        if reprocess:
            if source or path:
                raise CommandError("--reprocess works on the stored catalog and takes no source or path.")
            from grants.services.catalog_text import catalog_text_repair

            self.stdout.write(f"reprocessed: {catalog_text_repair()} opportunity(ies) had their text cleaned")
            return
        if not source:
            raise CommandError(f"Say which source: --source {{{','.join(sorted(SOURCES))}}} (or --reprocess).")
        entry = SOURCES[source]
        if entry.path == "required" and not path:
            raise CommandError(f"--source {source} needs {PATH_HELP.get(source, 'a path')}.")
        if entry.path == "none" and path:
            raise CommandError(f"--source {source} takes no path.")
        sync = entry.sync(path)
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
