"""Small template tags for the shared frame (templates/base.html).

``{% load ui %}`` then ``{% nav_link "grants:list" "Grants" %}``: a navigation item that marks itself
``aria-current="page"`` on its own pages, so people (and screen readers) know where they are.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str, query: str = "", unless: str = "") -> str:
    """``<li><a>`` to ``url_name`` (plus ``?query``), current on every page under that URL.

    ``query`` makes the link current only when the request carries those parameters too (Saved is
    the grants list with ``saved=on``); ``unless`` names a parameter whose presence makes it not
    current (Grants is not current while Saved is).
    """
    path = reverse(url_name)
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
