"""/health: what load balancers and operators ask. The reports other apps add are in core.health."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.health import health_reports
from core.workers import workers_alive

_migrations_ok = False


def _pending_migrations() -> int:
    global _migrations_ok
    if _migrations_ok:
        # Applied migrations cannot become unapplied under a running process; stop asking.
        return 0
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrations_ok = pending == 0
    return pending


def _health_checks() -> dict[str, str]:
    """Database, pending migrations and worker liveness, each "ok" or what is wrong.

    One transaction with a statement timeout, so a database that answers but is stuck (locks,
    overload) is reported as such; one that does not answer at all is the caller's deadline.
    """
    report = {"database": "unknown", "migrations": "unknown", "workers": "unknown"}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Three quarters of the budget: a query the server cancels is still reported as such
                # before _health_within_deadline stops waiting.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)",
                    [str(settings.HEALTH_STATEMENT_TIMEOUT_MS * 3 // 4)],
                )
                cursor.execute("SELECT 1")
            report["database"] = "ok"
            pending = _pending_migrations()
            report["migrations"] = "ok" if pending == 0 else f"{pending} pending"
            alive, newest = workers_alive()
            report["workers"] = (
                "ok"
                if alive
                else f"no worker heartbeat in the last {settings.WORKER_STALE_AFTER_SECONDS} s "
                f"(newest: {newest.isoformat(timespec='seconds') if newest else 'never'})"
            )
            for name, extra in health_reports.items():
                report[name] = extra()  # informational: see core/health.py
    except DatabaseError as exc:
        failed = next((name for name, value in report.items() if value == "unknown"), None)
        if failed:
            report[failed] = f"error: {exc.__class__.__name__}"
    return report


_probe_lock = threading.Lock()
_probe: threading.Thread | None = None


def _health_within_deadline() -> dict[str, str]:
    """``_health_checks`` on a thread of its own, given HEALTH_STATEMENT_TIMEOUT_MS in all.

    A frozen server or a network path that swallows packets answers nothing, and no server-side
    timeout can fire: the probe waits, this does not. The probe thread has its own connection
    (closed after), bounded by DATABASE_CONNECT_TIMEOUT; while a stuck probe still waits, no new
    one is started, so an outage costs at most one thread and one connection per process.
    """
    global _probe
    seconds = settings.HEALTH_STATEMENT_TIMEOUT_MS / 1000
    unanswered = {"database": "unknown", "migrations": "unknown", "workers": "unknown"}
    with _probe_lock:
        if _probe is not None and _probe.is_alive():
            return unanswered | {"database": "error: no answer (the previous check is still waiting)"}
        report: dict[str, str] = {}

        def probe():
            try:
                report.update(_health_checks())
            finally:
                connections.close_all()

        _probe = threading.Thread(target=probe, name="health-probe", daemon=True)
        _probe.start()
    _probe.join(seconds)
    if not report:
        return unanswered | {"database": f"error: no answer within {seconds:g} s"}
    return report


@never_cache
def health(request):
    """Health for load balancers and operators: 200 when all is well, 503 otherwise (JSON says what)."""
    report = _health_within_deadline()
    healthy = all(value == "ok" for value in report.values() if isinstance(value, str))
    return JsonResponse(report, status=200 if healthy else 503)
