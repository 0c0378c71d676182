"""``db_worker`` (django-tasks-db's worker), with a heartbeat, and riding out database outages.

The heartbeat is what /health reports and what ``fail_stale_tasks`` uses to tell a worker that
died mid-task from one still working on a long task (accounts/workers.py).

django-tasks-db's worker exits on the first database error outside a task (a PostgreSQL restart,
a failover). Ours waits for the database to come back and carries on; the tasks it was running
when the database went away (their ends could not be recorded) are failed with the reason.
"""

import logging
import os
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from accounts.workers import HeartbeatThread, tasks_fail_of_worker

logger = logging.getLogger("django_tasks_db")

RETRY_MAX_SECONDS = 10.0


class Command(DatabaseWorkerCommand):
    def handle(self, *args, **options):
        # Under --reload the first process only watches files and restarts a child that does the
        # work (with its own worker id); only the process that runs tasks beats.
        runs_tasks = not options["reload"] or options["batch"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if not runs_tasks:
            return super().handle(*args, **options)
        worker_id = options["worker_id"]
        heartbeat = HeartbeatThread(worker_id=worker_id)
        heartbeat.start()
        try:
            while True:
                try:
                    return super().handle(*args, **options)
                except (OperationalError, InterfaceError):
                    if options["batch"]:
                        raise
                    logger.warning("worker %s lost the database; waiting for it", worker_id, exc_info=True)
                    self._wait_for_database(worker_id=worker_id, interval=options["interval"])
        finally:
            heartbeat.stop()

    def _wait_for_database(self, *, worker_id: str, interval: float) -> None:
        delay = max(interval, 0.5)
        while True:
            connections.close_all()
            # Polling for the database to come back; SIGTERM still stops the worker meanwhile.
            time.sleep(delay)
            try:
                failed = tasks_fail_of_worker(
                    worker_id=worker_id, reason=f"The worker running this task ({worker_id}) lost its database."
                )
            except DatabaseError:
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            logger.warning("worker %s has its database back; failed %d interrupted task(s)", worker_id, len(failed))
            return
