"""Small template tags for the shared frame (templates/base.html).

``{% load ui %}`` then ``{% nav_link "grants:list" "Grants" %}``: a navigation item that marks itself
``aria-current="page"`` on its own pages, so people (and screen readers) know where they are.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html

from core.first_steps import first_steps

register = template.Library()
FIRST_STEPS_DONE = "first_steps_done"


@lru_cache(maxsize=64)
def _path(url_name: str, script_prefix: str) -> str:
    # Nine links on every page, each a constant path: resolved once per process, not per request.
    return reverse(url_name)


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str, query: str = "", unless: str = "") -> str:
    """``<li><a>`` to ``url_name`` (plus ``?query``), current on every page under that URL.

    ``query`` makes the link current only when the request carries those parameters too (Saved is
    the grants list with ``saved=on``); ``unless`` names a parameter whose presence makes it not
    current (Grants is not current while Saved is).
    """
    path = _path(url_name, get_script_prefix())
    href = f"{path}?{query}" if query else path
    request = context.get("request")
    current = False
    if request is not None:
        current = request.path == path if path == "/" else request.path.startswith(path)
        if current and query:
            current = all(request.GET.get(key) == value for key, value in parse_qsl(query))
        if current and unless:
            current = not request.GET.get(unless)
    if current:
        return format_html('<li><a href="{}" aria-current="page">{}</a></li>', href, label)
    return format_html('<li><a href="{}">{}</a></li>', href, label)


@register.inclusion_tag("_first_run_checklist.html", takes_context=True)
def first_run_checklist(context) -> dict:
    """The three first steps (profile, first search, first application), shown until all are done.

    ``{% load ui %}{% first_run_checklist %}`` on the dashboard. The steps are those the apps
    registered in ``core.first_steps``, so core needs no import from the apps that build on it.
    """
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"steps": [], "remaining": 0}
    request = context.get("request")
    session = getattr(request, "session", None)
    # Once every step is done the checklist is gone for good: remembered in the session, so an
    # established user's dashboard does not ask the database three questions on every view.
    if session is not None and session.get(FIRST_STEPS_DONE):
        return {"steps": [], "remaining": 0}
    steps = [
        {"label": step.label, "why": step.why, "done": step.done(user), "url": reverse(step.url_name)}
        for step in first_steps
    ]
    remaining = sum(not step["done"] for step in steps)
    if not remaining and session is not None:
        session[FIRST_STEPS_DONE] = True
    return {"steps": steps, "remaining": remaining}
