from __future__ import annotations

import factory
from django.utils import timezone

from accounts.models import User, UserSettings
from applications.models import ApplicationHistory, GeneratedApplication
from billing.models import Subscription
from funders.models import Funder, FunderApproach, FunderGrant, FunderReturn, SavedFunder
from grants.models import Analysis, Grant, SavedGrant, SearchRun
from profiles.models import BusinessProfile


class UserFactory(factory.django.DjangoModelFactory):
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    company_name = factory.Faker("company")
    password = factory.django.Password("correct horse battery staple")

    class Meta:
        model = User
        skip_postgeneration_save = True


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
