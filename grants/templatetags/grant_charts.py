"""``{% load grant_charts %}{% dashboard_charts %}``: the dashboard's three charts for the signed-in user."""

from __future__ import annotations

from django import template

from grants import dashboard_charts as charts

register = template.Library()


@register.inclusion_tag("grants/_dashboard_charts.html", takes_context=True)
def dashboard_charts(context) -> dict:
    user = context["user"]
    figures = context.get("figures")  # the dashboard's, already read
    return {
        "score_bands": charts.score_bands(user, figures),
        "categories": charts.categories(user, figures),
        "deadline_weeks": charts.deadlines_by_week(user),
    }
