"""The Funders pages: matches with reasons, search, a funder's page, saving and approaches."""

from __future__ import annotations

import pytest
from django.urls import reverse

from funders.models import FunderApproach, SavedFunder
from tests.factories import FunderApproachFactory

pytestmark = pytest.mark.django_db


def test_signed_out_visitors_are_sent_to_sign_in(client, funders_fixture):
    for url in ("/funders/", "/funders/search/?q=x", "/funders/720000001/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_the_home_page_lists_matches_with_reasons_and_keeps_preselected_apart(
    owner_client, funders_fixture, louisiana_profile
):
    page = owner_client.get("/funders/").content.decode()
    matches = page.split('id="matches-heading"')[1].split("</section>")[0]
    assert matches.index("BAYOU DIGITAL FUTURES FOUNDATION") < matches.index("GULF SCHOLARS TRUST")
    assert "5 of its 8 grants went to Louisiana (5 in 2022)." in matches
    assert "PRIVATE FAMILY FOUNDATION" not in matches
    preselected = page.split('id="preselected-heading"')[1].split("</section>")[0]
    assert "PRIVATE FAMILY FOUNDATION" in preselected and "Preselected only" in preselected


def test_without_a_profile_the_page_asks_for_one(owner_client, funders_fixture):
    page = owner_client.get("/funders/").content.decode()
    assert "to see which foundations fund work like yours" in page


def test_search_by_name_purpose_state_and_open_only(owner_client, funders_fixture):
    def names(query):
        page = owner_client.get(f"/funders/search/?{query}").content.decode()
        return [name for name in ("BAYOU", "GULF", "PRIVATE FAMILY", "LONE STAR") if name in page]

    assert names("q=gulf") == ["GULF"]
    assert names("q=literacy") == ["BAYOU", "PRIVATE FAMILY", "LONE STAR"]  # grant purposes
    assert names("q=literacy&open_only=on") == ["BAYOU", "LONE STAR"]
    assert names("state=TX") == ["LONE STAR"]
    assert names("q=720000002") == ["GULF"]  # by EIN


def test_the_funder_page_shows_how_to_apply_the_grants_and_the_chart(owner_client, funders_fixture):
    bayou = funders_fixture["bayou"]
    bayou.application = [{"contact": "GRANTS COMMITTEE", "address": "1 MAIN ST, BATON ROUGE, LA 70801",
                          "phone": "2255550100", "email": "", "form_and_materials": "LETTER OF INQUIRY",
                          "deadlines": "MARCH 1", "restrictions": "LOUISIANA ONLY"}]  # fmt: skip
    bayou.save()
    page = owner_client.get("/funders/720000001/").content.decode()
    assert "LETTER OF INQUIRY" in page and "MARCH 1" in page
    assert "DIGITAL LITERACY CLASSES FOR SENIORS" in page and "(8 grants)" in page
    assert 'class="chart"' in page and "2022: 69000" in page  # giving by year: the 3a total
    filtered = owner_client.get("/funders/720000001/?state=TX").content.decode()
    assert "(3 grants)" in filtered and "FOOD PANTRY" not in filtered
    by_purpose = owner_client.get("/funders/720000001/?q=literacy").content.decode()
    assert "(3 grants)" in by_purpose


def test_a_preselected_funder_says_so_and_still_shows_what_it_filed(owner_client, funders_fixture):
    family = funders_fixture["family"]
    family.application = [{"contact": "TRUSTEE", "address": "", "phone": "", "email": "",
                           "form_and_materials": "NONE", "deadlines": "", "restrictions": ""}]  # fmt: skip
    family.save()
    page = owner_client.get("/funders/720000003/").content.decode()
    assert "gives only to preselected organisations" in page
    assert "It also filed these application details" in page and "TRUSTEE" in page


def test_an_unknown_ein_is_404(owner_client, funders_fixture):
    assert owner_client.get("/funders/999999999/").status_code == 404
    assert owner_client.get("/funders/not-an-ein/").status_code == 404


def test_save_unsave_and_log_an_approach(owner_client, user, other_user, funders_fixture):
    assert owner_client.get("/funders/720000001/save/").status_code == 405
    owner_client.post("/funders/720000001/save/")
    owner_client.post("/funders/720000001/save/")  # twice: still one
    assert SavedFunder.objects.filter(user=user).count() == 1
    response = owner_client.post(
        "/funders/720000001/approaches/", {"stage": "loi_sent", "happened_on": "2026-11-02", "notes": "Two pages."}
    )
    assert response.status_code == 302
    approach = FunderApproach.objects.get(user=user)
    assert (approach.stage, str(approach.happened_on), approach.funder.ein) == ("loi_sent", "2026-11-02", "720000001")
    page = owner_client.get("/funders/720000001/").content.decode()
    assert "Letter of inquiry sent" in page and "Unsave" in page
    owner_client.post("/funders/720000001/approaches/", {"stage": "bribed", "happened_on": "2026-11-02"})
    assert FunderApproach.objects.count() == 1  # a bad stage changes nothing
    owner_client.post("/funders/720000001/unsave/")
    assert not SavedFunder.objects.filter(user=user).exists()
    assert not SavedFunder.objects.filter(user=other_user).exists()


def test_another_users_approach_cannot_be_deleted(owner_client, other_user, funders_fixture):
    theirs = FunderApproachFactory(user=other_user, funder=funders_fixture["bayou"])
    response = owner_client.post(reverse("funders:approach_delete", args=[theirs.pk]))
    assert response.status_code == 404
    assert FunderApproach.objects.filter(pk=theirs.pk).exists()
    page = owner_client.get("/funders/720000001/").content.decode()
    assert "Nothing logged yet" in page  # the owner's page never shows someone else's steps


def test_approaches_are_listed_beside_the_applications(owner_client, user, other_user, funders_fixture):
    FunderApproachFactory(user=user, funder=funders_fixture["bayou"], stage="invited")
    FunderApproachFactory(user=other_user, funder=funders_fixture["gulf"], stage="funded")
    page = owner_client.get("/applications/").content.decode()
    section = page.split('id="approaches-heading"')[1].split("</section>")[0]
    assert "BAYOU DIGITAL FUTURES FOUNDATION" in section and "Invited to apply" in section
    assert "GULF SCHOLARS TRUST" not in section
