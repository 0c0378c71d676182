from __future__ import annotations

from ninja import Router, Schema
from pydantic import Field, field_validator

from accounts import services

router = Router(tags=["users"])


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    company_name: str
    subscription_tier: str
    subscription_status: str
    searches_used: int
    searches_limit: int
    applications_used: int
    applications_limit: int


class MeIn(Schema):
    """What a user may change about themselves here; the e-mail comes from Auth0."""

    full_name: str | None = Field(default=None, max_length=255)
    company_name: str | None = Field(default=None, max_length=255)

    @field_validator("full_name", "company_name")
    @classmethod
    def strip(cls, value: str | None) -> str | None:
        return value.strip() if value is not None else None


@router.get("/me", response=MeOut)
def me(request):
    return request.user


@router.patch("/me", response=MeOut)
def me_update(request, payload: MeIn):
    return services.user_details_update(user=request.user, **payload.dict(exclude_none=True))
