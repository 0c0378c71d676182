"""``/api/business-profile``: read and replace the signed-in user's profile."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Router, Schema, Status

from core.api_errors import ErrorOut, InvalidOut
from profiles import selectors, services
from profiles.forms import BusinessProfileForm

router = Router(tags=["business profile"])


class BusinessProfileIn(Schema):
    business_name: str
    organization_type: str = ""
    mission_statement: str = ""
    service_description: str = ""
    website_url: str = ""
    target_sectors: list[str] = []
    revenue_range: str = ""
    years_in_operation: int | None = None
    geographic_focus: str = ""
    team_size: int | None = None
    narrative_text: str = ""


class BusinessProfileOut(BusinessProfileIn):
    documents_total_size_bytes: int
    embeddings_generated_at: datetime | None
    updated_at: datetime


@router.get("/business-profile", response={200: BusinessProfileOut, 404: ErrorOut})
def business_profile_get(request):
    profile = selectors.profile_for_user(user=request.user)
    if profile is None:
        raise Http404("No business profile yet.")
    return profile


@router.put("/business-profile", response={200: BusinessProfileOut, 422: InvalidOut})
def business_profile_put(request, payload: BusinessProfileIn):
    # The same form as the page, so both say the same thing about the same input.
    data = payload.dict()
    form = BusinessProfileForm(
        data={key: ("" if value is None else value) for key, value in data.items() if key != "target_sectors"}
        | {"target_sectors": ", ".join(data["target_sectors"])}
    )
    if not form.is_valid():
        errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
        return Status(422, {"detail": "The profile is not valid.", "errors": errors})
    return services.profile_save(user=request.user, data=form.cleaned_data)
