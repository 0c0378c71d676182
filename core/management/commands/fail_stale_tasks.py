"""Fail the background tasks whose worker died mid-task, and the runs behind them (cron: every minute)."""

from django.core.management.base import BaseCommand

from core.workers import tasks_fail_stale


class Command(BaseCommand):
    help = "Mark RUNNING tasks whose worker stopped beating as failed; their app rows fail with the reason."

    def handle(self, *args, **options):
        failed = tasks_fail_stale()
        for stale in failed:
            # Always said, even at --verbosity 0: an operator wants to know a worker died.
            self.stdout.write(f"failed task {stale.task_id} ({stale.task_path}) of worker {stale.worker_id}")
        if options["verbosity"] > 0:
            self.stdout.write(f"{len(failed)} stale task(s) failed.")
