"""A factory for every model a test builds: each owner model (``accounts.registry.owner_models``)
and the shared rows they hang on (opportunities, funders). ``tests/owned_data.py`` builds one row of
every owner model with them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import factory
from django.conf import settings
from django.utils import timezone
from social_django.models import UserSocialAuth

from accounts.encryption import encrypt_bytes
from accounts.models import User, UserSettings
from applications.models import ApplicationHistory, GeneratedApplication
from billing.models import BillingNotice, NoticeKind, Subscription, UsageKind, UsageRecord
from funders.models import Funder, FunderApproach, FunderGrant, FunderReturn, SavedFunder
from grants.models import (
    AlertDigest,
    AlertedOpportunity,
    Analysis,
    DeadlineReminder,
    Grant,
    Opportunity,
    SavedGrant,
    SavedSearch,
    SearchRun,
)
from legacy.models import LegacyOwner
from profiles.models import BusinessProfile, Document, Passage


class UserFactory(factory.django.DjangoModelFactory):
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    company_name = factory.Faker("company")
    password = factory.django.Password("correct horse battery staple")

    class Meta:
        model = User
        skip_postgeneration_save = True


class LegacyOwnerFactory(factory.django.DjangoModelFactory):
    """The record ``migrate`` writes: who received the legacy single-user data (one row)."""

    id = 1
    user = factory.SubFactory(UserFactory)

    class Meta:
        model = LegacyOwner
        django_get_or_create = ("id",)


class UserSettingsFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)

    class Meta:
        model = UserSettings


class BusinessProfileFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    business_name = factory.Faker("company")
    mission_statement = "We bring broadband and digital skills to rural Louisiana parishes."
    service_description = "Community Wi-Fi, digital literacy classes and device lending."
    target_sectors = ["Telecommunications", "Education"]
    geographic_focus = "Louisiana"
    organization_type = "nonprofit"
    team_size = 12
    years_in_operation = 6

    class Meta:
        model = BusinessProfile


class SubscriptionFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)

    class Meta:
        model = Subscription


class GrantFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Rural broadband grant {n}")
    description = "Supports broadband deployment in rural communities."
    funding_amount = 50000.0
    deadline = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))
    source_url = factory.Sequence(lambda n: f"https://grants.example.gov/opp/{n}")
    overall_composite_score = 0.5

    class Meta:
        model = Grant


class AnalysisFactory(factory.django.DjangoModelFactory):
    grant = factory.SubFactory(GrantFactory)
    final_score = 0.5

    class Meta:
        model = Analysis


class SearchRunFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)

    class Meta:
        model = SearchRun


class SavedGrantFactory(factory.django.DjangoModelFactory):
    user_settings = factory.SubFactory(UserSettingsFactory)
    grant = factory.SubFactory(GrantFactory, user=factory.SelfAttribute("..user_settings.user"))

    class Meta:
        model = SavedGrant


class ApplicationHistoryFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    grant = factory.SubFactory(GrantFactory, user=factory.SelfAttribute("..user"))

    class Meta:
        model = ApplicationHistory


class GeneratedApplicationFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    grant = factory.SubFactory(GrantFactory, user=factory.SelfAttribute("..user"))
    sections = {"executive_summary": "We will connect 400 homes."}

    class Meta:
        model = GeneratedApplication


class FunderFactory(factory.django.DjangoModelFactory):
    ein = factory.Sequence(lambda n: f"{720000000 + n:09d}")
    name = factory.Sequence(lambda n: f"Bayou Community Foundation {n}")
    city = "BATON ROUGE"
    state = "LA"
    zip_code = "70801"
    tax_year = 2022

    class Meta:
        model = Funder


class FunderReturnFactory(factory.django.DjangoModelFactory):
    funder = factory.SubFactory(FunderFactory)
    object_id = factory.Sequence(lambda n: f"2023{n:014d}")
    tax_year = factory.SelfAttribute("funder.tax_year")

    class Meta:
        model = FunderReturn


class FunderGrantFactory(factory.django.DjangoModelFactory):
    filing = factory.SubFactory(FunderReturnFactory)
    funder = factory.SelfAttribute("filing.funder")
    tax_year = factory.SelfAttribute("filing.tax_year")
    recipient_name = factory.Sequence(lambda n: f"PARISH LIBRARY FRIENDS {n}")
    recipient_city = "LAFAYETTE"
    recipient_state = "LA"
    purpose = "GENERAL SUPPORT"
    amount = 10000

    class Meta:
        model = FunderGrant


class SavedFunderFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    funder = factory.SubFactory(FunderFactory)

    class Meta:
        model = SavedFunder


class FunderApproachFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    funder = factory.SubFactory(FunderFactory)
    stage = "loi_sent"

    class Meta:
        model = FunderApproach


class UserSocialAuthFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    provider = "auth0"
    uid = factory.LazyAttribute(lambda o: f"auth0|{uuid.uuid4().hex[:24]}")
    extra_data = factory.LazyFunction(lambda: {"access_token": "secret-token"})

    class Meta:
        model = UserSocialAuth


class BillingNoticeFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    kind = NoticeKind.SEARCHES_80
    key = factory.Sequence(lambda n: f"2026-11-{n}")

    class Meta:
        model = BillingNotice


class UsageRecordFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    kind = UsageKind.SEARCHES
    delta = 1

    class Meta:
        model = UsageRecord


def _report_text(document) -> bytes:
    return f"Annual report of {document.profile.user.email}\n".encode()


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document row and its file under MEDIA_ROOT/documents/, stored encrypted as document_upload stores it."""

    profile = factory.SubFactory(BusinessProfileFactory)
    original_name = "annual-report.txt"
    storage_name = factory.LazyFunction(lambda: f"{uuid.uuid4().hex}.txt")
    kind = "txt"
    size_bytes = factory.LazyAttribute(lambda o: len(_report_text(o)))

    class Meta:
        model = Document
        skip_postgeneration_save = True

    @factory.post_generation
    def stored_file(document, create, extracted, **kwargs):
        if create:
            path = Path(settings.MEDIA_ROOT) / "documents" / document.storage_name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(encrypt_bytes(_report_text(document)))


class PassageFactory(factory.django.DjangoModelFactory):
    profile = factory.SubFactory(BusinessProfileFactory)
    source_label = "Mission"
    position = factory.Sequence(int)
    text = "Broadband for rural parishes."

    class Meta:
        model = Passage


class OpportunityFactory(factory.django.DjangoModelFactory):
    source = "grantsgov"
    external_id = factory.Sequence(lambda n: str(400000 + n))
    number = factory.Sequence(lambda n: f"TEST-{n:04d}")
    title = factory.Sequence(lambda n: f"Rural Broadband Expansion {n}")
    agency_code = "DOC-NTIA"
    agency_name = "National Telecommunications and Information Administration"
    status = "posted"
    description = "<p>Deploy broadband to unserved rural households in Louisiana.</p>"
    description_text = "Deploy broadband to unserved rural households in Louisiana."
    categories = ["IS"]
    eligible_applicants = ["12"]
    post_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=45))
    award_ceiling = 500000
    cost_sharing = False
    url = factory.LazyAttribute(lambda o: f"https://www.grants.gov/search-results-detail/{o.external_id}")

    class Meta:
        model = Opportunity


class SavedSearchFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    name = "Broadband"
    criteria = factory.LazyFunction(lambda: {"keywords": "broadband"})

    class Meta:
        model = SavedSearch


class AlertDigestFactory(factory.django.DjangoModelFactory):
    saved_search = factory.SubFactory(SavedSearchFactory)
    sent_on = factory.LazyFunction(timezone.localdate)

    class Meta:
        model = AlertDigest


class AlertedOpportunityFactory(factory.django.DjangoModelFactory):
    digest = factory.SubFactory(AlertDigestFactory)
    saved_search = factory.SelfAttribute("digest.saved_search")
    opportunity = factory.SubFactory(OpportunityFactory)

    class Meta:
        model = AlertedOpportunity


class DeadlineReminderFactory(factory.django.DjangoModelFactory):
    grant = factory.SubFactory(GrantFactory)
    deadline = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=10))

    class Meta:
        model = DeadlineReminder
