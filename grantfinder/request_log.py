"""One structured (JSON) log line per request, with nothing personal or secret in it.

What a line holds: the method, the URL *pattern* that matched (``grants/<int:pk>/``, never the
path, whose unsubscribe and calendar tokens are secrets, nor the query string, which carries
search terms), the status, the duration, whether the caller was signed in, the worker's pid and
a request id. No user id, e-mail, IP address, user agent, cookie or header value is logged.

The request id is the caller's ``X-Request-ID`` when it looks like an id (so a proxy's id links
its log to ours), else a new one; the response carries it back in ``X-Request-ID``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid

from django.utils.functional import empty

logger = logging.getLogger("grantfinder.requests")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _request_id(request) -> str:
    offered = request.headers.get("X-Request-ID", "")
    return offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def _authenticated(request) -> bool | None:
    """Whether the view found a signed-in user; None when it never asked.

    Never loads the user itself: that would cost a query per request, and raise after the
    response when the database is down (the very request /health must answer).
    """
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return bool(wrapped.is_authenticated)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = _request_id(request)
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            # In ``finally``: a request that raised past Django's handler is logged as a 500 too.
            match = getattr(request, "resolver_match", None)
            logger.info(
                "request",
                # Not "request": django.request's records carry the request object under that name.
                extra={
                    "http": {
                        "request_id": request.request_id,
                        "method": request.method,
                        "route": match.route if match else None,
                        "view": match.view_name if match else None,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "authenticated": _authenticated(request),
                        "pid": os.getpid(),
                    }
                },
            )


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...the record's "http" fields}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "http", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


JsonFormatter.converter = time.gmtime
