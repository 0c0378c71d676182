"""The grants pages: dashboard, list, detail, saving, CSV and calendar exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from grants.models import SavedGrant
from tests.factories import GrantFactory, OpportunityFactory, SavedGrantFactory, SearchRunFactory, UserSettingsFactory

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [row["title"] for row in response.context["page"].rows]


def test_it_shows_the_dashboard(owner_client, user, other_user):
    soon = GrantFactory(user=user, title="Closing soon", overall_composite_score=0.9)
    GrantFactory(user=user, title="Later", deadline=timezone.now() + timedelta(days=60), overall_composite_score=0.2)
    GrantFactory(user=other_user, title="Not mine", overall_composite_score=0.95)
    SearchRunFactory(user=user, status="SUCCESS", grants_found=7, high_priority=1)
    response = owner_client.get("/dashboard/")
    assert response.status_code == 200
    assert (response.context["total"], response.context["high_priority_count"]) == (2, 1)
    assert list(response.context["upcoming"]) == [soon] and list(response.context["high_priority"]) == [soon]
    assert b"Not mine" not in response.content and b"7 found, 1 high priority" in response.content


def test_it_asks_anonymous_visitors_to_sign_in(client):
    for url in ("/dashboard/", "/grants/", "/grants/1/", "/search/", "/grants/calendar.ics"):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_it_filters_and_sorts_the_list(owner_client, user, other_user):
    now = timezone.now()
    GrantFactory(user=user, title="Broadband A", overall_composite_score=0.9, deadline=now + timedelta(days=50),
                 funding_amount=10, categories=["IS"])  # fmt: skip
    GrantFactory(user=user, title="Broadband B", overall_composite_score=0.4, deadline=now + timedelta(days=5),
                 funding_amount=99, categories=["ED"])  # fmt: skip
    GrantFactory(user=user, title="Health C", overall_composite_score=None, deadline=None, funding_amount=None,
                 record_status="EXPIRED")  # fmt: skip
    GrantFactory(user=other_user, title="Broadband other", overall_composite_score=1.0)
    assert _titles(owner_client.get("/grants/")) == ["Broadband A", "Broadband B", "Health C"]
    assert _titles(owner_client.get("/grants/?sort=deadline")) == ["Broadband B", "Broadband A", "Health C"]
    assert _titles(owner_client.get("/grants/?sort=amount")) == ["Broadband B", "Broadband A", "Health C"]
    assert _titles(owner_client.get("/grants/?sort=newest")) == ["Health C", "Broadband B", "Broadband A"]
    assert _titles(owner_client.get("/grants/?q=broadband&min_score=0.5")) == ["Broadband A"]
    by_category = owner_client.get("/grants/?category=ED")
    assert _titles(by_category) == ["Broadband B"] and b'<option value="ED" selected>' in by_category.content
    assert _titles(owner_client.get("/grants/?deadline_within=14")) == ["Broadband B"]
    assert _titles(owner_client.get("/grants/?status=EXPIRED")) == ["Health C"]
    bad = owner_client.get("/grants/?min_score=7&sort=nope")
    assert bad.status_code == 200 and bad.context["form"].errors and len(_titles(bad)) == 3


def test_it_paginates(owner_client, user):
    GrantFactory.create_batch(30, user=user)
    first, second = owner_client.get("/grants/"), owner_client.get("/grants/?page=2")
    assert len(_titles(first)) == 25 and len(_titles(second)) == 5
    assert not set(_titles(first)) & set(_titles(second))


def test_it_saves_in_bulk_only_the_users_own_grants(owner_client, user, other_user):
    mine = GrantFactory.create_batch(2, user=user)
    theirs = GrantFactory(user=other_user)
    response = owner_client.post(
        "/grants/save/", {"grant_ids": [mine[0].pk, mine[1].pk, theirs.pk], "next": "/grants/"}
    )
    assert response.status_code == 302 and response["Location"] == "/grants/"
    assert set(SavedGrant.objects.values_list("grant_id", flat=True)) == {mine[0].pk, mine[1].pk}
    assert len(_titles(owner_client.get("/grants/?saved=on"))) == 2
    owner_client.post("/grants/save/", {"grant_ids": [mine[0].pk]})
    assert SavedGrant.objects.count() == 2
    nothing = owner_client.post("/grants/save/", {}, follow=True)
    assert b"Select at least one grant to save." in nothing.content
    assert (
        owner_client.post("/grants/save/", {"grant_ids": [mine[0].pk], "next": "//evil.example"})["Location"]
        == "/grants/"
    )


def test_it_shows_a_grant_with_its_score_breakdown(owner_client, user):
    opportunity = OpportunityFactory(source="demo", eligible_applicants=["12", "99"])
    grant = GrantFactory(
        user=user,
        opportunity=opportunity,
        overall_composite_score=0.82,
        sector_relevance_score=1.0,
        feasibility_score=0.7,
        score_reasons={"sector_relevance": ["Telecommunications: a funding category of this opportunity"]},
        funding_display="Up to $500,000",
    )
    response = owner_client.get(f"/grants/{grant.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sample data: a fictional opportunity" in content
    assert "Telecommunications: a funding category of this opportunity" in content
    assert "day" in content and "left" in content  # the countdown
    assert "Nonprofits with 501(c)(3) status, Unrestricted" in content
    assert "<p>Deploy broadband" in content  # the sanitised description is rendered as HTML
    assert 'action="/applications/new/"' in content and f'name="grant" value="{grant.pk}"' in content
    assert response.context["breakdown"][0] == {
        "name": "Sector relevance",
        "score": 1.0,
        "reasons": ["Telecommunications: a funding category of this opportunity"],
    }


def test_it_escapes_legacy_descriptions(owner_client, user):
    grant = GrantFactory(user=user, description="<script>alert(1)</script>")
    assert b"<script>alert(1)" not in owner_client.get(f"/grants/{grant.pk}/").content


def test_it_saves_and_unsaves_a_grant(owner_client, user):
    grant = GrantFactory(user=user)
    assert owner_client.post(f"/grants/{grant.pk}/save/").status_code == 302
    assert SavedGrant.objects.filter(grant=grant, user_settings__user=user).exists()
    assert b"Unsave" in owner_client.get(f"/grants/{grant.pk}/").content
    owner_client.post(f"/grants/{grant.pk}/unsave/")
    assert not SavedGrant.objects.exists()
    assert owner_client.get(f"/grants/{grant.pk}/save/").status_code == 405


def test_it_hides_other_users_grants(owner_client, other_user):
    theirs = GrantFactory(user=other_user)
    for url in (f"/grants/{theirs.pk}/",):
        assert owner_client.get(url).status_code == 404
    assert owner_client.post(f"/grants/{theirs.pk}/save/").status_code == 404
    assert owner_client.post(f"/grants/{theirs.pk}/unsave/").status_code == 404
    assert not SavedGrant.objects.exists()


def test_it_exports_the_filtered_list_as_csv(owner_client, user, other_user):
    GrantFactory(user=user, title="=HYPERLINK(evil)", overall_composite_score=0.3, categories=["IS", "ED"])
    GrantFactory(user=user, title="Broadband", overall_composite_score=0.8)
    GrantFactory(user=other_user, title="Not mine")
    response = owner_client.get("/grants/export.csv?sort=score")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Title", "Funder", "Score"]
    assert [row[0] for row in rows[1:]] == ["Broadband", "'=HYPERLINK(evil)"]
    assert rows[2][6] == "IS ED"
    filtered = owner_client.get("/grants/export.csv?min_score=0.5")
    assert len(list(csv.reader(io.StringIO(b"".join(filtered.streaming_content).decode())))) == 2


def test_it_serves_saved_deadlines_as_a_calendar(owner_client, user, other_user):
    settings_row = UserSettingsFactory(user=user)
    deadline = timezone.now().replace(year=2027, month=3, day=15, hour=12)
    saved = GrantFactory(user=user, title="Broadband; rural, Louisiana", deadline=deadline, funder_name="NTIA")
    SavedGrantFactory(user_settings=settings_row, grant=saved)
    GrantFactory(user=user, title="Not saved")
    SavedGrantFactory(grant__title="Someone else's")
    response = owner_client.get("/grants/calendar.ics")
    body = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 1
    assert "DTSTART;VALUE=DATE:20270315" in body and f"UID:grant-{saved.pk}@grantfinder" in body
    assert "SUMMARY:Deadline: Broadband\\; rural\\, Louisiana" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_it_links_only_http_sources(owner_client, user):
    grant = GrantFactory(user=user, source_url="javascript:alert(1)")
    content = owner_client.get(f"/grants/{grant.pk}/").content.decode()
    assert 'href="javascript:' not in content and "javascript:alert(1)" in content


def test_it_shows_deadlines_on_the_day_they_close_in_eastern_time(owner_client, user):
    from datetime import date

    from grants.deadlines import deadline_from_date

    grant = GrantFactory(user=user, deadline=deadline_from_date(date(2027, 1, 15)))  # 04:59 UTC on the 16th
    assert "15 Jan 2027" in owner_client.get("/grants/").content.decode()
    assert "Friday 15 January 2027, 11:59 p.m. Eastern" in owner_client.get(f"/grants/{grant.pk}/").content.decode()
