from __future__ import annotations

from ninja import Router, Schema

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


@router.get("/me", response=MeOut)
def me(request):
    return request.user
