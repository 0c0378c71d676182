"""The dashboard's three charts as data: grants by score band, by category, deadlines by week.

Each function returns ``[(label, count), ...]`` in display order, ready for ``{% bar_chart %}``
(core/templatetags/charts.py). Score bands and categories come from the user's precomputed
figures (grants.models.GrantFigures); deadlines from one grouped, indexed query.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from grants.criteria import CATEGORY_LABELS
from grants.deadlines import DEADLINE_ZONE
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


_WEEKS_SQL = (
    "SELECT "
    + ", ".join(["count(*) FILTER (WHERE deadline >= %s AND deadline < %s)"] * DEADLINE_WEEKS)
    + " FROM grants WHERE user_id = %s AND deadline >= %s AND deadline < %s"
)


def deadlines_by_week(user, *, now=None) -> list[tuple[str, int]]:
    """Open deadlines in each of the next eight weeks (Monday to Sunday, Eastern dates)."""
    now = now or timezone.now()
    first = _week_start(now.astimezone(DEADLINE_ZONE).date())
    weeks = [first + timedelta(weeks=index) for index in range(DEADLINE_WEEKS)]
    # Each week's bounds are its Monday's midnight, Eastern: one count per week in one pass over
    # the (user, deadline, id) index, no per-row time zone conversion. Plain SQL: built by the
    # ORM, these eight filtered counts took longer to compile than to run.
    bounds = [datetime.combine(week, time.min, tzinfo=DEADLINE_ZONE) for week in weeks]
    bounds.append(bounds[-1] + timedelta(days=7))
    params = [bound for index in range(DEADLINE_WEEKS) for bound in (bounds[index], bounds[index + 1])]
    with connection.cursor() as cursor:
        cursor.execute(_WEEKS_SQL, [*params, user.pk, now, bounds[-1]])
        counts = cursor.fetchone()
    return [(f"Week of {week.day} {week:%b}", counts[index]) for index, week in enumerate(weeks)]
