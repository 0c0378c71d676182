"""Background workers: their heartbeats, and failing the tasks of workers that died mid-task.

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when the
worker finishes it. A worker that is killed (OOM, SIGKILL, a lost machine) never finishes, so its
task would stay RUNNING forever and the app row behind it (a search run, an application being
written) would spin "in progress" with the user's allowance spent. So every worker records a
heartbeat (``worker_heartbeat_record``, from its task loop in ``manage.py db_worker``), and
``manage.py fail_stale_tasks`` (cron, every minute) fails each RUNNING task whose worker has not
beaten for ``WORKER_STALE_AFTER_SECONDS``.

core sits at the bottom of the import graph, so the apps that own tasks tell it what to do
with their rows from ``AppConfig.ready``::

    from core.workers import stale_task_handlers
    stale_task_handlers.register(execute_search_run, search_run_interrupted)

A handler gets the task's arguments by name plus ``reason`` (for the logs), e.g.
``search_run_interrupted(run_id=7, reason=...)``, inside the transaction that fails the task, so
the task and the app row fail together or not at all.
"""

from __future__ import annotations

import inspect
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Count, Max, Q
from django.tasks import Task
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

StaleTaskHandler = Callable[..., None]

# What the task row records as its error (``exception_class_path``); not a real exception class.
WORKER_LOST = "core.workers.WorkerLost"


def stale_after() -> timedelta:
    return timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS)


class StaleTaskHandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, StaleTaskHandler] = {}

    def register(self, task: Task, handler: StaleTaskHandler) -> None:
        self._handlers[task.module_path] = handler

    def unregister(self, task: Task) -> None:
        self._handlers.pop(task.module_path, None)

    def get(self, task_path: str) -> StaleTaskHandler | None:
        return self._handlers.get(task_path)


stale_task_handlers = StaleTaskHandlerRegistry()


# Heartbeats -------------------------------------------------------------------------------------


def worker_heartbeat_record(*, worker_id: str, started_at: datetime, now: datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen_at": now},
        create_defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen_at": now,
        },
    )


def worker_heartbeat_remove(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def workers_alive(*, now: datetime | None = None) -> tuple[int, datetime | None]:
    """How many workers beat within ``WORKER_STALE_AFTER_SECONDS``, and the newest beat of any worker."""
    now = now or timezone.now()
    beats = WorkerHeartbeat.objects.aggregate(
        alive=Count("pk", filter=Q(last_seen_at__gte=now - stale_after())), newest=Max("last_seen_at")
    )
    return beats["alive"], beats["newest"]


class TaskHeartbeatThread(threading.Thread):
    """Beats every ``WORKER_HEARTBEAT_SECONDS`` while ``beating()`` says so: while a task runs.

    The task loop itself beats each time it polls (``core/management/commands/db_worker.py``),
    so a loop that died stops beating and reads as dead. While it runs a task it does not poll,
    and a task may rightly run for minutes (an LLM writing six sections): this thread beats for
    it meanwhile, and only while the loop's thread is alive and inside a task. It has its own
    database connection; a failed beat (database restarting) is logged and retried at the next.
    """

    def __init__(self, *, worker_id: str, started_at: datetime, beating: Callable[[], bool]) -> None:
        super().__init__(name=f"task-heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = started_at
        self.beating = beating
        self._stop_event = threading.Event()

    def beat(self) -> None:
        try:
            close_old_connections()
            worker_heartbeat_record(worker_id=self.worker_id, started_at=self.started_at)
        except DatabaseError:
            logger.warning("worker %s could not record its heartbeat; retrying", self.worker_id, exc_info=True)
            connection.close()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(settings.WORKER_HEARTBEAT_SECONDS):
                if self.beating():
                    self.beat()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# Stale tasks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleTask:
    task_id: str
    task_path: str
    worker_id: str
    handled: bool


def _stale_reason(worker_id: str, last_seen: datetime | None) -> str:
    seen = f"last heartbeat {last_seen:%Y-%m-%d %H:%M:%S} UTC" if last_seen else "no heartbeat recorded"
    return f"The worker running this task stopped ({worker_id or 'unknown worker'}, {seen})."


def tasks_fail_of_worker(*, worker_id: str, reason: str, now: datetime | None = None) -> list[StaleTask]:
    """Fail the tasks a living worker had RUNNING when it lost its database (it runs none now).

    The worker could not record their ends, and since it still beats, ``tasks_fail_stale`` would
    never fail them.
    """
    now = now or timezone.now()
    failed = []
    for task_id in DBTaskResult.objects.running().filter(worker_ids__contains=[worker_id]).values_list("id", flat=True):
        stale = _task_fail(task_id=task_id, worker_id=worker_id, reason=reason, now=now)
        if stale is not None:
            failed.append(stale)
    return failed


def tasks_fail_stale(*, now: datetime | None = None) -> list[StaleTask]:
    """Fail every RUNNING task whose worker has stopped beating; the owning app fails its row too.

    A task counts as stale when its worker's last heartbeat (or, for a worker that never beat,
    the task's start) is older than ``WORKER_STALE_AFTER_SECONDS``. Each task is failed in its own
    transaction with its row locked (``skip_locked``), so two cron runs on two machines never fail
    the same task twice, and a handler that raises leaves that task for the next run.
    """
    now = now or timezone.now()
    cutoff = now - stale_after()
    last_seen = dict(WorkerHeartbeat.objects.values_list("worker_id", "last_seen_at"))
    failed: list[StaleTask] = []
    for task_id, worker_ids, started_at in DBTaskResult.objects.running().values_list("id", "worker_ids", "started_at"):
        worker_id = worker_ids[-1] if worker_ids else ""
        seen = last_seen.get(worker_id)
        if (seen or started_at or now) >= cutoff:
            continue
        try:
            stale = _task_fail(task_id=task_id, worker_id=worker_id, reason=_stale_reason(worker_id, seen), now=now)
        except Exception:
            logger.exception("could not fail stale task %s; the next run will try again", task_id)
            continue
        if stale is not None:
            failed.append(stale)
    # Workers gone for a day are history; their tasks were failed long ago.
    WorkerHeartbeat.objects.filter(last_seen_at__lt=now - timedelta(days=1)).delete()
    return failed


@transaction.atomic
def _task_fail(*, task_id, worker_id: str, reason: str, now: datetime) -> StaleTask | None:
    result = (
        DBTaskResult.objects.select_for_update(skip_locked=True)
        .filter(pk=task_id, status=TaskResultStatus.RUNNING)
        .first()
    )
    if result is None:
        return None  # finished meanwhile, or another fail_stale_tasks holds it
    result.status = TaskResultStatus.FAILED
    result.finished_at = now
    result.return_value = None
    result.exception_class_path = WORKER_LOST
    result.traceback = reason
    result.save(update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"])
    handler = stale_task_handlers.get(result.task_path)
    if handler is not None:
        # The task's arguments by name, so handlers are keyword-only like every service function.
        arguments = inspect.signature(result.task.func).bind(
            *result.args_kwargs["args"], **result.args_kwargs["kwargs"]
        )
        arguments.apply_defaults()
        handler(**arguments.arguments, reason=reason)
    logger.warning("failed stale task %s (%s): %s", result.pk, result.task_path, reason)
    return StaleTask(task_id=str(result.pk), task_path=result.task_path, worker_id=worker_id, handled=bool(handler))
