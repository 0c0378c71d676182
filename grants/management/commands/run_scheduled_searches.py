"""Start the scheduled searches that are due (run it every few minutes, e.g. from cron).

It also marks runs whose worker died as failed, so none stays "in progress" for ever.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from grants.services.search_runs import search_runs_fail_stale, search_runs_start_scheduled


class Command(BaseCommand):
    help = "Start due scheduled search runs (the db_worker runs them) and fail interrupted ones."

    def handle(self, *args, **options):
        stale = search_runs_fail_stale()
        started, skipped = search_runs_start_scheduled()
        self.stdout.write(
            f"scheduled searches: {started} started, {skipped} skipped (allowance spent), {stale} interrupted"
        )
