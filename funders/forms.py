from __future__ import annotations

from django import forms

from funders.models import ApproachStage, FunderApproach
from grants.scoring import US_STATES

STATE_CHOICES = [("", "Any state"), *sorted(US_STATES.items(), key=lambda item: item[1])]


class FunderSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Name or purpose")
    state = forms.ChoiceField(required=False, choices=STATE_CHOICES, label="Foundation's state")
    open_only = forms.BooleanField(required=False, label="Only funders that accept applications")


class GrantFilterForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=1990, max_value=2100, label="Tax year")
    state = forms.CharField(required=False, max_length=2, label="Recipient state")
    q = forms.CharField(required=False, max_length=200, label="Purpose")


class ApproachForm(forms.ModelForm):
    stage = forms.ChoiceField(choices=ApproachStage.choices, label="What happened")

    class Meta:
        model = FunderApproach
        fields = ["stage", "happened_on", "amount", "notes"]
        labels = {"happened_on": "Date", "amount": "Amount awarded (if funded)"}
        widgets = {"happened_on": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 2})}
