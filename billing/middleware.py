from __future__ import annotations

from django.shortcuts import render

from billing.exceptions import UsageLimitReached


class UsageLimitMiddleware:
    """Any page whose view lets ``UsageLimitReached`` escape answers 402 with the upgrade link."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UsageLimitReached):
            return render(
                request,
                "billing/limit_reached.html",
                {"message": str(exception), "upgrade_url": exception.upgrade_url, "kind": exception.kind},
                status=402,
            )
        return None
