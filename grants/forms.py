from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from grants.criteria import CATEGORY_LABELS, ELIGIBILITY_LABELS, SearchCriteria
from grants.models import GrantStatus

DEADLINE_WINDOWS = [("", "Any time"), ("14", "Next 14 days"), ("30", "Next 30 days"), ("60", "Next 60 days")]
DEADLINE_WINDOWS += [("90", "Next 90 days"), ("180", "Next 6 months")]
SORTS = {
    "score": "Best match",
    "deadline": "Deadline (soonest)",
    "amount": "Amount (largest)",
    "newest": "Newest",
}
MAX_AMOUNT = 10**12


# Categories by label, as a reader looks for them.
CATEGORY_CHOICES = sorted(CATEGORY_LABELS.items(), key=lambda choice: choice[1])


class SearchForm(forms.Form):
    keywords = forms.CharField(
        max_length=200,
        required=False,
        help_text='For example: rural broadband "digital literacy" -tribal. Matches of all your words come '
        "first, then those of most of them; quotes require a phrase, a minus sign leaves a word out.",
    )
    categories = forms.MultipleChoiceField(choices=CATEGORY_CHOICES, required=False)
    eligibility = forms.MultipleChoiceField(
        choices=list(ELIGIBILITY_LABELS.items()), required=False, label="Eligible applicants"
    )
    amount_min = forms.IntegerField(min_value=0, max_value=MAX_AMOUNT, required=False, label="Award at least ($)")
    amount_max = forms.IntegerField(min_value=0, max_value=MAX_AMOUNT, required=False, label="Award at most ($)")
    deadline_within_days = forms.TypedChoiceField(
        choices=DEADLINE_WINDOWS, coerce=int, empty_value=None, required=False, label="Deadline"
    )
    include_forecasts = forms.BooleanField(required=False, initial=True, label="Include forecasted opportunities")
    save_as = forms.CharField(
        max_length=200,
        required=False,
        label="Save this search as (optional)",
        help_text="Saved searches e-mail you new matches, at most once a day.",
    )

    def clean(self):
        data = super().clean()
        # The API's check too (SearchCriteria.problems), on the fields that are valid by themselves.
        for name, problem in SearchCriteria.from_dict(data).problems().items():
            if name not in self.errors:
                self.add_error(name, problem)
        return data

    def criteria(self) -> SearchCriteria:
        data = self.cleaned_data
        return SearchCriteria(
            keywords=data["keywords"].strip(),
            categories=data["categories"],
            eligibility=data["eligibility"],
            amount_min=data["amount_min"],
            amount_max=data["amount_max"],
            deadline_within_days=data["deadline_within_days"],
            include_forecasts=data["include_forecasts"],
        )


class GrantFilterForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label="Text")
    category = forms.ChoiceField(
        choices=[("", "Any category"), *sorted(CATEGORY_LABELS.items(), key=lambda c: c[1])], required=False
    )
    min_score = forms.FloatField(min_value=0, max_value=1, required=False, label="Minimum score (0–1)")
    deadline_within = forms.TypedChoiceField(
        choices=DEADLINE_WINDOWS, coerce=int, empty_value=None, required=False, label="Deadline"
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *GrantStatus.choices], required=False)
    saved = forms.BooleanField(required=False, label="Saved only")
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)

    # The form's HTML by its data, per process: rendering the widgets' templates (some 40 options)
    # costs more than the rest of the list page; the same few filter combinations recur.
    _html_cache: dict[tuple, str] = {}
    HTML_CACHE_SIZE = 512

    def fields_html(self) -> str:
        """Every field as ``<div class="filter">`` label, control and errors, built without templates."""
        key = tuple((name, tuple(self.data.getlist(name)) if hasattr(self.data, "getlist") else (self.data.get(name),))
                    for name in self.fields)  # fmt: skip
        html = self._html_cache.get(key)
        if html is None:
            html = mark_safe("".join(self._field_html(self[name]) for name in self.fields))
            if len(self._html_cache) >= self.HTML_CACHE_SIZE:
                self._html_cache.clear()
            self._html_cache[key] = html
        return html

    @staticmethod
    def _field_html(field) -> str:
        name, value, errors = field.name, field.value(), field.errors
        invalid = format_html(' aria-invalid="true" aria-describedby="id_{}_error"', name) if errors else ""
        error_list = format_html(
            '<ul class="errorlist" id="id_{}_error">{}</ul>',
            name,
            mark_safe("".join(format_html("<li>{}</li>", error) for error in errors)),
        ) if errors else ""  # fmt: skip
        if name == "saved":
            checked = " checked" if value else ""
            control = format_html('<input type="checkbox" name="saved" id="id_saved"{}{}>', checked, invalid)
            return format_html('<div class="filter"><label>{} {}</label>{}</div>', control, field.label, error_list)
        if isinstance(field.field, forms.ChoiceField):
            current = "" if value is None else str(value)
            options = "".join(
                f'<option value="{conditional_escape(option)}"{" selected" if str(option) == current else ""}>'
                f"{conditional_escape(label)}</option>"
                for option, label in cast(Iterable[tuple[Any, Any]], field.field.choices)
            )
            control = format_html('<select name="{}" id="id_{}"{}>{}</select>', name, name, invalid, mark_safe(options))
        elif name == "min_score":
            control = format_html(
                '<input type="number" name="min_score" value="{}" min="0" max="1" step="any" id="id_min_score"{}>',
                "" if value is None else value,
                invalid,
            )
        else:
            control = format_html(
                '<input type="text" name="{}" value="{}" maxlength="200" id="id_{}"{}>',
                name,
                value or "",
                name,
                invalid,
            )
        return format_html(
            '<div class="filter"><label for="id_{}">{}</label>{}{}</div>', name, field.label, control, error_list
        )


class BulkSaveForm(forms.Form):
    grant_ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer is accepted here; ownership is checked against the user's grants.
        self.fields["grant_ids"].valid_value = lambda value: str(value).isdigit()
