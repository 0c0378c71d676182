import pytest
from django.utils.html import escape

from accounts.models import User
from applications.models import GeneratedApplication, GenerationState
from billing.exceptions import UsageLimitReached
from tests.factories import GeneratedApplicationFactory, GrantFactory

pytestmark = pytest.mark.django_db


def test_it_offers_only_the_users_own_grants(owner_client, profile, grant, other_user):
    GrantFactory(user=other_user, title="Someone else's grant")
    body = owner_client.get("/applications/").content.decode()
    assert "Rural Broadband Expansion Grant" in body
    assert "Someone else" not in body


def test_it_asks_for_a_profile_first(owner_client, grant):
    assert "Fill it in first" in owner_client.get("/applications/").content.decode()


def test_it_writes_a_new_application_from_the_page(
    owner_client, user, profile, grant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/applications/new/", {"grant": grant.pk})
    application = GeneratedApplication.objects.get(user=user)
    assert response["Location"] == f"/applications/{application.pk}/"
    page = owner_client.get(response["Location"]).content.decode()
    assert "Executive summary" in page
    assert "Download DOCX" in page


def test_it_refuses_another_users_grant_and_consumes_nothing(owner_client, user, profile, other_user):
    theirs = GrantFactory(user=other_user)
    response = owner_client.post("/applications/new/", {"grant": theirs.pk}, follow=True)
    assert "Choose one of your own grants." in response.content.decode()
    assert not GeneratedApplication.objects.exists()
    assert User.objects.get(pk=user.pk).applications_used == 0


def test_it_says_when_the_allowance_is_spent(owner_client, user, profile, grant):
    User.objects.filter(pk=user.pk).update(applications_used=1, applications_limit=1)
    response = owner_client.post("/applications/new/", {"grant": grant.pk})
    # Every page meets a spent allowance the same way: billing's 402 page with the way to upgrade,
    # the message worded by billing and shown as it is.
    assert response.status_code == 402
    page = response.content.decode()
    assert escape(str(UsageLimitReached(kind="applications", limit=1))) in page
    assert 'href="/billing/' in page
    assert not GeneratedApplication.objects.exists()


def test_retrying_with_the_allowance_spent_answers_the_same_402_page(owner_client, user, profile, grant):
    application = GeneratedApplicationFactory(
        user=user, grant=grant, sections={}, generation_state=GenerationState.FAILED, allowance_consumed=False
    )
    User.objects.filter(pk=user.pk).update(applications_used=1, applications_limit=1)
    response = owner_client.post(f"/applications/{application.pk}/retry/")
    assert response.status_code == 402
    assert escape(str(UsageLimitReached(kind="applications", limit=1))) in response.content.decode()
    application.refresh_from_db()
    assert application.generation_state == GenerationState.FAILED and not application.allowance_consumed


def test_it_shows_progress_that_a_static_script_polls(owner_client, user, grant):
    application = GeneratedApplicationFactory(
        user=user, grant=grant, sections={}, generation_state=GenerationState.RUNNING, progress_done=2, progress_total=6
    )
    body = owner_client.get(f"/applications/{application.pk}/").content.decode()
    assert f'data-status-url="/api/applications/{application.pk}/status"' in body
    assert 'value="2"' in body and 'max="6"' in body
    assert "js/application-progress.js" in body
    assert "<script>" not in body  # strict CSP: no inline scripts


def test_it_sends_anonymous_visitors_to_sign_in(client):
    assert client.get("/applications/")["Location"].startswith("/accounts/login/")


def test_it_links_applications_and_profile_in_the_navigation(owner_client):
    body = owner_client.get("/applications/").content.decode()
    assert 'href="/applications/"' in body
    assert 'href="/profile/"' in body


def test_it_preselects_a_grant_linked_from_elsewhere(owner_client, profile, grant):
    body = owner_client.get(f"/applications/?grant={grant.pk}").content.decode()
    assert f'<option value="{grant.pk}" selected>Rural Broadband Expansion Grant</option>' in body


def test_it_never_offers_another_users_grant_even_when_linked(owner_client, profile, other_user):
    theirs = GrantFactory(user=other_user, title="Their grant")
    assert "Their grant" not in owner_client.get(f"/applications/?grant={theirs.pk}").content.decode()


def test_it_offers_only_the_next_allowed_statuses(owner_client, user, grant):
    application = GeneratedApplicationFactory(user=user, grant=grant, status="SUBMITTED")
    body = owner_client.get(f"/applications/{application.pk}/").content.decode()
    assert '<option value="AWARDED">Awarded</option>' in body
    assert '<option value="REJECTED">Rejected</option>' in body
    assert '<option value="SUBMITTED">' not in body
    assert "Amount awarded" in body
    assert '<textarea id="text-executive_summary"' not in body  # submitted: no more edits
