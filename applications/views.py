from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.throttling import throttle_hit
from applications import exports, selectors, services
from applications.forms import HistoryEntryForm, NewApplicationForm, StatusForm
from applications.models import (
    ApplicationGenerationStatus,
    ApplicationHistory,
    GeneratedApplication,
    InvalidStatusMove,
)
from applications.writer import SECTIONS, SECTIONS_BY_KEY
from funders.selectors import approaches_for_user
from profiles.selectors import profile_for_user


def _get_application_for_user(request, pk: int) -> GeneratedApplication:
    """The signed-in user's application, or 404 (never 403: others' ids are not confirmed)."""
    return get_object_or_404(selectors.applications_for_user(user=request.user).select_related("user"), pk=pk)


# The new-application form lists the best-scored grants; a grant page can link to any other
# with ?grant=<id>.
GRANT_OPTIONS_SHOWN = 100


@login_required
def application_list(request):
    grants = selectors.grants_ranked_for_user(user=request.user)
    options = list(grants[:GRANT_OPTIONS_SHOWN])
    chosen = request.GET.get("grant", "")
    if chosen.isdigit() and all(grant.pk != int(chosen) for grant in options):
        options = [*grants.filter(pk=int(chosen)), *options]
    return render(
        request,
        "applications/list.html",
        {
            "applications": selectors.applications_for_user(user=request.user),
            "grant_options": options,
            "chosen_grant": int(chosen) if chosen.isdigit() else None,
            "has_profile": profile_for_user(user=request.user) is not None,
            # Foundations approached, beside the grants applied for (each step is logged on the funder's page).
            "funder_approaches": approaches_for_user(request.user)[:10],
        },
    )


@login_required
@require_POST
def application_new(request):
    form = NewApplicationForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in form.errors.get("grant", []):
            messages.error(request, error)
        return redirect("applications:list")
    throttle_hit(user=request.user, scope="generation")  # 429 page past the rate limit
    try:
        application = services.application_request(user=request.user, grant=form.cleaned_data["grant"])
    except services.ApplicationRefused as refused:
        messages.error(request, str(refused))
        return redirect("applications:list")
    # A spent allowance (UsageLimitReached) escapes to billing's middleware: the 402 upgrade page.
    messages.success(request, "Your application is being written; this page shows the progress.")
    return redirect("applications:detail", application.pk)


@login_required
def application_detail(request, pk: int):
    application = _get_application_for_user(request, pk)
    sections = {key: text for key, _title, text in exports.ordered_sections(application)}
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "sections": [
                {
                    "key": section.key,
                    "title": section.title,
                    "text": sections.get(section.key, ""),
                    "edit": (application.user_edits or {}).get(section.key),
                    "incomplete": section.key in (application.incomplete_sections or []),
                }
                for section in SECTIONS
                if section.key in sections
            ],
            "status_form": StatusForm(),
            "user_statuses": [s for s in services.USER_STATUSES if application.can_move_to(s)],
            "template_draft_note": exports.TEMPLATE_DRAFT_NOTE,
        },
    )


def _back(application: GeneratedApplication, anchor: str = ""):
    response = redirect("applications:detail", application.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def section_edit(request, pk: int, key: str):
    application = _get_application_for_user(request, pk)
    try:
        services.application_section_edit(application=application, section_key=key, text=request.POST.get("text", ""))
    except (services.ApplicationRefused, InvalidStatusMove) as refused:
        messages.error(request, f"Not saved: {refused}")
    else:
        title = SECTIONS_BY_KEY[key].title
        messages.success(request, f"{title} saved.")
    return _back(application, f"section-{key}")


@login_required
@require_POST
def section_regenerate(request, pk: int, key: str):
    application = _get_application_for_user(request, pk)
    throttle_hit(user=request.user, scope="generation")
    try:
        services.application_section_regenerate(application=application, section_key=key)
    except services.ApplicationRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{SECTIONS_BY_KEY[key].title} is being rewritten.")
    return _back(application)


@login_required
@require_POST
def application_retry(request, pk: int):
    application = _get_application_for_user(request, pk)
    throttle_hit(user=request.user, scope="generation")
    try:
        services.application_retry(application=application)
    except services.ApplicationRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Trying again; this page shows the progress.")
    return _back(application)


@login_required
@require_POST
def status_change(request, pk: int):
    application = _get_application_for_user(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Status not changed: {error}")
        return _back(application)
    try:
        services.application_status_change(
            application=application,
            status=form.cleaned_data["status"],
            award_amount=form.cleaned_data["award_amount"],
        )
    except (services.ApplicationRefused, InvalidStatusMove) as refused:
        messages.error(request, f"Status not changed: {refused}")
    else:
        label = ApplicationGenerationStatus(form.cleaned_data["status"]).label.lower()
        messages.success(request, f"Marked {label}; the grant's application history is updated.")
    return _back(application)


@login_required
@require_POST
def feedback_save(request, pk: int):
    application = _get_application_for_user(request, pk)
    try:
        services.application_feedback_save(application=application, feedback_notes=request.POST.get("feedback", ""))
    except services.ApplicationRefused as refused:
        messages.error(request, f"Not saved: {refused}")
    else:
        messages.success(request, "Feedback notes saved.")
    return _back(application, "feedback")


@login_required
def export_markdown(request, pk: int):
    application = _get_application_for_user(request, pk)
    response = HttpResponse(exports.application_markdown(application), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(application, "md")}"'
    return response


@login_required
def export_docx(request, pk: int):
    application = _get_application_for_user(request, pk)
    response = HttpResponse(
        exports.application_docx(application),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(application, "docx")}"'
    return response


@login_required
def print_view(request, pk: int):
    application = _get_application_for_user(request, pk)
    return render(
        request,
        "applications/print.html",
        {
            "application": application,
            "sections": exports.ordered_sections(application),
            "template_draft_note": exports.TEMPLATE_DRAFT_NOTE,
        },
    )


# Application tracking: the history of applying for one grant, recorded by hand.


def _get_history_entry_for_user(request, pk: int) -> ApplicationHistory:
    return get_object_or_404(selectors.history_for_user(user=request.user).select_related("grant"), pk=pk)


@login_required
def tracking_for_grant(request, grant_id: int):
    """The grant's application history, and a form to record the next step."""
    grant = get_object_or_404(selectors.grants_ranked_for_user(user=request.user), pk=grant_id)
    form = HistoryEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_history_record(user=request.user, grant=grant, **form.service_fields())
        except services.ApplicationRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Recorded in this grant's application history.")
            return redirect("applications:tracking", grant_id=grant.pk)
    entries = selectors.history_for_user(user=request.user).filter(grant=grant)
    return render(
        request,
        "applications/tracking.html",
        {"grant": grant, "entries": entries, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def tracking_entry_delete(request, pk: int):
    entry = _get_history_entry_for_user(request, pk)
    grant_id = entry.grant_id
    services.application_history_delete(entry=entry)
    messages.success(request, "The entry was removed from the application history.")
    return redirect("applications:tracking", grant_id=grant_id)
