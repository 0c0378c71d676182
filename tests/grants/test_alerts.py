"""Saved-search digests and deadline reminders: text and HTML, no repeats, at most one a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from grants.models import AlertedOpportunity, SavedSearch
from grants.services.alerts import alerts_send_digests, deadline_reminders_send
from tests.factories import (
    BusinessProfileFactory,
    GrantFactory,
    OpportunityFactory,
    SavedGrantFactory,
    SavedSearchFactory,
    UserSettingsFactory,
)

pytestmark = pytest.mark.django_db


def _html(message) -> str:
    return message.alternatives[0].content


@pytest.fixture
def saved_search(user):
    BusinessProfileFactory(user=user)
    UserSettingsFactory(user=user, minimum_score=0.6)
    return SavedSearchFactory(user=user, name="Broadband", created_at=timezone.now() - timedelta(days=1))


def test_it_sends_one_digest_of_new_good_matches(saved_search):
    OpportunityFactory(title="Old Broadband", first_seen_at=timezone.now() - timedelta(days=3))
    good = OpportunityFactory(title="Rural Broadband Expansion")
    OpportunityFactory(
        title="Broadband for Texas firms",
        description_text="Texas small business broadband.",
        categories=["BC"],
        eligible_applicants=["23"],
    )  # matches the search but scores under the user's 0.6
    OpportunityFactory(title="Coastal Fisheries", description_text="Fish.")
    assert alerts_send_digests() == 1
    [message] = mail.outbox
    assert message.to == ["owner@example.com"]
    assert message.subject == '1 new grant for "Broadband"'
    assert "Rural Broadband Expansion" in message.body and "Rural Broadband Expansion" in _html(message)
    for part in (message.body, _html(message)):
        assert "Old Broadband" not in part and "Texas firms" not in part and "Fisheries" not in part
        assert f"/alerts/unsubscribe/{saved_search.unsubscribe_token}/" in part
    assert list(AlertedOpportunity.objects.values_list("opportunity_id", flat=True)) == [good.pk]


def test_it_sends_at_most_one_digest_a_day(saved_search):
    OpportunityFactory(title="Rural Broadband Expansion")
    assert alerts_send_digests() == 1
    OpportunityFactory(title="Broadband Adoption Louisiana")
    assert alerts_send_digests() == 0
    assert len(mail.outbox) == 1
    # Tomorrow the second one goes out, alone.
    assert alerts_send_digests(now=timezone.now() + timedelta(days=1)) == 1
    assert "Broadband Adoption Louisiana" in mail.outbox[1].body
    assert "Rural Broadband Expansion" not in mail.outbox[1].body


def test_it_never_repeats_an_opportunity(saved_search):
    OpportunityFactory(title="Rural Broadband Expansion")
    alerts_send_digests()
    for day in (1, 2):
        assert alerts_send_digests(now=timezone.now() + timedelta(days=day)) == 0
    assert len(mail.outbox) == 1


def test_it_honours_the_users_choices(saved_search, user):
    OpportunityFactory(title="Rural Broadband Expansion")
    user.settings.email_notifications = False
    user.settings.save()
    assert alerts_send_digests() == 0
    user.settings.email_notifications = True
    user.settings.save()
    saved_search.alerts_enabled = False
    saved_search.save()
    assert alerts_send_digests() == 0
    assert mail.outbox == [] and not AlertedOpportunity.objects.exists()


def test_it_lists_the_top_matches_and_counts_the_rest(saved_search, monkeypatch):
    monkeypatch.setattr("grants.services.alerts.DIGEST_MAX_ITEMS", 2)
    OpportunityFactory.create_batch(3)
    alerts_send_digests()
    assert mail.outbox[0].subject == '3 new grants for "Broadband"'
    assert "...and 1 more." in mail.outbox[0].body and "…and 1 more." in _html(mail.outbox[0])
    assert AlertedOpportunity.objects.count() == 3


def test_it_sends_digests_after_a_sync(saved_search, tmp_path, capsys):
    from grants.demo.extract_writer import write_extract

    saved_search.criteria = {}
    saved_search.save()
    call_command("sync_grants", "--source", "grantsgov-xml", str(write_extract(tmp_path / "x.xml", count=40)))
    assert "alerts: 1 digest(s) sent" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_it_lets_a_reader_unsubscribe_without_signing_in(client, saved_search):
    url = f"/alerts/unsubscribe/{saved_search.unsubscribe_token}/"
    assert b"Stop alerts for" in client.get(url).content
    saved_search.refresh_from_db()
    assert saved_search.alerts_enabled  # a GET (e.g. a mail scanner) changes nothing
    assert b"Alerts stopped" in client.post(url).content
    saved_search.refresh_from_db()
    assert not saved_search.alerts_enabled
    assert client.get("/alerts/unsubscribe/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_it_reminds_of_saved_deadlines_once(user, other_user):
    settings_row = UserSettingsFactory(user=user)
    soon = GrantFactory(user=user, title="Closes soon", deadline=timezone.now() + timedelta(days=10))
    later = GrantFactory(user=user, title="Closes later", deadline=timezone.now() + timedelta(days=30))
    GrantFactory(user=user, title="Not saved", deadline=timezone.now() + timedelta(days=5))
    SavedGrantFactory(user_settings=settings_row, grant=soon)
    SavedGrantFactory(user_settings=settings_row, grant=later)
    SavedGrantFactory(user_settings__user=other_user, grant__deadline=timezone.now() + timedelta(days=3))
    other_user.settings.deadline_reminders = False
    other_user.settings.save()

    assert deadline_reminders_send() == 1
    [message] = mail.outbox
    assert message.to == ["owner@example.com"] and message.subject == "Deadline soon: Closes soon"
    for part in (message.body, _html(message)):
        assert "Closes soon" in part and "within 14 days" in part
        assert "Closes later" not in part and "Not saved" not in part
    assert deadline_reminders_send() == 0  # no repeats

    soon.deadline += timedelta(days=2)  # the funder moved the deadline: remind again
    soon.save()
    assert deadline_reminders_send() == 1 and len(mail.outbox) == 2


def test_it_uses_the_reminder_window_setting(user, settings):
    settings.GRANT_DEADLINE_REMINDER_DAYS = 40
    settings_row = UserSettingsFactory(user=user)
    SavedGrantFactory(user_settings=settings_row, grant__deadline=timezone.now() + timedelta(days=30))
    assert deadline_reminders_send() == 1 and "within 40 days" in mail.outbox[0].body


def test_it_sends_alerts_from_the_command(user, capsys):
    settings_row = UserSettingsFactory(user=user)
    SavedGrantFactory(user_settings=settings_row, grant__deadline=timezone.now() + timedelta(days=2))
    call_command("send_grant_alerts")
    assert "alerts: 0 digest(s), 1 deadline reminder(s) sent" in capsys.readouterr().out


def test_it_manages_saved_searches(owner_client, user, other_user):
    mine = SavedSearchFactory(user=user, name="Mine", criteria={"keywords": "broadband", "categories": ["IS"]})
    theirs = SavedSearchFactory(user=other_user, name="Theirs")
    page = owner_client.get("/search/saved/")
    assert b"Mine" in page.content and b"Theirs" not in page.content
    assert "&quot;broadband&quot;; Information and Statistics" in page.content.decode()
    owner_client.post(f"/search/saved/{mine.pk}/alerts/")
    mine.refresh_from_db()
    assert mine.alerts_enabled is False
    assert owner_client.post(f"/search/saved/{theirs.pk}/alerts/").status_code == 404
    assert owner_client.post(f"/search/saved/{theirs.pk}/delete/").status_code == 404
    assert owner_client.get(f"/search/?saved={theirs.pk}").status_code == 404
    prefilled = owner_client.get(f"/search/?saved={mine.pk}")
    assert prefilled.context["form"].initial["keywords"] == "broadband"
    owner_client.post(f"/search/saved/{mine.pk}/delete/")
    assert list(SavedSearch.objects.values_list("name", flat=True)) == ["Theirs"]


def test_it_saves_a_search_from_the_form(owner_client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        owner_client.post("/search/", {"keywords": "broadband", "save_as": "Broadband watch"})
    saved = SavedSearch.objects.get(user=user)
    assert saved.name == "Broadband watch" and saved.criteria["keywords"] == "broadband"


def test_it_keeps_no_saved_search_when_the_allowance_is_spent(owner_client, user):
    user.searches_used = user.searches_limit
    user.save()
    response = owner_client.post("/search/", {"keywords": "broadband", "save_as": "Broadband watch"})
    assert response.status_code == 402 and not SavedSearch.objects.exists()
