from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from profiles.models import NARRATIVE_MAX_LENGTH, OrganizationType

TEXT_MAX_LENGTH = 5000
MAX_SECTORS = 20
SECTOR_MAX_LENGTH = 100


class NewlineNormalisingCharField(forms.CharField):
    """Browsers send newlines as CRLF but count them as one character; count them as one here too."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class SectorsField(forms.CharField):
    """Target sectors typed as a comma-separated list, stored as a list of strings."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = ", ".join(str(item) for item in value)
        text = super().to_python(value)
        sectors: list[str] = []
        for item in text.split(","):
            item = " ".join(item.split())
            if item and item.lower() not in (s.lower() for s in sectors):
                sectors.append(item)
        return sectors

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_SECTORS:
            raise forms.ValidationError(f"List at most {MAX_SECTORS} sectors.", code="too_many")
        for sector in value:
            if len(sector) > SECTOR_MAX_LENGTH:
                raise forms.ValidationError(
                    f"Each sector may be at most {SECTOR_MAX_LENGTH} characters (“{sector[:30]}…” is longer).",
                    code="too_long",
                )

    def run_validators(self, value):
        # The inherited length validators would measure the list, not the text.
        return None


def _length_messages(label: str, limit: int) -> dict:
    return {"max_length": f"{label} may be at most {limit:,} characters (it has %(show_value)d)."}


class BusinessProfileForm(forms.Form):
    business_name = forms.CharField(
        label="Organisation name",
        max_length=255,
        error_messages={
            "required": "Enter your organisation's name.",
            **_length_messages("The name", 255),
        },
    )
    organization_type = forms.ChoiceField(
        label="Organisation type",
        choices=[("", "Choose…"), *OrganizationType.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the listed organisation types."},
    )
    mission_statement = NewlineNormalisingCharField(
        label="Mission statement",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_length_messages("The mission statement", TEXT_MAX_LENGTH),
    )
    service_description = NewlineNormalisingCharField(
        label="Services and programmes",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=_length_messages("The description of services", TEXT_MAX_LENGTH),
    )
    website_url = forms.URLField(
        label="Website",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a full web address, such as https://example.org.",
            **_length_messages("The web address", 500),
        },
    )
    target_sectors = SectorsField(
        label="Target sectors",
        required=False,
        help_text="Separate sectors with commas, e.g. Education, Broadband.",
    )
    revenue_range = forms.CharField(
        label="Annual revenue range",
        required=False,
        max_length=50,
        help_text="For example $250k-$1M.",
        error_messages=_length_messages("The revenue range", 50),
    )
    years_in_operation = forms.IntegerField(
        label="Years in operation",
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
        error_messages={
            "invalid": "Enter the number of years as a whole number.",
            "min_value": "Years in operation cannot be negative.",
            "max_value": "Years in operation may be at most 500.",
        },
    )
    geographic_focus = forms.CharField(
        label="Geographic focus",
        required=False,
        max_length=255,
        help_text="Where you work, e.g. Louisiana or Rural Midwest.",
        error_messages=_length_messages("The geographic focus", 255),
    )
    team_size = forms.IntegerField(
        label="Team size",
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(1_000_000)],
        error_messages={
            "invalid": "Enter the team size as a whole number.",
            "min_value": "Team size cannot be negative.",
            "max_value": "Team size may be at most 1,000,000.",
        },
    )
    narrative_text = NewlineNormalisingCharField(
        label="Narrative",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "data-char-counter": "narrative-counter"}),
        help_text="Your story in your own words: what you have achieved and for whom.",
        error_messages=_length_messages("The narrative", NARRATIVE_MAX_LENGTH),
    )

    def clean_organization_type(self):
        return self.cleaned_data["organization_type"] or ""

    def clean(self):
        cleaned = super().clean()
        # Optional text fields are stored as "" (never NULL); numbers as NULL when left blank.
        for name in ("mission_statement", "service_description", "website_url", "revenue_range", "geographic_focus"):
            if cleaned.get(name) is None and name in cleaned:
                cleaned[name] = ""
        return cleaned


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label="Add a document (PDF, DOCX or TXT)",
        allow_empty_file=False,
        error_messages={"required": "Choose a file to upload.", "empty": "The file is empty."},
    )
