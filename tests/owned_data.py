"""One row of every owner model for a user, and a byte-level snapshot of what a user owns.

``OWNED_ROW_BUILDERS`` maps each model label in ``accounts.registry.owner_models`` to a function
that gives the user at least one row of it. Export, purge and isolation tests use it; they fail
when a registered owner model has no builder here, so add one with the model's registration.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from social_django.models import UserSocialAuth

from accounts.encryption import encrypt_bytes
from accounts.registry import owner_models
from billing.models import BillingNotice, NoticeKind
from grants.models import AlertDigest, AlertedOpportunity, DeadlineReminder, Opportunity, SavedSearch
from profiles.models import Document, Passage
from tests.factories import (
    AnalysisFactory,
    ApplicationHistoryFactory,
    BusinessProfileFactory,
    FunderApproachFactory,
    GeneratedApplicationFactory,
    GrantFactory,
    SavedFunderFactory,
    SavedGrantFactory,
    SearchRunFactory,
    SubscriptionFactory,
    UserSettingsFactory,
)


def _settings(user):
    return getattr(user, "settings", None) or UserSettingsFactory(user=user)


def _profile(user):
    return getattr(user, "business_profile", None) or BusinessProfileFactory(user=user)


def _grant(user):
    return user.grants.first() or GrantFactory(user=user)


def _saved_search(user):
    return user.saved_searches.first() or SavedSearch.objects.create(user=user, name="Broadband", criteria={"q": "x"})


def _digest(user):
    search = _saved_search(user)
    return search.digests.first() or AlertDigest.objects.create(saved_search=search, sent_on=timezone.localdate())


def _document(user):
    """A document row and its file under MEDIA_ROOT/documents/, as the profiles app stores them."""
    profile = _profile(user)
    storage_name = f"{uuid.uuid4().hex}.txt"
    content = f"Annual report of {user.email}\n".encode()
    path = Path(settings.MEDIA_ROOT) / "documents" / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encrypt_bytes(content))  # stored encrypted, as document_upload stores them
    return Document.objects.create(
        profile=profile,
        original_name="annual-report.txt",
        storage_name=storage_name,
        kind="txt",
        size_bytes=len(content),
    )


def _alerted(user):
    opportunity = Opportunity.objects.create(
        source="demo", external_id=uuid.uuid4().hex[:12], title="Broadband for rural parishes"
    )
    digest = _digest(user)
    return AlertedOpportunity.objects.create(saved_search=digest.saved_search, opportunity=opportunity, digest=digest)


def _usage_record(user):
    # Looked up by name: the billing ledger is newer than some checkouts of this file's users.
    model = apps.get_model("billing", "UsageRecord")
    return model.objects.create(user=user, kind=model._meta.get_field("kind").choices[0][0], delta=1)


OWNED_ROW_BUILDERS = {
    "accounts.user": lambda user: user,
    "accounts.usersettings": _settings,
    "social_django.usersocialauth": lambda user: UserSocialAuth.objects.create(
        user=user, provider="auth0", uid=f"auth0|{user.pk}", extra_data={"access_token": "secret-token"}
    ),
    "billing.subscription": lambda user: SubscriptionFactory(user=user),
    "billing.billingnotice": lambda user: BillingNotice.objects.create(
        user=user, kind=NoticeKind.SEARCHES_80, key="2026-11"
    ),
    "billing.usagerecord": _usage_record,
    "profiles.businessprofile": _profile,
    "profiles.document": _document,
    "profiles.passage": lambda user: Passage.objects.create(
        profile=_profile(user), source_label="Mission", position=0, text="Broadband for rural parishes."
    ),
    "grants.grant": _grant,
    "grants.analysis": lambda user: AnalysisFactory(grant=_grant(user)),
    "grants.searchrun": lambda user: SearchRunFactory(user=user),
    "grants.savedgrant": lambda user: SavedGrantFactory(user_settings=_settings(user), grant=_grant(user)),
    "grants.savedsearch": _saved_search,
    "grants.alertdigest": _digest,
    "grants.alertedopportunity": _alerted,
    "grants.deadlinereminder": lambda user: DeadlineReminder.objects.create(
        grant=_grant(user), deadline=timezone.now() + timezone.timedelta(days=10)
    ),
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
