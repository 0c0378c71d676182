from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from grants.models import Opportunity, SavedSearch


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
    name = "Broadband"
    criteria = {"keywords": "broadband"}

    class Meta:
        model = SavedSearch
