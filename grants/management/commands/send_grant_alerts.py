"""Send saved-search digests and deadline reminders (run it hourly or daily, e.g. from cron).

Safe to run as often as you like: digests go out at most once a day per saved search, and a
reminder once per grant and deadline.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from grants.services.alerts import alerts_send_digests, deadline_reminders_send


class Command(BaseCommand):
    help = "E-mail saved-search digests and deadline reminders that are due."

    def handle(self, *args, **options):
        digests = alerts_send_digests()
        reminders = deadline_reminders_send()
        self.stdout.write(f"alerts: {digests} digest(s), {reminders} deadline reminder(s) sent")
