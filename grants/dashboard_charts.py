"""The dashboard's three charts as data: grants by score band, by category, deadlines by week.

Each function returns ``[(label, count), ...]`` in display order, ready for ``{% bar_chart %}``
(accounts/templatetags/charts.py). Counts come from the database in one grouped query each, so
the dashboard stays fast for users with many grants.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Func, Q
from django.utils import timezone

from grants.criteria import CATEGORY_LABELS
from grants.deadlines import DEADLINE_ZONE, deadline_day
from grants.models import HIGH_PRIORITY_SCORE, Grant

MEDIUM_SCORE = 0.4
TOP_CATEGORIES = 6
DEADLINE_WEEKS = 8


def score_bands(user) -> list[tuple[str, int]]:
    counts = Grant.objects.filter(user=user).aggregate(
        high=Count("id", filter=Q(overall_composite_score__gte=HIGH_PRIORITY_SCORE)),
        medium=Count(
            "id", filter=Q(overall_composite_score__gte=MEDIUM_SCORE, overall_composite_score__lt=HIGH_PRIORITY_SCORE)
        ),
        low=Count("id", filter=Q(overall_composite_score__lt=MEDIUM_SCORE)),
        unscored=Count("id", filter=Q(overall_composite_score__isnull=True)),
    )
    bands = [
        (f"High ({HIGH_PRIORITY_SCORE:.1f} and up)", counts["high"]),
        (f"Medium ({MEDIUM_SCORE:.1f} to {HIGH_PRIORITY_SCORE:.1f})", counts["medium"]),
        (f"Low (under {MEDIUM_SCORE:.1f})", counts["low"]),
    ]
    if counts["unscored"]:
        bands.append(("Not scored", counts["unscored"]))
    return bands


def categories(user) -> list[tuple[str, int]]:
    """The most common Grants.gov categories among the user's grants; the rest summed as "Other"."""
    rows = (
        Grant.objects.filter(user=user)
        .annotate(category=Func(F("categories"), function="jsonb_array_elements_text"))
        .values("category")
        .annotate(count=Count("id"))
        .order_by("-count", "category")
    )
    counted = [(CATEGORY_LABELS.get(row["category"], row["category"]), row["count"]) for row in rows]
    top, rest = counted[:TOP_CATEGORIES], counted[TOP_CATEGORIES:]
    if rest:
        top.append((f"{len(rest)} other categories", sum(count for _, count in rest)))
    return top


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def deadlines_by_week(user, *, now=None) -> list[tuple[str, int]]:
    """Open deadlines in each of the next eight weeks (Monday to Sunday, Eastern dates)."""
    now = now or timezone.now()
    first = _week_start(now.astimezone(DEADLINE_ZONE).date())
    weeks = [first + timedelta(weeks=index) for index in range(DEADLINE_WEEKS)]
    counts = dict.fromkeys(weeks, 0)
    end = datetime.combine(weeks[-1] + timedelta(days=7), time.min, tzinfo=DEADLINE_ZONE)
    # Eight weeks of one user's deadlines: few enough to bucket here, by their Eastern date.
    for moment in Grant.objects.filter(user=user, deadline__gte=now, deadline__lt=end).values_list(
        "deadline", flat=True
    ):
        counts[_week_start(deadline_day(moment))] += 1
    return [(f"Week of {week.day} {week:%b}", count) for week, count in counts.items()]
