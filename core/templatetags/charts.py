"""Bar charts as server-side SVG: no outside service, no script, nothing for the CSP to block.

Any app's template can draw one::

    {% load charts %}
    {% bar_chart score_bands title="Grants by score band" %}
    {% bar_chart categories title="Grants by category" unit="grant" %}
    {% bar_chart deadline_weeks title="Deadlines by week" empty="No deadlines in the next eight weeks." %}

``data`` is any of: a dict ``{label: value}``, a list of ``(label, value)`` pairs, or a list of dicts
with ``label`` and ``value`` (or ``count``) keys (so ``queryset.values("label").annotate(count=Count("id"))``
works once the grouping field is aliased to ``label``). Order is kept: sort in the view. Values are
numbers; negative ones are drawn as zero.

Bars are horizontal, sized in percent of the chart's width with the text in real pixels, so the
chart stays legible from a 390 px phone to a desktop. The SVG is one image whose accessible name is
the title and whose description lists every label and value, so a screen reader gets the same facts.

From Python (a view, an e-mail): ``bar_chart_svg(data, title=...)`` returns the same safe HTML.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ROW_HEIGHT = 46  # label line + bar + gap, in px
BAR_HEIGHT = 18
LABEL_GAP = 18  # baseline of the label above its bar
MAX_BAR_PERCENT = 82  # room after the longest bar for its value
_ids = itertools.count(1)


def _rows(data) -> list[tuple[str, float]]:
    if data is None:
        return []
    if isinstance(data, Mapping):
        items: Iterable = data.items()
    else:
        items = data
    rows = []
    for item in items:
        if isinstance(item, Mapping):
            label = item.get("label")
            value = item.get("value", item.get("count"))
        else:
            label, value = item
        rows.append((str(label), max(float(value or 0), 0.0)))
    return rows


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def bar_chart_svg(data, *, title: str, unit: str = "", empty: str = "Nothing to show yet.") -> SafeString:
    """A ``<figure class="chart">`` holding a horizontal bar chart of ``data`` as inline SVG."""
    rows = _rows(data)
    chart_id = f"chart-{next(_ids)}"
    if not rows or all(value == 0 for _, value in rows):
        return format_html(
            '<figure class="chart" id="{}"><figcaption>{}</figcaption><p class="chart-empty">{}</p></figure>',
            chart_id,
            title,
            empty,
        )
    largest = max(value for _, value in rows)

    def with_unit(value: float) -> str:
        if not unit:
            return _number(value)
        return f"{_number(value)} {unit}{'' if value == 1 else 's'}"

    bars = []
    for index, (label, value) in enumerate(rows):
        top = index * ROW_HEIGHT
        percent = value / largest * MAX_BAR_PERCENT if largest else 0
        bars.append(
            format_html(
                '<text class="bar-label" x="0" y="{}">{}</text>'
                '<rect class="bar" x="0" y="{}" width="{}%" height="{}" rx="3"></rect>'
                '<text class="bar-value" x="{}%" dx="6" y="{}">{}</text>',
                top + 14,
                label,
                top + LABEL_GAP + 2,
                f"{percent:.2f}",
                BAR_HEIGHT,
                f"{percent:.2f}",
                top + LABEL_GAP + 16,
                _number(value),
            )
        )
    summary = "; ".join(f"{label}: {with_unit(value)}" for label, value in rows)
    return format_html(
        '<figure class="chart" id="{id}">'
        '<figcaption id="{id}-title">{title}</figcaption>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<desc id="{id}-desc">{summary}</desc>{bars}</svg>'
        "</figure>",
        id=chart_id,
        title=title,
        height=len(rows) * ROW_HEIGHT,
        summary=summary,
        bars=mark_safe("".join(bars)),  # each piece built by format_html above
    )


@register.simple_tag
def bar_chart(data, title: str = "", unit: str = "", empty: str = "Nothing to show yet.") -> SafeString:
    return bar_chart_svg(data, title=title, unit=unit, empty=empty)
