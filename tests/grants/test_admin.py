from __future__ import annotations

import pytest

from tests.factories import OpportunityFactory, SavedGrantFactory, SavedSearchFactory

pytestmark = pytest.mark.django_db


def test_it_serves_the_catalog_admin_to_staff(staff_client, user):
    opportunity = OpportunityFactory()
    SavedSearchFactory(user=user)
    for url in (
        "/admin/grants/opportunity/",
        f"/admin/grants/opportunity/{opportunity.pk}/change/",
        "/admin/grants/catalogsync/",
        "/admin/grants/savedsearch/",
        "/admin/grants/opportunity/?q=broadband",
    ):
        assert staff_client.get(url).status_code == 200, url


def test_it_keeps_the_catalog_admin_from_grant_seekers(owner_client):
    assert owner_client.get("/admin/grants/opportunity/").status_code == 302


def test_the_user_settings_admin_lists_the_saved_grants_through_grants_hook(staff_client, user):
    saved = SavedGrantFactory(user_settings__user=user, grant__title="Rural Broadband Pilot")
    content = staff_client.get(f"/admin/accounts/usersettings/{saved.user_settings.pk}/change/").content.decode()
    assert f"Saved grants: #{saved.grant_id} Rural Broadband Pilot" in content
