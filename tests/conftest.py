"""Personas (the owner, another user, staff) and shared fixtures (the owner's profile and a grant)."""

from __future__ import annotations

import pytest

from profiles.services import profile_passages_rebuild
from tests.factories import BusinessProfileFactory, GrantFactory, UserFactory

PASSWORD = "correct horse battery staple"
BROADBAND_PASSAGE = "Our fibre pilot connected 412 rural households in Tensas Parish to broadband internet in 2024."


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ERASURE_LOG_PATH = tmp_path / "erasure-log.jsonl"


@pytest.fixture
def throttle_clock_stopped(monkeypatch):
    """Rate limits count at one instant: a test's burst stays a burst on however busy a machine."""
    monkeypatch.setattr("accounts.throttling.clock", lambda: 1_800_000_030.0)


@pytest.fixture
def user(db):
    """The owner: the grant seeker whose data a test is about."""
    return UserFactory(email="owner@example.com", full_name="Olive Owner")


@pytest.fixture
def other_user(db):
    """Another grant seeker, who must never see the owner's data."""
    return UserFactory(email="other@example.com", full_name="Otto Other")


@pytest.fixture
def staff_user(db):
    return UserFactory(email="staff@example.com", full_name="Stella Staff", is_staff=True, is_superuser=True)


@pytest.fixture
def owner_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def other_client(client, other_user):
    client.force_login(other_user)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def profile(user):
    """The owner's business profile: a rural broadband nonprofit, its narrative split into passages."""
    profile = BusinessProfileFactory(
        user=user,
        business_name="Bayou Connect",
        organization_type="nonprofit",
        mission_statement="We bring affordable internet and digital skills to rural Louisiana parishes.",
        service_description="Community Wi-Fi, digital literacy classes and device lending.",
        geographic_focus="Louisiana",
        years_in_operation=6,
        team_size=12,
        revenue_range="$250k-$1M",
        narrative_text=BROADBAND_PASSAGE,
    )
    profile_passages_rebuild(profile=profile)
    return profile


@pytest.fixture
def grant(user):
    """One of the owner's grants, matching the profile."""
    return GrantFactory(
        user=user,
        title="Rural Broadband Expansion Grant",
        description="Funds broadband internet for rural households without reliable service.",
        funder_name="USDA Rural Utilities Service",
        funding_amount=None,
        funding_max=250000.0,
        categories=["Broadband", "Rural development"],
    )
