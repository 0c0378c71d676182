from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.throttling import throttle_hit
from applications import exports, selectors, services
from applications.models import (
    ApplicationGenerationStatus,
    ApplicationHistory,
    ApplicationStatus,
    GeneratedApplication,
    InvalidStatusMove,
)
from applications.writer import SECTIONS, SECTIONS_BY_KEY
from billing.exceptions import UsageLimitReached
from profiles.selectors import profile_for_user


def _get_application_for_user(request, pk: int) -> GeneratedApplication:
    """The signed-in user's application, or 404 (never 403: others' ids are not confirmed)."""
    return get_object_or_404(selectors.applications_for_user(user=request.user).select_related("user"), pk=pk)


class NewApplicationForm(forms.Form):
    grant = forms.ModelChoiceField(
        queryset=None,
        label="Grant",
        empty_label="Choose one of your grants…",
        error_messages={
            "required": "Choose the grant to apply for.",
            "invalid_choice": "Choose one of your own grants.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant"].queryset = selectors.grants_for_user(user=user)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in services.USER_STATUSES])
    award_amount = forms.FloatField(
        required=False, min_value=0, error_messages={"min_value": "An award cannot be negative."}
    )


# The new-application form lists the best-scored grants; a grant page can link to any other
# with ?grant=<id>.
GRANT_OPTIONS_SHOWN = 100


@login_required
def application_list(request):
    grants = selectors.grants_for_user(user=request.user)
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
    except UsageLimitReached as spent:
        messages.error(request, str(spent))
        return redirect("applications:list")
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
    except (services.ApplicationRefused, UsageLimitReached) as refused:
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


class HistoryEntryForm(forms.Form):
    status = forms.ChoiceField(choices=ApplicationStatus.choices, label="Status")
    application_date = forms.DateField(
        required=False, label="Date", widget=forms.DateInput(attrs={"type": "date"}), help_text="When you applied."
    )
    award_amount = forms.FloatField(
        required=False, min_value=0, label="Award (USD)", error_messages={"min_value": "An award cannot be negative."}
    )
    status_reason = forms.CharField(required=False, max_length=500, label="Reason or reference")
    feedback_notes = forms.CharField(required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 3}))

    def service_fields(self) -> dict:
        data = self.cleaned_data
        applied_on = data["application_date"]
        return {
            "status": data["status"],
            "application_date": datetime.combine(applied_on, time(12), tzinfo=UTC) if applied_on else None,
            "award_amount": data["award_amount"],
            "status_reason": data["status_reason"] or "",
            "feedback_notes": data["feedback_notes"] or "",
        }


def _get_history_entry_for_user(request, pk: int) -> ApplicationHistory:
    return get_object_or_404(ApplicationHistory.objects.select_related("grant"), pk=pk, user=request.user)


@login_required
def tracking_for_grant(request, grant_id: int):
    """The grant's application history, and a form to record the next step."""
    grant = get_object_or_404(selectors.grants_for_user(user=request.user), pk=grant_id)
    form = HistoryEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_history_record(user=request.user, grant=grant, **form.service_fields())
        except services.ApplicationRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Recorded in this grant's application history.")
            return redirect("applications:tracking", grant_id=grant.pk)
    entries = ApplicationHistory.objects.filter(user=request.user, grant=grant).order_by("-created_at", "-id")
    return render(request, "applications/tracking.html", {"grant": grant, "entries": entries, "form": form})


@login_required
@require_POST
def tracking_entry_delete(request, pk: int):
    entry = _get_history_entry_for_user(request, pk)
    grant_id = entry.grant_id
    entry.delete()
    messages.success(request, "The entry was removed from the application history.")
    return redirect("applications:tracking", grant_id=grant_id)
