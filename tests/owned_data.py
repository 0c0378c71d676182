"""One row of every owner model for a user, and a byte-level snapshot of what a user owns.

``OWNED_ROW_BUILDERS`` maps each model label in ``accounts.registry.owner_models`` to a function
that gives the user at least one row of it. Export, purge and isolation tests use it; they fail
when a registered owner model has no builder here, so add one with the model's registration.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

from accounts.registry import owner_models
from tests.factories import (
    AlertDigestFactory,
    AlertedOpportunityFactory,
    AnalysisFactory,
    ApplicationHistoryFactory,
    BillingNoticeFactory,
    BusinessProfileFactory,
    DeadlineReminderFactory,
    DocumentFactory,
    FunderApproachFactory,
    GeneratedApplicationFactory,
    GrantFactory,
    PassageFactory,
    SavedFunderFactory,
    SavedGrantFactory,
    SavedSearchFactory,
    SearchRunFactory,
    SubscriptionFactory,
    UsageRecordFactory,
    UserSettingsFactory,
    UserSocialAuthFactory,
)


def _settings(user):
    return getattr(user, "settings", None) or UserSettingsFactory(user=user)


def _profile(user):
    return getattr(user, "business_profile", None) or BusinessProfileFactory(user=user)


def _grant(user):
    return user.grants.first() or GrantFactory(user=user)


def _saved_search(user):
    return user.saved_searches.first() or SavedSearchFactory(user=user)


def _digest(user):
    search = _saved_search(user)
    return search.digests.first() or AlertDigestFactory(saved_search=search)


OWNED_ROW_BUILDERS = {
    "accounts.user": lambda user: user,
    "accounts.usersettings": _settings,
    "social_django.usersocialauth": lambda user: UserSocialAuthFactory(user=user, uid=f"auth0|{user.pk}"),
    "billing.subscription": lambda user: SubscriptionFactory(user=user),
    "billing.billingnotice": lambda user: BillingNoticeFactory(user=user),
    "billing.usagerecord": lambda user: UsageRecordFactory(user=user),
    "profiles.businessprofile": _profile,
    "profiles.document": lambda user: DocumentFactory(profile=_profile(user)),
    "profiles.passage": lambda user: PassageFactory(profile=_profile(user)),
    "grants.grant": _grant,
    "grants.analysis": lambda user: AnalysisFactory(grant=_grant(user)),
    "grants.searchrun": lambda user: SearchRunFactory(user=user),
    "grants.savedgrant": lambda user: SavedGrantFactory(user_settings=_settings(user), grant=_grant(user)),
    "grants.savedsearch": _saved_search,
    "grants.alertdigest": _digest,
    "grants.alertedopportunity": lambda user: AlertedOpportunityFactory(digest=_digest(user)),
    "grants.deadlinereminder": lambda user: DeadlineReminderFactory(grant=_grant(user)),
    "funders.savedfunder": lambda user: SavedFunderFactory(user=user),
    "funders.funderapproach": lambda user: FunderApproachFactory(user=user),
    "applications.applicationhistory": lambda user: ApplicationHistoryFactory(user=user, grant=_grant(user)),
    "applications.generatedapplication": lambda user: GeneratedApplicationFactory(user=user, grant=_grant(user)),
}


def owned_data_build(user) -> None:
    """Give ``user`` at least one row of every registered owner model (and a stored file)."""
    missing = sorted(entry.label for entry in owner_models if entry.label not in OWNED_ROW_BUILDERS)
    assert not missing, f"Add a builder to tests/owned_data.py OWNED_ROW_BUILDERS for: {', '.join(missing)}"
    for entry in owner_models:
        OWNED_ROW_BUILDERS[entry.label](user)


def owned_snapshot(user_pk: int) -> dict:
    """Every column of every row the user owns, and the bytes of their files: compare before and after."""
    snapshot = {}
    for entry in owner_models:
        rows = entry.model._default_manager.filter(**{entry.owner: user_pk})
        names = [field.attname for field in entry.model._meta.concrete_fields]
        order = [field.attname for field in entry.model._meta.pk_fields]
        snapshot[entry.label] = [tuple(map(repr, row)) for row in rows.order_by(*order).values_list(*names)]
        if entry.files is not None:
            for name in entry.files(rows):
                path = Path(settings.MEDIA_ROOT) / name
                snapshot[f"file:{name}"] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    return snapshot
