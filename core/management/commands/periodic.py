"""The periodic schedule (grantfinder/periodic.py): print it as cron lines, or what is due now."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from grantfinder.periodic import crontab, due


class Command(BaseCommand):
    help = "Print the periodic commands as crontab lines (--cron) or those due this minute (--due), one a line."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--cron", action="store_true", help="the crontab lines (README's cron block)")
        group.add_argument("--due", action="store_true", help="manage.py arguments of the commands due now")
        parser.add_argument("--dir", default="/srv/grantfinder", help="the checkout the cron lines cd into")
        parser.add_argument("--at", help="for --due: this local minute (YYYY-MM-DDTHH:MM) instead of now")

    def handle(self, *args, cron=False, dir="/srv/grantfinder", at=None, **options):
        if cron:
            lines = crontab(dir)
        else:
            try:
                moment = datetime.fromisoformat(at) if at else datetime.now()  # noqa: DTZ005 - cron's local time
            except ValueError:
                raise CommandError(f"--at {at!r} is not YYYY-MM-DDTHH:MM.")
            lines = due(moment)
        for line in lines:
            self.stdout.write(line)
