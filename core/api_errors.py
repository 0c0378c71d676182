"""The API's error bodies and which operation can answer which: one definition, used by the
handlers that send them (grantfinder/api.py, accounts/middleware.py, grantfinder/input_hygiene.py,
grantfinder/outage.py, billing/api.py) and by the OpenAPI document that declares them.

Every operation declares what any request to it may get: 401 (not signed in), 422 (input the API
does not take: grantfinder/input_hygiene.py, or parameters that do not validate), 503 (the database
failed: grantfinder/outage.py); every write also 429 (accounts/throttling.py) and 403 (a session
without its CSRF token); every path with an id also 404. Operations add their own (402 when an allowance is spent, 404 for a body id, 400, 409).
"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    code: str = ""


class InvalidOut(Schema):
    """422. ``errors``: the parameters that did not validate (list), or a form's messages by field."""

    detail: str
    code: str = ""
    errors: list[dict[str, Any]] | dict[str, list[str]] = []


class ThrottledOut(Schema):
    detail: str
    code: str
    scope: str
    retry_after: int


class UsageLimitOut(Schema):
    detail: str
    code: str
    kind: str
    limit: int
    upgrade_url: str


WRITE_METHODS = ("post", "put", "patch", "delete")


def declared_errors(*, path: str, method: str, authenticated: bool) -> dict[int, type[Schema]]:
    """The error answers every operation like this one can give, whatever its code says."""
    errors: dict[int, type[Schema]] = {422: InvalidOut, 503: ErrorOut}
    if authenticated:
        errors[401] = ErrorOut
    if method in WRITE_METHODS:
        errors[429] = ThrottledOut
        if authenticated:
            errors[403] = ErrorOut  # a session's write without its CSRF token
    if "{" in path:
        errors[404] = ErrorOut
    return errors


ERROR_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not signed in",
    402: "The plan's allowance is spent",
    403: "CSRF check failed",
    404: "Not found, or not the caller's",
    409: "Conflict",
    422: "Input not accepted",
    429: "Rate limited (see Retry-After)",
    503: "The database is unavailable (see Retry-After)",
}
