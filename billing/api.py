from __future__ import annotations

from django.http import JsonResponse
from ninja import Router, Schema

from billing.selectors import billing_is_configured, usage_for_user

router = Router(tags=["billing"])


class AllowanceOut(Schema):
    used: int
    limit: int
    remaining: int


class UsageOut(Schema):
    plan: str
    status: str
    billing_configured: bool
    searches: AllowanceOut
    applications: AllowanceOut


@router.get("/usage", response=UsageOut)
def usage(request):
    allowances = usage_for_user(user=request.user)
    return {
        "plan": request.user.subscription_tier,
        "status": request.user.subscription_status,
        "billing_configured": billing_is_configured(),
        **{
            kind: {"used": allowance.used, "limit": allowance.limit, "remaining": allowance.remaining}
            for kind, allowance in allowances.items()
        },
    }


def usage_limit_reached(request, exc) -> JsonResponse:
    """Every API route that consumes an allowance answers 402 when it is spent (grantfinder/api.py)."""
    return JsonResponse(
        {
            "detail": str(exc),
            "code": "usage_limit_reached",
            "kind": exc.kind,
            "limit": exc.limit,
            "upgrade_url": request.build_absolute_uri(exc.upgrade_url),
        },
        status=402,
    )
