"""A refused Auth0 sign-in ends on the sign-in page with a plain message, not an error page."""

from __future__ import annotations

from social_core.exceptions import (
    AuthCanceled,
    AuthProviderError,
    AuthResponseError,
    AuthSessionError,
)
from social_django.middleware import SocialAuthExceptionMiddleware

from accounts.auth0 import SignInRefused


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
