"""Deleting a user removes everything they own, and nothing of anyone else."""

from __future__ import annotations

import pytest

from accounts.models import User, UserSettings
from applications.models import ApplicationHistory, GeneratedApplication
from billing.models import Subscription
from grants.models import Analysis, Grant, SavedGrant, SearchRun
from profiles.models import BusinessProfile
from tests.factories import (
    AnalysisFactory,
    ApplicationHistoryFactory,
    BusinessProfileFactory,
    GeneratedApplicationFactory,
    GrantFactory,
    SavedGrantFactory,
    SearchRunFactory,
    SubscriptionFactory,
    UserSettingsFactory,
)

pytestmark = pytest.mark.django_db

# Each owned model and how one of its rows leads back to its owner.
OWNER_PATHS = {
    UserSettings: "user",
    BusinessProfile: "user",
    Subscription: "user",
    Grant: "user",
    Analysis: "grant__user",
    SavedGrant: "user_settings__user",
    ApplicationHistory: "user",
    GeneratedApplication: "user",
    SearchRun: "user",
}


def _give_everything_to(user) -> None:
    user_settings = UserSettingsFactory(user=user)
    BusinessProfileFactory(user=user)
    SubscriptionFactory(user=user)
    grant = GrantFactory(user=user)
    AnalysisFactory(grant=grant)
    SavedGrantFactory(user_settings=user_settings, grant=grant)
    ApplicationHistoryFactory(user=user, grant=grant)
    GeneratedApplicationFactory(user=user, grant=grant)
    SearchRunFactory(user=user)


def test_it_deletes_everything_a_user_owns_and_nothing_else(user, other_user):
    _give_everything_to(user)
    _give_everything_to(other_user)
    others_before = {
        model: list(model.objects.filter(**{path: other_user}).values()) for model, path in OWNER_PATHS.items()
    }

    user.delete()

    assert list(User.objects.values_list("email", flat=True)) == [other_user.email]
    for model, path in OWNER_PATHS.items():
        assert not model.objects.filter(**{path: user.pk}).exists(), model
        assert list(model.objects.values()) == others_before[model], model
