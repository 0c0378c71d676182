"""Personas (the owner, another user, staff) and shared fixtures."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ERASURE_LOG_PATH = tmp_path / "erasure-log.jsonl"


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
