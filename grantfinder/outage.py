"""A database that hangs or is gone: a prompt, friendly 503 instead of a worker stuck until
gunicorn kills it, and JSON errors on /api/ whatever failed.

PostgreSQL can stop answering without refusing: a frozen server, or a network path that still
accepts packets but delivers nothing. Then no server-side timeout can fire and TCP keepalives see
nothing wrong, so a query simply waits. ``DatabaseDeadlineMiddleware`` gives each request a
deadline (``DATABASE_REQUEST_DEADLINE_SECONDS``): once it has passed, a request still *waiting on
the database* is interrupted (a SIGALRM timer; the handler acts only when the interrupted code is
inside psycopg, so slow Python work is never cut), its connections are closed, and it answers 503.
gunicorn's sync workers serve each request on the main thread, which is where signals land; on
other threads (``runserver``) there is no deadline.

``server_error`` (``handler500``) answers database failures (connection lost, refused, timed out)
with 503 and ``Retry-After``; other errors stay 500. Both are JSON under /api/, and neither
touches the database, so they can still be sent while it is down. The 400, 403 and 404 handlers
are Django's pages, and JSON under /api/ (an unknown API path, a body too big to read).
"""

from __future__ import annotations

import signal
import sys
import threading

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

API_PREFIX = "/api/"
# How often, once the deadline has passed, the timer looks again for a database wait to interrupt.
TICK_SECONDS = 0.25
RETRY_AFTER_SECONDS = 5


class DatabaseDeadlineExceeded(Exception):
    """The request waited on the database past its deadline (not a DatabaseError: the
    connection's state is unknown, so it is closed, never reused)."""


def _waiting_on_database(frame) -> bool:
    while frame is not None:
        if "/psycopg/" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


class DatabaseDeadlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        deadline = settings.DATABASE_REQUEST_DEADLINE_SECONDS
        if not deadline or threading.current_thread() is not threading.main_thread():
            return self.get_response(request)
        state = {"hit": False}

        def on_alarm(signum, frame):
            if _waiting_on_database(frame):
                state["hit"] = True
                raise DatabaseDeadlineExceeded(f"no answer from the database within {deadline:g} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, deadline, TICK_SECONDS)
        try:
            return self.get_response(request)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if state["hit"]:
                # Interrupted mid-conversation: the next request must start on a new connection.
                for conn in connections.all(initialized_only=True):
                    conn.close()


def _database_failure(exc: BaseException | None) -> bool:
    return isinstance(exc, DatabaseDeadlineExceeded | OperationalError | InterfaceError)


def server_error(request, *args, **kwargs):
    """``handler500``: 503 for a database that failed, 500 otherwise; JSON under /api/."""
    exc = sys.exc_info()[1]
    unavailable = _database_failure(exc)
    if unavailable:
        # The connection may be half-way through a conversation: never reuse it.
        for conn in connections.all(initialized_only=True):
            conn.close()
    status = 503 if unavailable else 500
    if request.path.startswith(API_PREFIX):
        body = (
            {"detail": "The service is briefly unavailable; please try again shortly.", "code": "service_unavailable"}
            if unavailable
            else {"detail": "Internal server error.", "code": "server_error"}
        )
        response = JsonResponse(body, status=status)
    else:
        # A plain context: no request, so no session or user lookup reaches the database.
        response = HttpResponse(loader.get_template(f"{status}.html").render({}), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _api_or(default_view, status: int, detail: str, code: str):
    """Django's own error page, except under /api/, where the error is JSON like every other."""

    def view(request, exception=None, **kwargs):
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": detail, "code": code}, status=status)
        return default_view(request, exception, **kwargs)

    return view


bad_request = _api_or(defaults.bad_request, 400, "The request could not be read.", "bad_request")
permission_denied = _api_or(defaults.permission_denied, 403, "Forbidden.", "forbidden")
page_not_found = _api_or(defaults.page_not_found, 404, "Not Found", "not_found")
