"""Loads a small demo data set (idempotent) and prints how to sign in. ``make run`` calls it."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserSettings
from grants.criteria import SearchCriteria
from grants.models import Grant, Opportunity, OpportunitySource
from grants.selectors import opportunity_search
from grants.services import catalog_sync_demo
from grants.services.search_runs import grants_add_new, opportunities_score
from profiles.models import BusinessProfile

DEMO_EMAIL = "demo@grantfinder.local"
STAFF_EMAIL = "staff@grantfinder.local"
DEMO_PASSWORD = "grantfinder-demo"

# The demo user's grants: the sample catalog's best matches for their profile, scored by the same
# scorer as a search run (every dimension with its reasons), each with a stated award.
DEMO_GRANT_COUNT = 6


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
        self._grants(demo)
        self.stdout.write(
            self.style.SUCCESS(
                "\nDemo data ready. Sign in at http://127.0.0.1:8000/accounts/login/ with:\n"
                f"  grant seeker: {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
                f"  staff (admin at /admin/): {STAFF_EMAIL} / {DEMO_PASSWORD}\n"
            )
        )

    def _grants(self, demo: User) -> None:
        today = timezone.localdate()
        if not Opportunity.objects.filter(source=OpportunitySource.DEMO).exists():
            catalog_sync_demo(today=today)
        # The hand-made grants of earlier versions (no catalog entry, no reasons) make way.
        Grant.objects.filter(user=demo, source_name="Demo catalog", opportunity__isnull=True).delete()
        if Grant.objects.filter(user=demo).exists():
            return
        opportunities = opportunity_search(criteria=SearchCriteria(), today=today).filter(
            source=OpportunitySource.DEMO, award_ceiling__gt=0
        )
        scored = opportunities_score(user=demo, opportunities=opportunities, today=today)
        scored.sort(key=lambda pair: (-pair[1].composite, pair[0].pk))
        grants_add_new(user=demo, candidates=scored[:DEMO_GRANT_COUNT], keywords=[])

    def _user(self, email: str, name: str, *, is_staff: bool) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "is_staff": is_staff, "is_superuser": is_staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user
