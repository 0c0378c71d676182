"""A tiny task of the ops tests' own, to prove the stale-task mechanism apart from any app."""

from __future__ import annotations

import threading

from django.tasks import task


@task
def tally(bucket: str, amount: int = 1) -> int:
    return amount


# Held by a test to keep a worker inside a task (the worker runs on a thread of the test process).
release = threading.Event()


@task
def hold() -> None:
    if not release.wait(timeout=60):
        raise TimeoutError("the test never released the task")
