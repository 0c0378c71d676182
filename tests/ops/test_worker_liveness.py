"""A worker is alive only while its task loop polls (or runs a task): a loop that hangs or dies
reads as dead in /health, whatever else in its process goes on (core/management/commands/db_worker.py).

The worker runs on a thread of the test, as ``make run``'s autoreloader runs it.
"""

from __future__ import annotations

import threading

import pytest
from django_tasks_db.management.commands import db_worker as tasks_db_worker

from core.management.commands.db_worker import BeatingWorker
from core.models import WorkerHeartbeat
from tests.ops import tasks
from tests.ops.servers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.WORKER_HEARTBEAT_SECONDS = 0.1
    settings.WORKER_STALE_AFTER_SECONDS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class LoopTrouble:
    """Stands in for the loop's ``close_old_connections``, which it calls on every poll: it can
    make the loop hang there, or die there."""

    def __init__(self):
        self.unstuck = threading.Event()
        self.unstuck.set()
        self.die = False

    def __call__(self):
        self.unstuck.wait()
        if self.die:
            raise RuntimeError("a bug in the loop")


@pytest.fixture
def trouble(monkeypatch):
    trouble = LoopTrouble()
    monkeypatch.setattr(tasks_db_worker, "close_old_connections", trouble)
    yield trouble
    trouble.unstuck.set()


@pytest.fixture
def worker():
    worker = BeatingWorker(
        queue_names=["default"],
        interval=0.05,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="loop-worker",
        excluded_queue_names=[],
    )
    outcome = {}

    def loop():
        try:
            worker.run()
        except Exception as exc:  # noqa: BLE001 (the test reads it)
            outcome["error"] = exc

    thread = threading.Thread(target=loop, name="task-loop", daemon=True)
    thread.start()
    yield worker, thread, outcome
    worker.running = False
    tasks.release.set()
    thread.join(timeout=30)
    tasks.release.clear()


def _workers(client) -> str:
    return client.get("/health").json()["workers"]


def test_a_loop_that_hangs_reads_as_dead_and_alive_again_when_it_polls(client, trouble, worker):
    wait_for(lambda: _workers(client) == "ok", timeout=30, what="the loop to beat")

    trouble.unstuck.clear()  # the loop hangs at its next poll; its process (this one) goes on

    wait_for(lambda: _workers(client).startswith("no worker heartbeat"), timeout=30, what="the worker to read as dead")
    trouble.unstuck.set()
    wait_for(lambda: _workers(client) == "ok", timeout=30, what="the loop to beat again")


def test_a_loop_that_died_reads_as_dead(client, trouble, worker):
    _, thread, outcome = worker
    wait_for(lambda: _workers(client) == "ok", timeout=30, what="the loop to beat")

    trouble.die = True
    thread.join(timeout=30)

    assert isinstance(outcome["error"], RuntimeError)
    assert _workers(client).startswith("no worker heartbeat")
    assert not WorkerHeartbeat.objects.exists()


def test_a_loop_inside_a_long_task_still_beats(client, worker):
    tasks.hold.enqueue()
    wait_for(lambda: worker[0].running_task, timeout=30, what="the worker to take the task")
    first = WorkerHeartbeat.objects.get().last_seen_at

    # Longer than the stale limit (1 s) inside the task: the task's heartbeat keeps it alive.
    wait_for(
        lambda: (WorkerHeartbeat.objects.get().last_seen_at - first).total_seconds() > 1.5,
        timeout=30,
        what="beats during the task",
    )
    assert _workers(client) == "ok"
    tasks.release.set()
    wait_for(lambda: not worker[0].running_task, timeout=30, what="the task to end")
