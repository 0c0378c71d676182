"""``load_demo_data``: the first screen a newcomer opens shows scored grants with their reasons."""

from __future__ import annotations

from html import escape

import pytest
from django.core.management import call_command

from accounts.models import User
from grants.models import Grant, OpportunitySource
from grants.scoring import DIMENSIONS

pytestmark = pytest.mark.django_db

DEMO_EMAIL = "demo@grantfinder.local"


def test_it_loads_demo_data_idempotently(client):
    call_command("load_demo_data")
    first = set(Grant.objects.values_list("pk", flat=True))
    call_command("load_demo_data")

    assert User.objects.filter(email=DEMO_EMAIL).count() == 1
    assert set(Grant.objects.values_list("pk", flat=True)) == first
    assert len(first) == 6
    assert client.login(username=DEMO_EMAIL, password="grantfinder-demo")


def test_every_demo_grant_has_six_dimension_scores_with_reasons_and_its_funding(client):
    call_command("load_demo_data")
    demo = User.objects.get(email=DEMO_EMAIL)
    client.force_login(demo)

    grants = list(Grant.objects.filter(user=demo).select_related("opportunity"))
    assert len(grants) == 6
    for grant in grants:
        assert grant.opportunity.source == OpportunitySource.DEMO
        assert "(sample)" in grant.funder_name and "Sample data" in grant.description
        assert grant.funding_display.startswith(("$", "Up to $")), grant.funding_display
        assert sorted(grant.score_reasons) == sorted(DIMENSIONS)
        for name in DIMENSIONS:
            assert getattr(grant, f"{name}_score") is not None, (grant.title, name)
            assert grant.score_reasons[name] and all(reason.strip() for reason in grant.score_reasons[name])
        page = client.get(f"/grants/{grant.pk}/").content.decode()
        assert escape(grant.funding_display) in page
        for reasons in grant.score_reasons.values():
            assert escape(reasons[0], quote=True) in page or escape(reasons[0], quote=False) in page
    # The best match for a rural-Louisiana broadband nonprofit is about getting people online.
    best = max(grants, key=lambda g: g.overall_composite_score)
    assert {"broadband", "internet"} & set(f"{best.title} {best.description}".lower().split())


def test_it_replaces_the_hand_made_demo_grants_of_earlier_versions():
    call_command("load_demo_data")
    demo = User.objects.get(email=DEMO_EMAIL)
    Grant.objects.filter(user=demo).delete()
    Grant.objects.create(user=demo, title="Rural Broadband Deployment Pilot (sample data)", source_name="Demo catalog")

    call_command("load_demo_data")

    assert not Grant.objects.filter(user=demo, opportunity__isnull=True).exists()
    assert Grant.objects.filter(user=demo).count() == 6
