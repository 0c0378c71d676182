import json

import pytest

from accounts.models import User
from applications.models import ApplicationGenerationStatus as S
from applications.models import ApplicationHistory, GeneratedApplication, GenerationState
from tests.factories import GeneratedApplicationFactory, GrantFactory

pytestmark = pytest.mark.django_db


def patch(client, pk, payload):
    return client.patch(f"/api/applications/{pk}", data=json.dumps(payload), content_type="application/json")


def generate(client, grant_id):
    return client.post(
        "/api/applications/generate", data=json.dumps({"grant_id": grant_id}), content_type="application/json"
    )


@pytest.fixture
def generated(user, grant):
    return GeneratedApplicationFactory(
        user=user,
        grant=grant,
        status=S.GENERATED,
        generation_state=GenerationState.SUCCEEDED,
        sections={"executive_summary": "Summary.", "impact_statement": "Impact."},
    )


def test_it_lists_only_the_callers_applications(owner_client, generated, other_user):
    theirs = GeneratedApplicationFactory(user=other_user)
    response = owner_client.get("/api/applications")
    assert response.status_code == 200
    assert [a["id"] for a in response.json()] == [generated.pk]
    assert theirs.pk not in [a["id"] for a in response.json()]
    assert response.json()[0]["grant_title"] == "Rural Broadband Expansion Grant"


def test_it_returns_one_application_with_its_sections_in_order(owner_client, generated):
    body = owner_client.get(f"/api/applications/{generated.pk}").json()
    assert [s["key"] for s in body["sections"]] == ["executive_summary", "impact_statement"]
    assert body["status"] == "GENERATED"
    assert body["next_statuses"] == ["EDITED", "SUBMITTED"]


def test_it_answers_404_to_another_user_on_every_route(other_client, generated):
    assert other_client.get(f"/api/applications/{generated.pk}").status_code == 404
    assert other_client.get(f"/api/applications/{generated.pk}/status").status_code == 404
    assert patch(other_client, generated.pk, {"status": "SUBMITTED"}).status_code == 404
    generated.refresh_from_db()
    assert generated.status == S.GENERATED


def test_it_generates_in_the_background_and_returns_the_task(
    owner_client, user, profile, grant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = generate(owner_client, grant.pk)
    assert response.status_code == 202
    body = response.json()
    application = GeneratedApplication.objects.get(pk=body["application_id"])
    assert body["task_id"] and body["task_id"] == application.task_id
    assert body["status_url"] == f"/api/applications/{application.pk}/status"
    status = owner_client.get(body["status_url"]).json()
    assert status == {
        "id": application.pk,
        "task_id": application.task_id,
        "state": "succeeded",
        "progress_done": 6,
        "progress_total": 6,
        "section": "",
        "error": "",
        "status": "GENERATED",
    }


def test_it_refuses_to_generate_for_another_users_grant(owner_client, user, profile, other_user):
    theirs = GrantFactory(user=other_user)
    assert generate(owner_client, theirs.pk).status_code == 404
    assert not GeneratedApplication.objects.exists()
    assert User.objects.get(pk=user.pk).applications_used == 0


def test_it_answers_402_when_the_allowance_is_spent(owner_client, user, profile, grant):
    User.objects.filter(pk=user.pk).update(applications_used=1, applications_limit=1)
    response = generate(owner_client, grant.pk)
    assert response.status_code == 402
    assert not GeneratedApplication.objects.exists()


def test_it_asks_for_a_profile_before_generating(owner_client, user, grant):
    response = generate(owner_client, grant.pk)
    assert response.status_code == 400
    assert "Fill in your business profile first" in response.json()["detail"]
    assert User.objects.get(pk=user.pk).applications_used == 0


def test_it_patches_sections_status_and_feedback(owner_client, generated, grant):
    response = patch(owner_client, generated.pk, {"sections": {"impact_statement": "Our own impact."}})
    assert response.status_code == 200
    assert response.json()["status"] == "EDITED"
    response = patch(owner_client, generated.pk, {"status": "SUBMITTED", "feedback_notes": "Sent by post."})
    assert response.status_code == 200
    assert response.json()["feedback_notes"] == "Sent by post."
    assert ApplicationHistory.objects.get(grant=grant).status == "APPLIED"


def test_it_refuses_an_invalid_move_and_keeps_the_edits_of_the_same_request_out(owner_client, generated):
    response = patch(owner_client, generated.pk, {"sections": {"impact_statement": "New."}, "status": "AWARDED"})
    assert response.status_code == 409
    assert "edited cannot become awarded" in response.json()["detail"]
    generated.refresh_from_db()
    assert generated.sections["impact_statement"] == "Impact."
    assert generated.status == S.GENERATED


def test_it_refuses_unknown_sections(owner_client, generated):
    response = patch(owner_client, generated.pk, {"sections": {"appendix": "More."}})
    assert response.status_code == 422
    assert response.json()["detail"] == "Unknown sections: appendix."


def test_it_refuses_anonymous_callers(client, generated):
    assert client.get("/api/applications").status_code == 401
    assert client.get(f"/api/applications/{generated.pk}/status").status_code == 401
