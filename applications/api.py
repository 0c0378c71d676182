"""``/api/applications``: list, read, edit, generate and poll the signed-in user's applications."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status

from accounts.throttling import throttle_hit
from applications import exports, selectors, services
from applications.models import GeneratedApplication, InvalidStatusMove
from applications.writer import SECTIONS_BY_KEY
from core.api_errors import InvalidOut, UsageLimitOut
from grants.selectors import grants_for_user

router = Router(tags=["applications"])


class ApplicationSummaryOut(Schema):
    id: int
    grant_id: int
    grant_title: str
    status: str
    generation_state: str
    is_template_draft: bool
    model_used: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_grant_title(obj) -> str:
        return obj.grant.title


class SectionOut(Schema):
    key: str
    title: str
    text: str
    edited: bool
    incomplete: bool  # the model stopped at its length limit before finishing it


class ApplicationOut(ApplicationSummaryOut):
    sections: list[SectionOut]
    user_edits: dict
    feedback_notes: str
    generation_date: datetime | None
    last_edited: datetime | None
    generation_time_seconds: float | None
    tokens_used: int
    tokens_estimated: bool  # the writing service reported no usage: tokens and cost are estimated
    cost_cents: int
    generation_error: str
    next_statuses: list[str]

    @staticmethod
    def resolve_sections(obj) -> list[dict]:
        edits = obj.user_edits or {}
        incomplete = set(obj.incomplete_sections or [])
        return [
            {"key": key, "title": title, "text": text, "edited": key in edits, "incomplete": key in incomplete}
            for key, title, text in exports.ordered_sections(obj)
        ]


class StatusOut(Schema):
    id: int
    task_id: str
    state: str
    progress_done: int
    progress_total: int
    section: str
    error: str
    status: str


class GenerateIn(Schema):
    grant_id: int


class GenerateOut(Schema):
    application_id: int
    task_id: str
    state: str
    status_url: str


class ApplicationPatchIn(Schema):
    sections: dict[str, str] | None = None
    status: str | None = None
    feedback_notes: str | None = None
    award_amount: float | None = None


class ErrorOut(Schema):
    detail: str


def _get_application_for_user(request, application_id: int) -> GeneratedApplication:
    return get_object_or_404(selectors.applications_for_user(user=request.user), pk=application_id)


def _status(application: GeneratedApplication) -> dict:
    return {
        "id": application.pk,
        "task_id": application.task_id,
        "state": application.generation_state,
        "progress_done": application.progress_done,
        "progress_total": application.progress_total,
        "section": application.regenerating_section,
        "error": application.generation_error,
        "status": application.status,
    }


@router.get("/applications", response=list[ApplicationSummaryOut])
def application_list(request):
    return list(selectors.applications_for_user(user=request.user))


@router.post("/applications/generate", response={202: GenerateOut, 400: ErrorOut, 402: UsageLimitOut, 404: ErrorOut})
def application_generate(request, payload: GenerateIn):
    grant = grants_for_user(request.user).filter(pk=payload.grant_id).first()
    if grant is None:
        raise Http404("No such grant.")
    throttle_hit(user=request.user, scope="generation")  # 429 past the rate limit
    try:
        application = services.application_request(user=request.user, grant=grant)
    except services.ApplicationRefused as refused:
        return Status(400, {"detail": str(refused)})
    application.refresh_from_db()
    return Status(
        202,
        {
            "application_id": application.pk,
            "task_id": application.task_id,
            "state": application.generation_state,
            "status_url": reverse("api:application_status", args=[application.pk]),
        },
    )


@router.get("/applications/{application_id}", response=ApplicationOut)
def application_get(request, application_id: int):
    return _get_application_for_user(request, application_id)


@router.patch("/applications/{application_id}", response={200: ApplicationOut, 409: ErrorOut, 422: InvalidOut})
def application_patch(request, application_id: int, payload: ApplicationPatchIn):
    application = _get_application_for_user(request, application_id)
    unknown = sorted(set(payload.sections or {}) - set(SECTIONS_BY_KEY))
    if unknown:
        return Status(422, {"detail": f"Unknown sections: {', '.join(unknown)}."})
    if payload.award_amount is not None and payload.status is None:
        return Status(422, {"detail": "An award amount goes with the status AWARDED."})
    try:
        # All or nothing: a refused status move must not leave the section edits half applied.
        with transaction.atomic():
            for key, text in (payload.sections or {}).items():
                application = services.application_section_edit(application=application, section_key=key, text=text)
            if payload.status is not None:
                application = services.application_status_change(
                    application=application,
                    status=payload.status,
                    feedback_notes=payload.feedback_notes,
                    award_amount=payload.award_amount,
                )
            elif payload.feedback_notes is not None:
                application = services.application_feedback_save(
                    application=application, feedback_notes=payload.feedback_notes
                )
    except InvalidStatusMove as refused:
        return Status(409, {"detail": str(refused)})
    except services.ApplicationRefused as refused:
        return Status(422, {"detail": str(refused)})
    return _get_application_for_user(request, application_id)


@router.get("/applications/{application_id}/status", response=StatusOut, url_name="application_status")
def application_status(request, application_id: int):
    return _status(_get_application_for_user(request, application_id))
