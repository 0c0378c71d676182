"""The dashboard's three charts as data: grants by score band, by category, deadlines by week.

Each function returns ``[(label, count), ...]`` in display order, ready for ``{% bar_chart %}``
(core/templatetags/charts.py). Score bands and categories come from the user's precomputed
figures (grants.models.GrantFigures); deadlines from one grouped, indexed query.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from grants.criteria import CATEGORY_LABELS
from grants.deadlines import DEADLINE_ZONE
from grants.models import Grant
from grants.scoring import HIGH_PRIORITY_SCORE, MEDIUM_SCORE

TOP_CATEGORIES = 6
DEADLINE_WEEKS = 8


def _figures(user, figures):
    if figures is not None:
        return figures
    from grants.selectors import figures_for_user

    return figures_for_user(user)


def score_bands(user, figures=None) -> list[tuple[str, int]]:
    """From the user's precomputed figures (``figures``, or read here)."""
    counts = _figures(user, figures)
    bands = [
        (f"High ({HIGH_PRIORITY_SCORE:.1f} and up)", counts.high),
        (f"Medium ({MEDIUM_SCORE:.1f} to {HIGH_PRIORITY_SCORE:.1f})", counts.medium),
        (f"Low (under {MEDIUM_SCORE:.1f})", counts.low),
    ]
    if counts.unscored:
        bands.append(("Not scored", counts.unscored))
    return bands


def categories(user, figures=None) -> list[tuple[str, int]]:
    """The most common Grants.gov categories among the user's grants; the rest summed as "Other"."""
    counted = sorted(
        (
            (CATEGORY_LABELS.get(code, code), count)
            for code, count in _figures(user, figures).categories.items()
            if count
        ),
        key=lambda item: (-item[1], item[0]),
    )
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
    # Counted by Eastern week in the database, from the (user, deadline) index: a user with
    # thousands of grants has hundreds of deadlines in eight weeks.
    weeks_counted = (
        Grant.objects.filter(user=user, deadline__gte=now, deadline__lt=end)
        .annotate(week=TruncWeek("deadline", tzinfo=DEADLINE_ZONE))
        .order_by()
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    for week, count in weeks_counted:
        counts[week.date()] += count
    return [(f"Week of {week.day} {week:%b}", count) for week, count in counts.items()]
