"""Loads a small demo data set (idempotent) and prints how to sign in. ``make run`` calls it."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserSettings
from grants.models import Grant
from profiles.models import BusinessProfile

DEMO_EMAIL = "demo@grantfinder.local"
STAFF_EMAIL = "staff@grantfinder.local"
DEMO_PASSWORD = "grantfinder-demo"

DEMO_GRANTS = [
    ("Rural Broadband Deployment Pilot (sample data)", "Telecommunications", 0.86, 21, 250000),
    ("Community Digital Literacy Initiative (sample data)", "Education", 0.74, 45, 75000),
    ("Small Business Innovation Voucher (sample data)", "Economic Development", 0.58, 60, 50000),
    ("Clean Energy for Community Centres (sample data)", "Energy", 0.41, 90, 120000),
]


class Command(BaseCommand):
    help = "Create the demo user, a staff user and sample data (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        demo = self._user(DEMO_EMAIL, "Dana Demo", is_staff=False)
        self._user(STAFF_EMAIL, "Sam Staff", is_staff=True)
        UserSettings.objects.get_or_create(user=demo, defaults={"minimum_score": 0.6})
        BusinessProfile.objects.get_or_create(
            user=demo,
            defaults={
                "business_name": "Bayou Connect",
                "organization_type": "nonprofit",
                "mission_statement": "Bring affordable broadband and digital skills to rural Louisiana parishes.",
                "service_description": "Community Wi-Fi hubs, digital literacy classes and device lending.",
                "target_sectors": ["Telecommunications", "Education"],
                "geographic_focus": "Louisiana",
                "team_size": 12,
                "years_in_operation": 6,
                "revenue_range": "$250k-$1M",
            },
        )
        now = timezone.now()
        for title, sector, score, days, amount in DEMO_GRANTS:
            Grant.objects.get_or_create(
                user=demo,
                title=title,
                defaults={
                    "description": f"Sample opportunity for {sector.lower()} projects. Not a real grant.",
                    "identified_sector": sector,
                    "overall_composite_score": score,
                    "deadline": now + timedelta(days=days),
                    "funding_amount": amount,
                    "source_name": "Demo catalog",
                },
            )
        self.stdout.write(
            self.style.SUCCESS(
                "\nDemo data ready. Sign in at http://127.0.0.1:8000/accounts/login/ with:\n"
                f"  grant seeker: {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
                f"  staff (admin at /admin/): {STAFF_EMAIL} / {DEMO_PASSWORD}\n"
            )
        )

    def _user(self, email: str, name: str, *, is_staff: bool) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "is_staff": is_staff, "is_superuser": is_staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user
