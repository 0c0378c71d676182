from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

_migrations_ok = False


def home(request):
    return render(request, "accounts/home.html")


def _pending_migrations() -> int:
    global _migrations_ok
    if _migrations_ok:
        # Applied migrations cannot become unapplied under a running process; stop asking.
        return 0
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrations_ok = pending == 0
    return pending


@never_cache
def health(request):
    """Liveness for load balancers and operators: 200 when all is well, 503 otherwise."""
    report = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = "ok"
    except DatabaseError as exc:
        report["database"] = f"error: {exc.__class__.__name__}"
    if report["database"] == "ok":
        try:
            pending = _pending_migrations()
            report["migrations"] = "ok" if pending == 0 else f"{pending} pending"
        except DatabaseError as exc:
            report["migrations"] = f"error: {exc.__class__.__name__}"
    else:
        report["migrations"] = "unknown"
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse(report, status=200 if healthy else 503)
