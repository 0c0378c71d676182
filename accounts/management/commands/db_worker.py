"""``db_worker`` (django-tasks-db's worker), recording a heartbeat while the worker process lives.

The heartbeat is what /health reports and what ``fail_stale_tasks`` uses to tell a worker that
died mid-task from one still working on a long task (accounts/workers.py).
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from accounts.workers import HeartbeatThread


class Command(DatabaseWorkerCommand):
    def handle(self, *args, **options):
        # Under --reload the first process only watches files and restarts a child that does the
        # work (with its own worker id); only the process that runs tasks beats.
        runs_tasks = not options["reload"] or options["batch"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if not runs_tasks:
            return super().handle(*args, **options)
        heartbeat = HeartbeatThread(worker_id=options["worker_id"])
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
