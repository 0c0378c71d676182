from django.core.management.base import BaseCommand

from billing.services.usage import usage_reset_expired


class Command(BaseCommand):
    help = "Start a new monthly usage period for free-plan users whose period has ended. Safe to run daily."

    def handle(self, *args, **options):
        count = usage_reset_expired()
        self.stdout.write(f"Usage reset for {count} free-plan user(s).")
