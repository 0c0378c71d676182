"""A refused Auth0 sign-in ends on the sign-in page with a plain message, not an error page;
rate-limited requests get 429 with Retry-After."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from social_core.exceptions import (
    AuthCanceled,
    AuthProviderError,
    AuthResponseError,
    AuthSessionError,
)
from social_django.middleware import SocialAuthExceptionMiddleware

from accounts.auth0 import SignInRefused
from accounts.throttling import Throttled, throttle_hit

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# The JSON API's mount point (grantfinder/urls.py); a constant, so no URL reversing per request.
API_PREFIX = "/api/"


class SignInErrorMiddleware(SocialAuthExceptionMiddleware):
    def get_message(self, request, exception) -> str:
        if isinstance(exception, SignInRefused):
            return f"You have not been signed in. {exception}"
        if isinstance(exception, AuthSessionError):
            return (
                "You have not been signed in: the answer from Auth0 did not match a sign-in started here "
                "(it may have expired). Please sign in again."
            )
        if isinstance(exception, AuthResponseError):
            return (
                "You have not been signed in: Auth0's answer could not be verified. Please sign in again; "
                "if this keeps happening, contact support."
            )
        if isinstance(exception, AuthCanceled):
            return "Sign-in was cancelled. You have not been signed in."
        if isinstance(exception, AuthProviderError):
            return "You have not been signed in: Auth0 could not be reached. Please try again in a moment."
        return "You have not been signed in: the sign-in could not be completed. Please try again."


class ThrottleMiddleware:
    """Rate limits (accounts/throttling.py): every write to the API counts against ``api_write``,
    and any page whose view raises ``Throttled`` answers 429 with ``Retry-After``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in SAFE_METHODS
            and is_api_path(request.path)
            and request.user.is_authenticated
            and _csrf_passes(request)
        ):
            try:
                throttle_hit(user=request.user, scope="api_write")
            except Throttled as exc:
                return throttled_json(exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Throttled):
            if is_api_path(request.path):
                return throttled_json(exception)
            response = render(request, "throttled.html", {"message": str(exception)}, status=429)
            response["Retry-After"] = str(exception.retry_after)
            return response
        return None


def _csrf_passes(request) -> bool:
    """Django's own CSRF check, as the API's session auth makes it inside the view: a forged write
    is refused there with 403, so it must not spend the user's write budget here first."""
    return _CSRF_CHECK.process_view(request, _no_view, (), {}) is None


def _no_view(request) -> HttpResponse:  # the check needs a view to look at; this one is never called
    raise AssertionError("not a view")


_CSRF_CHECK = CsrfViewMiddleware(_no_view)


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def throttled_json(exc: Throttled) -> JsonResponse:
    """The API's 429 (also what grantfinder/api.py answers for ``Throttled`` raised in a route)."""
    response = JsonResponse(
        {"detail": str(exc), "code": "throttled", "scope": exc.scope, "retry_after": exc.retry_after}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response
