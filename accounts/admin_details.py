"""What the apps above add to accounts' admin pages: the hook that keeps accounts from reaching up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.html import format_html_join
from django.utils.safestring import mark_safe


class AdminDetails:
    """Read-only lines the apps above add to accounts' admin pages, registered from their ``ready()``::

        from accounts.admin_details import admin_details
        admin_details.register(User, "Subscription", subscription_admin_summary)

    accounts never reaches up (no import, no reverse accessor, no ``reverse("admin:<their model>")``):
    a renderer takes the saved object and returns safe HTML.
    """

    def __init__(self) -> None:
        self._renderers: dict[tuple[str, str], Callable[[Any], Any]] = {}

    def register(self, model, label: str, render) -> None:
        self._renderers[(model._meta.label_lower, label)] = render

    def render(self, obj) -> str:
        if not obj.pk:
            return "None"
        label_lower = obj._meta.label_lower
        lines = [(label, render(obj)) for (model, label), render in self._renderers.items() if model == label_lower]
        return format_html_join(mark_safe("<br>"), "{}: {}", lines) or "None"


admin_details = AdminDetails()
