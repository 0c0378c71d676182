"""The dashboard chart data: score bands, top categories, deadlines by Eastern week."""

from __future__ import annotations

from datetime import datetime

import pytest

from grants.dashboard_charts import categories, deadlines_by_week, score_bands
from grants.deadlines import DEADLINE_ZONE
from tests.factories import GrantFactory

pytestmark = pytest.mark.django_db


def test_it_counts_grants_by_score_band(user, other_user):
    for score in (0.95, 0.7, 0.69, 0.4, 0.1):
        GrantFactory(user=user, overall_composite_score=score)
    GrantFactory(user=user, overall_composite_score=None)
    GrantFactory(user=other_user, overall_composite_score=0.9)

    assert score_bands(user) == [
        ("High (0.7 and up)", 2),
        ("Medium (0.4 to 0.7)", 2),
        ("Low (under 0.4)", 1),
        ("Not scored", 1),
    ]


def test_it_counts_the_top_categories_and_sums_the_rest(user, other_user):
    for codes in (["ED", "HL"], ["ED"], ["ED", "IS"], ["HL"], ["AG"], ["AR"], ["BC"], ["CD"], ["EN"], []):
        GrantFactory(user=user, categories=codes)
    GrantFactory(user=other_user, categories=["ED"])

    assert categories(user) == [
        ("Education", 3),
        ("Health", 2),
        ("Agriculture", 1),
        ("Arts", 1),
        ("Business and Commerce", 1),
        ("Community Development", 1),
        ("2 other categories", 2),
    ]


def test_it_counts_deadlines_in_each_of_the_next_eight_eastern_weeks(user, other_user):
    # Wednesday 2 December 2026, noon Eastern; that week starts on Monday 30 November.
    now = datetime(2026, 12, 2, 12, 0, tzinfo=DEADLINE_ZONE)
    for day in (2, 6, 7):
        GrantFactory(user=user, deadline=datetime(2026, 12, day, 23, 59, tzinfo=DEADLINE_ZONE))
    GrantFactory(user=user, deadline=datetime(2026, 12, 2, 11, 0, tzinfo=DEADLINE_ZONE))  # already passed
    GrantFactory(user=user, deadline=datetime(2027, 1, 24, 23, 59, tzinfo=DEADLINE_ZONE))  # last day of week 8
    GrantFactory(user=user, deadline=datetime(2027, 1, 25, 23, 59, tzinfo=DEADLINE_ZONE))  # week 9
    GrantFactory(user=user, deadline=None)
    GrantFactory(user=other_user, deadline=datetime(2026, 12, 3, 23, 59, tzinfo=DEADLINE_ZONE))

    assert deadlines_by_week(user, now=now) == [
        ("Week of 30 Nov", 2),
        ("Week of 7 Dec", 1),
        ("Week of 14 Dec", 0),
        ("Week of 21 Dec", 0),
        ("Week of 28 Dec", 0),
        ("Week of 4 Jan", 0),
        ("Week of 11 Jan", 0),
        ("Week of 18 Jan", 1),
    ]
