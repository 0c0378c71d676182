"""The {% bar_chart %} tag: server-side SVG bars, sized to the data, labelled for screen readers."""

from __future__ import annotations

import re

from django.template import Context, Template

from core.templatetags.charts import bar_chart_svg


def _bars(html: str) -> list[str]:
    return re.findall(r'<rect class="bar"[^>]* width="([0-9.]+)%"', html)


def test_it_draws_one_bar_per_label_scaled_to_the_largest():
    html = bar_chart_svg([("High", 4), ("Medium", 2), ("Low", 1)], title="Grants by score band")

    assert _bars(html) == ["82.00", "41.00", "20.50"]
    assert re.findall(r'<text class="bar-label"[^>]*>([^<]*)</text>', html) == ["High", "Medium", "Low"]
    assert re.findall(r'<text class="bar-value"[^>]*>([^<]*)</text>', html) == ["4", "2", "1"]
    assert 'role="img"' in html and "<figcaption" in html and "Grants by score band" in html
    assert "<desc" in html and "High: 4; Medium: 2; Low: 1" in html
    assert 'height="138"' in html  # three rows of 46 px


def test_it_takes_a_dict_or_dicts_with_label_and_count_and_names_the_unit():
    from_dict = bar_chart_svg({"Education": 3, "Health": 1}, title="By category", unit="grant")
    from_rows = bar_chart_svg(
        [{"label": "Education", "count": 3}, {"label": "Health", "count": 1}], title="By category", unit="grant"
    )

    assert _bars(from_dict) == _bars(from_rows) == ["82.00", "27.33"]
    assert "Education: 3 grants; Health: 1 grant" in from_dict


def test_it_says_so_when_there_is_nothing_to_draw():
    for data in ([], {}, None, [("Week of 1 Dec", 0)]):
        html = bar_chart_svg(data, title="Deadlines by week", empty="No deadlines in the next eight weeks.")
        assert "<svg" not in html
        assert "No deadlines in the next eight weeks." in html


def test_it_escapes_labels_and_titles():
    html = bar_chart_svg([("<script>alert(1)</script>", 2)], title="<b>T</b>")

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>T</b>" not in html


def test_it_renders_from_a_template():
    html = Template('{% load charts %}{% bar_chart data title="By week" %}').render(Context({"data": [("W1", 2)]}))

    assert _bars(html) == ["82.00"]
    assert "By week" in html
