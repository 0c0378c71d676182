"""Another user's ids inside a request body (bar.md line 13).

Routes that take an object id in the URL are covered by tests/test_isolation.py. Here user B
sends every create and update the project has, pages and API, with user A's ids in the body: the
one field that selects an object (``grant`` / ``grant_id`` / ``grant_ids``) and, beside valid
fields, the names a careless view might trust (``user``, ``user_id``, ``profile``, ``id``, ...).
A field that selects A's object is refused (404 on the API, the form's message on the page) and
creates nothing; the other names are ignored. Afterwards A's rows and files are byte-identical
and no row of B's points at a row of A's (``links_between``), which is what a trusting view
would leave behind (the self-test below proves the check sees it).
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from accounts.registry import owner_models
from applications.models import ApplicationHistory, GeneratedApplication
from funders.models import FunderApproach
from grantfinder.urls import urlpatterns as project_urlpatterns
from grants.models import SavedGrant, SearchRun
from profiles.models import BusinessProfile, Document
from tests.factories import (
    BusinessProfileFactory,
    FunderFactory,
    GeneratedApplicationFactory,
    GrantFactory,
    UserFactory,
    UserSettingsFactory,
)
from tests.owned_data import owned_data_build, owned_snapshot
from tests.profiles.files import make_pdf

pytestmark = pytest.mark.django_db


def links_between(user, other) -> list[str]:
    """Every foreign key from a row ``user`` owns to a row ``other`` owns, as "model.field -> id"."""
    others_rows = {entry.model: set(entry.rows_of(other).values_list("pk", flat=True)) for entry in owner_models}
    found = []
    for entry in owner_models:
        for field in entry.model._meta.concrete_fields:
            targets = others_rows.get(field.related_model) if field.is_relation else None
            if targets:
                for value in (
                    entry.rows_of(user)
                    .filter(**{f"{field.attname}__in": targets})
                    .values_list(field.attname, flat=True)
                ):
                    found.append(f"{entry.label}.{field.name} -> {value}")
    return sorted(found)


def _foreign_ids(owner) -> dict:
    """A's ids under every name a create/update body could carry them."""
    grant = owner.grants.first()
    profile = owner.business_profile
    return {
        "user": owner.pk,
        "user_id": owner.pk,
        "owner": owner.pk,
        "id": grant.pk,
        "pk": grant.pk,
        "profile": profile.pk,
        "profile_id": profile.pk,
        "business_profile": profile.pk,
        "business_profile_id": profile.pk,
        "user_settings": owner.settings.pk,
        "application": owner.generated_applications.first().pk,
        "application_id": owner.generated_applications.first().pk,
    }


@pytest.fixture
def victim():
    owner = UserFactory(email="body.owner@example.com")
    owned_data_build(owner)
    return owner


@pytest.fixture
def intruder():
    user = UserFactory(email="body.intruder@example.com")
    BusinessProfileFactory(user=user, business_name="Intruder Org", narrative_text="We teach coding.")
    UserSettingsFactory(user=user)
    GrantFactory(user=user, title="Intruder's own grant")
    return user


@pytest.fixture
def intruder_client(intruder):
    client = Client()
    client.force_login(intruder)
    return client


def _json(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_a_body_naming_another_users_objects_creates_and_changes_nothing_of_theirs(
    victim, intruder, intruder_client, throttle_clock_stopped
):
    theirs = _foreign_ids(victim)
    their_grant = victim.grants.first()
    their_approach = victim.funder_approaches.first()
    own_grant = intruder.grants.get()
    own_application = GeneratedApplicationFactory(user=intruder, grant=own_grant)
    funder = FunderFactory()
    before = owned_snapshot(victim.pk)
    applications_before = GeneratedApplication.objects.count()

    # Selecting A's grant to write an application about: refused, nothing created, nothing spent.
    response = _json(intruder_client, "post", "/api/applications/generate", {**theirs, "grant_id": their_grant.pk})
    assert response.status_code == 404
    response = intruder_client.post("/applications/new/", {**theirs, "grant": their_grant.pk}, follow=True)
    assert "Choose one of your own grants." in response.content.decode()
    assert GeneratedApplication.objects.count() == applications_before
    intruder.refresh_from_db()
    assert intruder.applications_used == 0

    # Saving A's grants among B's own: only B's are saved.
    response = intruder_client.post("/grants/save/", {"grant_ids": [their_grant.pk, own_grant.pk]}, follow=True)
    assert "1 grant saved." in response.content.decode()
    assert list(SavedGrant.objects.filter(user_settings__user=intruder).values_list("grant_id", flat=True)) == [
        own_grant.pk
    ]

    # Updates that must stay B's own, whatever owner fields ride along.
    profile = {"business_name": "Intruder Org renamed", "geographic_focus": "Ohio", "narrative_text": "Coding."}
    assert _json(intruder_client, "put", "/api/business-profile", {**theirs, **profile}).status_code == 200
    assert intruder_client.post("/profile/", {**theirs, **profile, "business_name": "Intruder Org"}).status_code == 302
    assert BusinessProfile.objects.get(user=intruder).business_name == "Intruder Org"
    assert BusinessProfile.objects.filter(business_name__startswith="Intruder").count() == 1

    response = _json(intruder_client, "patch", "/api/users/me", {**theirs, "full_name": "Ingrid Intruder"})
    assert response.status_code == 200 and response.json()["email"] == intruder.email

    response = _json(
        intruder_client, "patch", f"/api/applications/{own_application.pk}",
        {**theirs, "grant_id": their_grant.pk, "feedback_notes": "Mine."},
    )  # fmt: skip
    assert response.status_code in (200, 409)
    assert GeneratedApplication.objects.get(pk=own_application.pk).grant_id == own_grant.pk

    # Creates: the new row is B's, on B's objects.
    response = _json(intruder_client, "post", "/api/search-runs", {**theirs, "keywords": "coding"})
    assert response.status_code == 202
    assert SearchRun.objects.get(pk=response.json()["id"]).user_id == intruder.pk

    response = intruder_client.post(
        f"/applications/tracking/grant/{own_grant.pk}/",
        {**theirs, "grant": their_grant.pk, "grant_id": their_grant.pk, "status": "APPLIED"},
    )
    assert response.status_code == 302
    assert list(ApplicationHistory.objects.filter(user=intruder).values_list("grant_id", flat=True)) == [own_grant.pk]

    response = intruder_client.post(
        f"/funders/{funder.ein}/approaches/",
        {
            **theirs,
            "id": their_approach.pk,
            "funder": their_approach.funder_id,
            "stage": "loi_sent",
            "happened_on": "2026-11-02",
        },
    )
    assert response.status_code == 302
    assert FunderApproach.objects.filter(user=intruder, funder=funder).count() == 1

    upload = SimpleUploadedFile("plan.pdf", make_pdf("Our coding club plan."), content_type="application/pdf")
    response = intruder_client.post("/profile/documents/", {**theirs, "file": upload})
    assert response.status_code == 302
    assert Document.objects.filter(profile__user=intruder).count() == 1

    assert owned_snapshot(victim.pk) == before, "A's rows or files changed"
    assert links_between(intruder, victim) == []


# --- The check can fail ---------------------------------------------------------------------------


def trusting_save(request):
    # Wrong on purpose: saves whatever grant the body names, for the caller.
    from accounts.models import UserSettings

    settings_row, _ = UserSettings.objects.get_or_create(user=request.user)
    SavedGrant.objects.create(user_settings=settings_row, grant_id=int(request.POST["grant_id"]))
    return HttpResponse("saved")


urlpatterns = [*project_urlpatterns, path("probe/trusting-save/", trusting_save)]


def test_it_catches_a_view_that_trusts_an_id_in_the_body(settings, victim, intruder, intruder_client):
    settings.ROOT_URLCONF = __name__
    their_grant = victim.grants.first()

    intruder_client.post("/probe/trusting-save/", {"grant_id": their_grant.pk})

    assert links_between(intruder, victim) == [f"grants.savedgrant.grant -> {their_grant.pk}"]
