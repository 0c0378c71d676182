"""The periodic commands: one schedule for cron and for bin/periodic.

README's cron block is printed from this table (``manage.py periodic --cron``; a test keeps
the README equal to it and runs each of its commands), and bin/periodic asks every minute
which commands are due (``manage.py periodic --due``) and starts them. Times are cron's:
the machine's local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Periodic:
    when: str  # five cron fields: minute hour day-of-month month day-of-week
    command: str  # manage.py's arguments
    why: str


SCHEDULE: tuple[Periodic, ...] = (
    Periodic("* * * * *", "fail_stale_tasks --verbosity 0", "fail the tasks of dead workers"),
    Periodic("*/5 * * * *", "run_scheduled_searches --verbosity 0", "start the scheduled searches that are due"),
    Periodic("0 * * * *", "send_grant_alerts --verbosity 0", "saved-search digests and deadline reminders"),
    Periodic("15 3 * * *", "reset_usage --verbosity 0", "the free plans' new month"),
    Periodic("30 3 * * *", "purge_deleted_accounts --verbosity 0", "erase accounts past their grace period"),
    Periodic("45 3 * * *", "prune_db_task_results --min-age-days 30 --verbosity 0", "drop old task results"),
    Periodic(
        "0 4 * * *",
        "sync_grants --source grantsgov --verbosity 0",
        "refresh the catalog from Grants.gov (GRANTSGOV_SYNC_METHOD: api or xml), then send alerts",
    ),
    Periodic(
        "15 4 * * *",
        "sync_grants --source ca-portal --no-alerts --verbosity 0",
        "the California Grants Portal (refreshed by the state every evening)",
    ),
)

_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def _field_values(field: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in field.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            start, end = low, high
        elif "-" in spec:
            start, end = (int(x) for x in spec.split("-"))
        else:
            start = end = int(spec)
        if not (low <= start <= end <= high) or step < 1:
            raise ValueError(f"cron field {field!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def is_due(when: str, moment: datetime) -> bool:
    """Whether a cron expression fires at this minute (day-of-month and day-of-week OR-ed, as cron does)."""
    fields = when.split()
    if len(fields) != 5:
        raise ValueError(f"{when!r} is not five cron fields")
    minute, hour, day, month, weekday = (
        _field_values(f, low, high) for f, (low, high) in zip(fields, _RANGES, strict=True)
    )
    weekday = {0 if d == 7 else d for d in weekday}
    cron_weekday = (moment.weekday() + 1) % 7  # cron: Sunday is 0
    day_matches = moment.day in day
    weekday_matches = cron_weekday in weekday
    if fields[2] != "*" and fields[4] != "*":
        calendar = day_matches or weekday_matches
    else:
        calendar = day_matches and weekday_matches
    return moment.minute in minute and moment.hour in hour and moment.month in month and calendar


def due(moment: datetime) -> list[str]:
    return [entry.command for entry in SCHEDULE if is_due(entry.when, moment)]


def crontab(directory: str = "/srv/grantfinder") -> list[str]:
    return [f"{entry.when:<11} cd {directory} && .venv/bin/python manage.py {entry.command}" for entry in SCHEDULE]
