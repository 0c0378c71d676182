"""Reports that other apps add to /health, beside the database, migrations and workers.

core sits at the bottom of the import graph, so an app higher up registers its report from
its ``AppConfig.ready``::

    from core.health import health_reports
    health_reports.register("catalog", catalog_health)

A report is a function of no arguments returning a JSON-able value whose ``"status"`` is "ok"
or says what is wrong. It runs inside /health's transaction (with its statement timeout).
Such reports are informational: they never turn /health into a 503, which is kept for what
makes this process unable to serve (the database, migrations, the workers).
"""

from __future__ import annotations

from collections.abc import Callable


class HealthReports:
    def __init__(self) -> None:
        self._reports: dict[str, Callable[[], dict]] = {}

    def register(self, name: str, report: Callable[[], dict]) -> None:
        self._reports[name] = report

    def unregister(self, name: str) -> None:
        self._reports.pop(name, None)

    def items(self):
        return list(self._reports.items())


health_reports = HealthReports()
