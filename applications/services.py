"""Writes to applications: asking for one, writing it in the background, editing, the workflow.

Allowance: asking for a generation takes one application from the user's allowance at once (so a
spent allowance is refused before any work, and concurrent requests cannot overspend); if the
generation then fails, it is given back. Net effect: a success consumes one, a failure nothing.
Rewriting one section of an application that was generated consumes no allowance.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from applications import llm
from applications.exports import application_markdown
from applications.models import (
    ApplicationGenerationStatus,
    ApplicationHistory,
    ApplicationStatus,
    GeneratedApplication,
    GenerationState,
    InvalidStatusMove,
)
from applications.retrieval import section_contexts
from applications.writer import SECTION_KEYS, SECTIONS, SECTIONS_BY_KEY, SectionDraft, llm_write, offline_write
from billing.services.usage import usage_consume_application, usage_refund_application
from grants.models import Grant
from profiles.models import BusinessProfile

logger = logging.getLogger(__name__)

SECTION_MAX_CHARS = 20_000
FEEDBACK_MAX_CHARS = 10_000
# The statuses a user sets by hand; GENERATED comes from the writer and EDITED from editing.
USER_STATUSES = (
    ApplicationGenerationStatus.SUBMITTED,
    ApplicationGenerationStatus.AWARDED,
    ApplicationGenerationStatus.REJECTED,
)
_DECISIONS: dict[str, bool] = {ApplicationStatus.AWARDED: True, ApplicationStatus.REJECTED: False}
_OUTCOME_HISTORY_STATUS: dict[str, str] = {
    ApplicationGenerationStatus.SUBMITTED: ApplicationStatus.APPLIED,
    ApplicationGenerationStatus.AWARDED: ApplicationStatus.AWARDED,
    ApplicationGenerationStatus.REJECTED: ApplicationStatus.REJECTED,
}


class ApplicationRefused(Exception):
    """A request about an application that cannot be done now; ``str()`` is for the user."""


# Asking for generation ------------------------------------------------------------------------


def _queue(application: GeneratedApplication, *, section_key: str) -> None:
    application.generation_state = GenerationState.QUEUED
    application.generation_error = ""
    application.regenerating_section = section_key
    application.progress_done = 0
    application.progress_total = 1 if section_key else len(SECTIONS)
    application.save()
    from applications.tasks import generate_application

    # Enqueued in the same transaction: the task row commits with the application row and the
    # allowance it took, or not at all; the worker cannot see the task before the row exists.
    result = generate_application.enqueue(application_id=application.pk, section_key=section_key)
    application.task_id = str(result.id)
    GeneratedApplication.objects.filter(pk=application.pk).update(task_id=application.task_id)


def _require_profile(user: User) -> None:
    if not BusinessProfile.objects.filter(user=user).exists():
        raise ApplicationRefused("Fill in your business profile first: applications are written from it.")


@transaction.atomic
def application_request(*, user: User, grant: Grant) -> GeneratedApplication:
    """Start writing a new application for one of the user's grants (in the background).

    Raises ``billing.exceptions.UsageLimitReached`` when the allowance is spent (nothing created).
    """
    if grant.user_id != user.pk:
        raise ApplicationRefused("That grant is not yours.")
    _require_profile(user)
    usage_consume_application(user=user)
    application = GeneratedApplication(user=user, grant=grant, allowance_consumed=True)
    _queue(application, section_key="")
    return application


@transaction.atomic
def application_retry(*, application: GeneratedApplication) -> GeneratedApplication:
    """Try a failed first generation again; it takes the allowance again (a failure gave it back)."""
    application = GeneratedApplication.objects.select_for_update().get(pk=application.pk)
    if application.is_busy:
        raise ApplicationRefused("This application is already being written.")
    if application.status != ApplicationGenerationStatus.DRAFT:
        raise ApplicationRefused("This application is already written; rewrite single sections instead.")
    _require_profile(application.user)
    if not application.allowance_consumed:
        usage_consume_application(user=application.user)
        application.allowance_consumed = True
    _queue(application, section_key="")
    return application


@transaction.atomic
def application_section_regenerate(*, application: GeneratedApplication, section_key: str) -> GeneratedApplication:
    """Rewrite one section in the background; the user's edits to it are replaced."""
    application = GeneratedApplication.objects.select_for_update().get(pk=application.pk)
    if section_key not in SECTIONS_BY_KEY:
        raise ApplicationRefused("There is no such section.")
    if application.is_busy:
        raise ApplicationRefused("This application is already being written; wait for it to finish.")
    if application.status == ApplicationGenerationStatus.DRAFT:
        raise ApplicationRefused("Generate the application before rewriting single sections.")
    if not application.is_writable:
        raise ApplicationRefused(
            f"This application is {application.get_status_display().lower()}; its sections can no longer change."
        )
    _require_profile(application.user)
    _queue(application, section_key=section_key)
    return application


# Writing (the background task's body) ---------------------------------------------------------


def _claim(application_id: int) -> GeneratedApplication | None:
    with transaction.atomic():
        application = (
            GeneratedApplication.objects.select_for_update()
            .select_related("grant", "user")
            .filter(pk=application_id)
            .first()
        )
        # Anything but QUEUED means another delivery of this task already ran or is running it.
        if application is None or application.generation_state != GenerationState.QUEUED:
            return None
        application.generation_state = GenerationState.RUNNING
        application.save(update_fields=["generation_state", "updated_at"])
        return application


def application_generate(*, application_id: int) -> None:
    """Write the queued application (or its one queued section), recording success or failure."""
    application = _claim(application_id)
    if application is None:
        return
    started = time.monotonic()
    try:
        _write(application, started)
    except Exception:
        # Whatever broke, the user must not be left with a spinner and a spent allowance.
        logger.exception("Generation of application %s crashed", application.pk)
        _fail(application, "Something went wrong on our side while writing; please try again.", [], started)
        raise


def _write(application: GeneratedApplication, started: float) -> None:
    section_key = application.regenerating_section
    sections = [SECTIONS_BY_KEY[section_key]] if section_key else SECTIONS
    profile = BusinessProfile.objects.filter(user_id=application.user_id).first()
    if profile is None:
        _fail(application, "Your business profile was deleted, so there is nothing to write from.", [], started)
        return
    contexts = section_contexts(profile=profile, grant=application.grant, sections=sections)

    client = llm.make_client() if llm.is_configured() else None
    drafts, errors = _write_sections(application, contexts, client)
    if errors:
        _fail(application, errors[0], drafts, started)
    else:
        _succeed(application, drafts, started)


def _write_sections(application, contexts, client) -> tuple[list[SectionDraft], list[str]]:
    """Each section in its own thread (they only wait on the network); database writes stay here."""

    def write(context):
        return llm_write(context, client=client) if client is not None else offline_write(context)

    drafts: list[SectionDraft] = []
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, min(settings.LLM_CONCURRENCY, len(contexts)))) as pool:
        futures = [pool.submit(write, context) for context in contexts]
        for future in as_completed(futures):
            try:
                drafts.append(future.result())
            except llm.LLMError as error:
                errors.append(str(error))
                continue
            GeneratedApplication.objects.filter(pk=application.pk).update(progress_done=F("progress_done") + 1)
    return drafts, errors


def _spend(application: GeneratedApplication, drafts: list[SectionDraft]) -> tuple[int, int]:
    """Tokens and cost of the drafts, added to the user's month; marks the application when they are estimated."""
    if any(d.tokens_estimated for d in drafts):
        application.tokens_estimated = True
    tokens = sum(d.prompt_tokens + d.completion_tokens for d in drafts)
    cost = llm.cost_cents(
        prompt_tokens=sum(d.prompt_tokens for d in drafts),
        completion_tokens=sum(d.completion_tokens for d in drafts),
    )
    if cost:
        User.objects.filter(pk=application.user_id).update(monthly_ai_cost_cents=F("monthly_ai_cost_cents") + cost)
    return tokens, cost


def _no_longer_ours(application: GeneratedApplication) -> bool:
    """True when someone else settled this run meanwhile (``fail_stale_tasks`` judged the worker dead).

    Its verdict stands: the allowance was given back, so a late result must not be recorded.
    """
    if application.generation_state == GenerationState.RUNNING:
        return False
    logger.warning("Discarding the late result of application %s (%s)", application.pk, application.generation_state)
    return True


@transaction.atomic
def _succeed(application: GeneratedApplication, drafts: list[SectionDraft], started: float) -> None:
    application = (
        GeneratedApplication.objects.select_for_update().select_related("grant", "user").get(pk=application.pk)
    )
    if _no_longer_ours(application):
        return
    tokens, cost = _spend(application, drafts)
    sections = dict(application.sections or {})
    edits = dict(application.user_edits or {})
    incomplete = set(application.incomplete_sections or [])
    for draft in drafts:
        sections[draft.key] = draft.text
        edits.pop(draft.key, None)
        if draft.incomplete:
            incomplete.add(draft.key)
        else:
            incomplete.discard(draft.key)
    application.sections = {key: sections[key] for key in SECTION_KEYS if key in sections}
    application.incomplete_sections = [key for key in SECTION_KEYS if key in incomplete]
    application.user_edits = edits
    models_used = sorted({d.model for d in drafts})
    if application.regenerating_section and application.model_used:
        models_used = sorted(set(models_used) | set(application.model_used.split(" + ")))
    application.model_used = " + ".join(models_used)[:100]
    application.tokens_used += tokens
    application.cost_cents += cost
    application.generation_time_seconds = round(time.monotonic() - started, 3)
    application.generation_state = GenerationState.SUCCEEDED
    application.generation_error = ""
    application.progress_done = application.progress_total
    if application.status == ApplicationGenerationStatus.DRAFT:
        application.move_to(ApplicationGenerationStatus.GENERATED)
        application.generation_date = timezone.now()
    application.generated_content = application_markdown(application)
    application.save()


@transaction.atomic
def _fail(application: GeneratedApplication, message: str, drafts: list[SectionDraft], started: float) -> None:
    application = GeneratedApplication.objects.select_for_update().get(pk=application.pk)
    if _no_longer_ours(application):
        return
    # Tokens the service did answer with were billed to us, so they count even when a sibling failed.
    tokens, cost = _spend(application, drafts)
    application.tokens_used += tokens
    application.cost_cents += cost
    application.generation_time_seconds = round(time.monotonic() - started, 3)
    application.generation_state = GenerationState.FAILED
    application.generation_error = message
    if application.allowance_consumed and application.status == ApplicationGenerationStatus.DRAFT:
        usage_refund_application(user=application.user)
        application.allowance_consumed = False
    application.save()
    logger.warning("Generation of application %s failed: %s", application.pk, message)


@transaction.atomic
def application_generation_interrupted(*, application_id: int, section_key: str = "", reason: str) -> None:
    """The worker writing this application died mid-task (``fail_stale_tasks``): fail it, refund it.

    Called inside the transaction that fails the task; ``reason`` (which worker, when) goes to
    the log, the user reads ``generation_error``. The allowance goes back as on any other failure.
    """
    application = (
        GeneratedApplication.objects.select_for_update().select_related("user").filter(pk=application_id).first()
    )
    if application is None or application.generation_state not in (GenerationState.QUEUED, GenerationState.RUNNING):
        return
    application.generation_state = GenerationState.FAILED
    application.generation_error = "Writing was interrupted because the server running it stopped; please try again."
    if application.allowance_consumed and application.status == ApplicationGenerationStatus.DRAFT:
        usage_refund_application(user=application.user)
        application.allowance_consumed = False
    application.save()
    logger.warning("Generation of application %s interrupted: %s", application.pk, reason)


# Editing and the workflow ----------------------------------------------------------------------


def _locked(application: GeneratedApplication) -> GeneratedApplication:
    application = (
        GeneratedApplication.objects.select_for_update().select_related("grant", "user").get(pk=application.pk)
    )
    if application.is_busy:
        raise ApplicationRefused("This application is being written; wait until it finishes.")
    return application


@transaction.atomic
def application_section_edit(*, application: GeneratedApplication, section_key: str, text: str) -> GeneratedApplication:
    """Replace one section's text with the user's; records the edit and moves the status to EDITED."""
    application = _locked(application)
    if section_key not in SECTIONS_BY_KEY:
        raise ApplicationRefused("There is no such section.")
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ApplicationRefused("A section cannot be empty; rewrite it instead if you want a fresh start.")
    if len(text) > SECTION_MAX_CHARS:
        raise ApplicationRefused(f"A section may be at most {SECTION_MAX_CHARS:,} characters.")
    current = (application.sections or {}).get(section_key, "")
    if text == current:
        return application
    if application.status != ApplicationGenerationStatus.EDITED:
        application.move_to(ApplicationGenerationStatus.EDITED)
    now = timezone.now()
    edits = dict(application.user_edits or {})
    record = edits.get(section_key) or {"original": current, "edit_count": 0}
    record.update(edited_at=now.isoformat(), edit_count=record["edit_count"] + 1)
    edits[section_key] = record
    application.user_edits = edits
    application.sections = {**application.sections, section_key: text}
    # The user finished it by hand: it is no longer the model's cut-off text.
    application.incomplete_sections = [k for k in application.incomplete_sections or [] if k != section_key]
    application.last_edited = now
    application.generated_content = application_markdown(application)
    application.save()
    return application


@transaction.atomic
def application_status_change(
    *,
    application: GeneratedApplication,
    status: str,
    feedback_notes: str | None = None,
    award_amount: float | None = None,
) -> GeneratedApplication:
    """Move to SUBMITTED, AWARDED or REJECTED (if the workflow allows) and record it in the grant's history."""
    application = _locked(application)
    if status not in USER_STATUSES:
        raise InvalidStatusMove(
            "An application becomes generated when it is written and edited when you edit a section; "
            "you can mark it submitted, awarded or rejected."
        )
    application.move_to(status)
    if award_amount is not None and (award_amount < 0 or status != ApplicationGenerationStatus.AWARDED):
        raise ApplicationRefused("An award amount goes with an awarded application and cannot be negative.")
    if feedback_notes is not None:
        application.feedback_notes = _checked_feedback(feedback_notes)
    _history_record(application, status=status, award_amount=award_amount)
    application.save()
    return application


@transaction.atomic
def application_feedback_save(*, application: GeneratedApplication, feedback_notes: str) -> GeneratedApplication:
    application = GeneratedApplication.objects.select_for_update().get(pk=application.pk)
    application.feedback_notes = _checked_feedback(feedback_notes)
    application.save(update_fields=["feedback_notes", "updated_at"])
    if application.history_id:
        ApplicationHistory.objects.filter(pk=application.history_id).update(
            feedback_notes=application.feedback_notes or None, updated_at=timezone.now()
        )
    return application


def _checked_feedback(notes: str) -> str:
    notes = notes.replace("\r\n", "\n").strip()
    if len(notes) > FEEDBACK_MAX_CHARS:
        raise ApplicationRefused(f"Feedback notes may be at most {FEEDBACK_MAX_CHARS:,} characters.")
    return notes


def _history_record(application: GeneratedApplication, *, status: str, award_amount: float | None) -> None:
    """The grant's application history follows this application's submission and outcome."""
    # The grant may already have a history row (tracked by hand, or from the legacy app) that no
    # other generated application feeds: continue it rather than start a second one.
    history = (
        application.history
        or ApplicationHistory.objects.filter(
            user=application.user, grant=application.grant, generated_application__isnull=True
        )
        .order_by("-created_at", "-id")
        .first()
        or ApplicationHistory(grant=application.grant, user=application.user)
    )
    now = timezone.now()
    history.status = _OUTCOME_HISTORY_STATUS[status]
    if status == ApplicationGenerationStatus.SUBMITTED:
        history.application_date = now
    else:
        history.is_successful_outcome = status == ApplicationGenerationStatus.AWARDED
        history.status_reason = f"Marked {status.lower()} in Grant Finder on {now:%Y-%m-%d}."
    if award_amount is not None:
        history.award_amount = award_amount
    history.feedback_notes = application.feedback_notes or None
    history.save()
    application.history = history


# Tracking by hand: the grant seeker records where an application stands (outside Grant Finder too).


def _history_fields(*, status: str, application_date, award_amount, status_reason: str, feedback_notes: str) -> dict:
    if award_amount is not None and status != ApplicationStatus.AWARDED:
        raise ApplicationRefused("An award amount goes with the Awarded status.")
    return {
        "status": status,
        "application_date": application_date,
        "award_amount": award_amount,
        "status_reason": status_reason.strip() or None,
        "feedback_notes": _checked_feedback(feedback_notes) or None,
        # Only a decision is an outcome: AWARDED succeeded, REJECTED did not, the rest are open.
        "is_successful_outcome": _DECISIONS.get(status),
    }


@transaction.atomic
def application_history_record(*, user: User, grant: Grant, **fields) -> ApplicationHistory:
    """A new entry in the grant's application history."""
    if grant.user_id != user.pk:
        raise ApplicationRefused("You can only track your own grants.")
    return ApplicationHistory.objects.create(user=user, grant=grant, **_history_fields(**fields))


@transaction.atomic
def application_history_update(*, entry: ApplicationHistory, **fields) -> ApplicationHistory:
    entry = ApplicationHistory.objects.select_for_update().get(pk=entry.pk)
    for name, value in _history_fields(**fields).items():
        setattr(entry, name, value)
    entry.save()
    return entry


def application_history_delete(*, entry: ApplicationHistory) -> None:
    """Remove one entry from a grant's application history."""
    entry.delete()
