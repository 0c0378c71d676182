from __future__ import annotations

from datetime import date

import pytest

from grants.sources.normalize import close_date_split, html_to_text, parse_date, parse_money, sanitize_html


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10/11/2023", date(2023, 10, 11)),  # search2 hits
        ("10112023", date(2023, 10, 11)),  # XML extract
        ("2021-02-22-00-00-00", date(2021, 2, 22)),  # fetchOpportunity ...Str
        ("Jun 16, 2020 12:00:00 AM EDT", date(2020, 6, 16)),  # fetchOpportunity plain
        ("2024-12-31", date(2024, 12, 31)),
        ("", None),
        ("undefined", None),
        ("31/31/2020", None),
    ],
)
def test_it_reads_every_date_format(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("none", None), ("0", None), ("", None), ("1500000", 1500000), ("$1,500,000.00", 1500000), ("abc", None)],
)
def test_it_reads_money_strings(text, expected):
    assert parse_money(text) == expected


def test_it_turns_stand_in_close_dates_into_rolling():
    assert close_date_split(date(2099, 1, 1)) == (None, True)
    assert close_date_split(date(2076, 12, 31)) == (None, True)
    assert close_date_split(date(2027, 3, 1)) == (date(2027, 3, 1), False)


def test_it_sanitises_html_and_wraps_plain_text():
    cleaned = sanitize_html(
        '<p onclick="x()">Hi <a href="https://a.example" style="c">link</a></p><script>bad()</script>'
    )
    assert "script" not in cleaned and "onclick" not in cleaned and "style" not in cleaned
    assert '<a href="https://a.example" rel="noopener nofollow">link</a>' in cleaned
    assert sanitize_html("One & two\n\nThree") == "<p>One &amp; two</p><p>Three</p>"
    assert sanitize_html("&lt;p&gt;escaped&lt;/p&gt;") == "<p>escaped</p>"
    assert html_to_text("<p>Rural &amp; tribal</p><ul><li>clinics</li></ul>") == "Rural & tribal clinics"


def test_it_keeps_only_http_links():
    from grants.sources.normalize import safe_url

    assert safe_url("https://www.grants.gov/x?a=1") == "https://www.grants.gov/x?a=1"
    assert safe_url("javascript:alert(1)", "https://fallback") == "https://fallback"
    assert safe_url("www.example.gov") == ""
