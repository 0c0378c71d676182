"""The one harness for race tests: calls released together, each on its own thread and connection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def all_at_once[T](calls: Sequence[Callable[[], T]], *, timeout: float = 30) -> list[T]:
    """Run every call on its own thread, all released at the same moment; their results in order.

    A barrier holds each thread until all have started, so the calls really overlap. Each thread
    closes the database connection Django opened for it. An exception in a call is raised here;
    a thread that never reaches the barrier breaks it after ``timeout`` seconds instead of hanging.
    """
    start = threading.Barrier(len(calls), timeout=timeout)

    def run(call: Callable[[], T]) -> T:
        try:
            start.wait()
            return call()
        finally:
            connection.close()

    # One worker per call: none is idle while the others wait, so each call gets its own thread.
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
