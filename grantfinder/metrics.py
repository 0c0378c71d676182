"""Prometheus metrics at ``/metrics`` (prometheus_client): what an operator alerts on.

Counted as requests happen (per process): request latency and count by URL pattern, database
queries and their time by URL pattern, throttled requests by limit. Read from PostgreSQL when
scraped (so every process answers the same): the task queue's depth and oldest waiting task,
worker liveness and the catalog's age per source.

Under gunicorn each worker is its own process: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory (``bin/serve`` does) and the per-process counts are summed at scrape time.

Only callers from ``METRICS_ALLOWED_IPS`` (never through a proxy: a request carrying
``X-Forwarded-For`` does not count as coming from its socket address) or with
``Authorization: Bearer METRICS_TOKEN`` get the page; everyone else gets a 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from accounts.throttling import request_throttled

UNMATCHED = "<unmatched>"  # 404s: one label, whatever the path, so scanners cannot blow up the series

REQUEST_SECONDS = Histogram(
    "grantfinder_http_request_duration_seconds",
    "Time to answer a request, by URL pattern and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1, 2.5, 5, 10, 30),
)
REQUESTS = Counter(
    "grantfinder_http_requests", "Requests answered, by URL pattern, method and status.", ["route", "method", "status"]
)
DB_QUERIES = Counter("grantfinder_db_queries", "Database queries run by requests, by URL pattern.", ["route"])
DB_QUERY_SECONDS = Counter(
    "grantfinder_db_query_seconds", "Time requests spent in database queries, by URL pattern.", ["route"]
)
THROTTLED = Counter("grantfinder_throttled_requests", "Requests refused by a rate limit, by limit.", ["scope"])


def throttled_count(sender, **kwargs) -> None:
    THROTTLED.labels(scope=str(sender)).inc()


request_throttled.connect(throttled_count, dispatch_uid="grantfinder.metrics.throttled_count")


class _QueryTimer:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        timer = _QueryTimer()
        status = 500
        try:
            with connection.execute_wrapper(timer):
                response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            match = getattr(request, "resolver_match", None)
            route = (match.route or match.view_name) if match else UNMATCHED
            REQUEST_SECONDS.labels(route=route, method=request.method).observe(time.perf_counter() - started)
            REQUESTS.labels(route=route, method=request.method, status=str(status)).inc()
            DB_QUERIES.labels(route=route).inc(timer.count)
            DB_QUERY_SECONDS.labels(route=route).inc(timer.seconds)


class StateCollector:
    """Gauges read from the database at scrape time."""

    NAMES = (
        "grantfinder_task_queue_depth",
        "grantfinder_task_queue_oldest_age_seconds",
        "grantfinder_tasks_running",
        "grantfinder_workers_alive",
        "grantfinder_worker_heartbeat_age_seconds",
        "grantfinder_catalog_age_seconds",
    )

    def describe(self):
        # Registering asks for the names; without this it would run collect(), a query at import.
        return [GaugeMetricFamily(name, name) for name in self.NAMES]

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from core.workers import workers_alive
        from grants.selectors import catalog_last_success_by_source

        now = timezone.now()
        depth = GaugeMetricFamily(
            "grantfinder_task_queue_depth", "Background tasks waiting for a worker, by queue.", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "grantfinder_task_queue_oldest_age_seconds",
            "How long the oldest waiting task has waited, by queue (0 when none waits).",
            labels=["queue"],
        )
        running = GaugeMetricFamily(
            "grantfinder_tasks_running", "Background tasks running now, by queue.", labels=["queue"]
        )
        rows = DBTaskResult.objects.values("queue_name").annotate(
            ready=Count("pk", filter=Q(status="READY")),
            running=Count("pk", filter=Q(status="RUNNING")),
            oldest=Min("enqueued_at", filter=Q(status="READY")),
        )
        for row in rows:
            depth.add_metric([row["queue_name"]], row["ready"])
            running.add_metric([row["queue_name"]], row["running"])
            age = (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0
            oldest.add_metric([row["queue_name"]], age)
        yield depth
        yield oldest
        yield running

        alive, newest = workers_alive(now=now)
        yield GaugeMetricFamily(
            "grantfinder_workers_alive", "Background workers whose heartbeat is fresh (see /health).", value=alive
        )
        yield GaugeMetricFamily(
            "grantfinder_worker_heartbeat_age_seconds",
            "Seconds since the newest heartbeat of any worker (-1: none ever).",
            value=(now - newest).total_seconds() if newest else -1,
        )

        catalog = GaugeMetricFamily(
            "grantfinder_catalog_age_seconds",
            "Seconds since each catalog source last finished a successful (or partly successful) sync.",
            labels=["source"],
        )
        for source, last in sorted(catalog_last_success_by_source().items()):
            catalog.add_metric([source], (now - last).total_seconds())
        yield catalog


_STATE = StateCollector()
REGISTRY.register(_STATE)


def _registry():
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(_STATE)
    return registry


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and offered.startswith("Bearer ") and hmac.compare_digest(offered[7:].encode(), token.encode()):
        return True
    if "X-Forwarded-For" in request.headers:
        return False  # came through a proxy: the socket address is the proxy's, not the caller's
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS)


@never_cache
def metrics(request):
    if not _allowed(request):
        raise Http404()
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
