"""The applications app's forms: asking for a draft, marking its outcome, recording history by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms

from applications import selectors
from applications.models import ApplicationStatus
from applications.services import USER_STATUSES


class NewApplicationForm(forms.Form):
    grant: forms.ModelChoiceField = forms.ModelChoiceField(
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
        self.fields["grant"].queryset = selectors.grants_ranked_for_user(user=user)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in USER_STATUSES])
    award_amount = forms.FloatField(
        required=False, min_value=0, error_messages={"min_value": "An award cannot be negative."}
    )


class HistoryEntryForm(forms.Form):
    """One step of applying for a grant, recorded by hand."""

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
