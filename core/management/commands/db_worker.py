"""``db_worker`` (django-tasks-db's worker), whose task loop beats, and which rides out database outages.

Liveness: the loop records the worker's heartbeat each time it polls for a task (at most every
``WORKER_HEARTBEAT_SECONDS``), so a worker counts as alive only while its loop really runs. While
the loop runs a long task, a thread beats for it, only as long as the loop's thread is alive and
inside that task (core/workers.py). A loop that died, whatever the process around it does
(under ``--reload`` the loop is a thread beside the autoreloader), stops beating: /health says
so and ``fail_stale_tasks`` fails its tasks.

Outages: django-tasks-db's loop stops on the first database error outside a task (a PostgreSQL
restart, a failover). Ours waits for the database to come back and carries on, in the loop itself,
so it also holds under ``--reload`` (``make run``); the tasks it was running when the database
went away (their ends could not be recorded) are failed with the reason.
"""

import logging
import os
import threading
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from core.workers import (
    TaskHeartbeatThread,
    tasks_fail_of_worker,
    worker_heartbeat_record,
    worker_heartbeat_remove,
)

logger = logging.getLogger("django_tasks_db")

RETRY_MAX_SECONDS = 10.0


class BeatingWorker(Worker):
    def __init__(self, **kwargs):
        self.loop_thread: threading.Thread | None = None
        self.started_at = timezone.now()
        self._last_beat = float("-inf")
        self._in_signal_handler = False
        super().__init__(**kwargs)

    def shutdown(self, signum, frame) -> None:
        # The handler reads ``running`` too, on whatever the loop was doing: no beat from there.
        self._in_signal_handler = True
        try:
            super().shutdown(signum, frame)
        finally:
            self._in_signal_handler = False

    # The loop reads ``running`` at the top of every poll (``while self.running:``): the one place
    # each turn of the loop passes through, so that is where it beats.
    @property
    def running(self) -> bool:
        if self.loop_thread is threading.current_thread() and not self._in_signal_handler:
            self._beat_from_loop()
        return self._running

    @running.setter
    def running(self, value: bool) -> None:
        self._running = value

    def _beat_from_loop(self) -> None:
        now = time.monotonic()
        if now - self._last_beat >= settings.WORKER_HEARTBEAT_SECONDS:
            # A database error here leaves the loop like any other: run() waits for the database.
            worker_heartbeat_record(worker_id=self.worker_id, started_at=self.started_at)
            self._last_beat = now

    def _in_task(self) -> bool:
        return self.running_task and self.loop_thread is not None and self.loop_thread.is_alive()

    def run(self) -> None:
        self.loop_thread = threading.current_thread()
        task_heartbeat = TaskHeartbeatThread(
            worker_id=self.worker_id, started_at=self.started_at, beating=self._in_task
        )
        task_heartbeat.start()
        try:
            while True:
                try:
                    return super().run()
                except (OperationalError, InterfaceError):
                    if self.batch:
                        raise
                    logger.warning("worker %s lost the database; waiting for it", self.worker_id, exc_info=True)
                    self._wait_for_database()
                    self._last_beat = float("-inf")  # beat at once: it is back
        finally:
            task_heartbeat.stop()
            # Stopped (or died): it no longer beats, and says so at once when it can.
            try:
                worker_heartbeat_remove(worker_id=self.worker_id)
            except DatabaseError:
                logger.warning("worker %s could not remove its heartbeat", self.worker_id, exc_info=True)
            connections.close_all()

    def _wait_for_database(self) -> None:
        delay = max(self.interval, 0.5)
        while True:
            connections.close_all()
            # Polling for the database to come back; SIGTERM still stops the worker meanwhile.
            time.sleep(delay)
            try:
                failed = tasks_fail_of_worker(
                    worker_id=self.worker_id,
                    reason=f"The worker running this task ({self.worker_id}) lost its database.",
                )
            except DatabaseError:
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            logger.warning(
                "worker %s has its database back; failed %d interrupted task(s)", self.worker_id, len(failed)
            )
            return


class Command(DatabaseWorkerCommand):
    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        # As django-tasks-db's command does, with our worker.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("Warning: --reload and --batch cannot be specified together. Disabling autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = BeatingWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child that runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
