"""Input PostgreSQL cannot store, or the API does not take, refused in one place before any view.

- Text with a NUL character, or with a lone UTF-16 surrogate (``"\\ud800"`` in JSON), cannot be
  stored in a PostgreSQL text column: in the query string, a form post or a JSON body it gets 400
  on pages and 422 on the API, naming the field, before anything is read or written.
- The API takes JSON objects only as bodies: an array, a number or text that is not JSON is 422
  (``[null,null]`` once started a search run).
- A multipart body without a usable boundary is 400, answered here, so it never reaches a parser
  that would log a traceback for it.
"""

from __future__ import annotations

import json
import re

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import parse_header_parameters

API_PREFIX = "/api/"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# RFC 2046's boundary characters, as Django's multipart parser accepts them.
_BOUNDARY = re.compile(r"[ -~]{0,200}[!-~]")
_REFUSED_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def refused_text(value: str) -> bool:
    return bool(_REFUSED_TEXT.search(value))


def _refused_in(data, path: str = "") -> str | None:
    """The path (``sections.summary``, ``keywords``) of the first text PostgreSQL would refuse."""
    if isinstance(data, str):
        return path or "body" if refused_text(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if refused_text(str(key)):
                return here
            found = _refused_in(value, here)
            if found:
                return found
    if isinstance(data, list):
        for index, value in enumerate(data):
            found = _refused_in(value, f"{path}[{index}]" if path else f"[{index}]")
            if found:
                return found
    return None


def _refused_in_query_dict(query) -> str | None:
    for key, values in query.lists():
        if refused_text(key) or any(refused_text(value) for value in values):
            return key
    return None


def _problem(request) -> str | None:
    field = _refused_in_query_dict(request.GET)
    if field:
        return f"{field}: contains a character that cannot be stored (such as NUL)."
    if request.method not in WRITE_METHODS:
        return None
    content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    if content_type == "multipart/form-data" and not _BOUNDARY.fullmatch(params.get("boundary", "")):
        return "The form could not be read: its multipart body has no valid boundary."
    # A form body on the API carries nothing an operation reads (they take JSON); any other body is
    # read as JSON by the operation, so it must be a JSON object.
    if request.path.startswith(API_PREFIX) and content_type not in FORM_TYPES and request.body.strip():
        try:
            data = json.loads(request.body)
        except ValueError:
            return "The body must be a JSON object."
        if not isinstance(data, dict):
            return "The body must be a JSON object."
        field = _refused_in(data)
        if field:
            return f"{field}: contains a character that cannot be stored (such as NUL)."
    return None


def _form_problem(request, view_func) -> str | None:
    """Form fields, once the view is known. A view exempt from Django's CSRF middleware reads its
    body itself, e.g. after installing an upload guard (profiles/views.py), so its body is left
    unread here; for every other view the CSRF check reads the form anyway."""
    if request.method not in WRITE_METHODS or getattr(view_func, "csrf_exempt", False):
        return None
    if request.content_type not in FORM_TYPES:
        return None
    field = _refused_in_query_dict(request.POST)
    if field:
        return f"{field}: contains a character that cannot be stored (such as NUL)."
    return None


def _refuse(request, problem: str):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": problem, "code": "invalid_input"}, status=422)
    return render(request, "400.html", {"message": problem}, status=400)


class InputHygieneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _problem(request)
        if problem is not None:
            return _refuse(request, problem)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        problem = _form_problem(request, view_func)
        return None if problem is None else _refuse(request, problem)
