"""Display helpers for grants: deadlines in Grants.gov's zone (Eastern), amounts in dollars."""

from __future__ import annotations

from django import template

from grants.deadlines import deadline_text

register = template.Library()


@register.filter
def deadline(value, fmt: str = "j M Y"):
    """A deadline as a date in US Eastern time, where federal deadlines are set (11:59 pm ET)."""
    return deadline_text(value, fmt)


@register.filter
def dollars(value):
    if value in (None, ""):
        return ""
    return f"${int(value):,}"
