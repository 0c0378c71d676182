"""Auth0: the only module that knows Auth0 exists (backend, pipeline steps, logout URL).

Sign-in runs social-auth's OAuth2 flow with our own user steps (see ``SOCIAL_AUTH_PIPELINE`` in
settings). Our user model signs in by e-mail and has no username, so social-auth's stock
``get_username``/``create_user`` steps are not used; ``user_link_or_create`` replaces them and
never trusts an e-mail address that Auth0 has not verified.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError
from social_core.backends.auth0 import Auth0OAuth2
from social_core.exceptions import AuthPolicyError

from accounts import services
from accounts.models import User


class Auth0(Auth0OAuth2):
    """Auth0 with ``AUTH0_BASE_URL`` replacing ``https://AUTH0_DOMAIN`` for every endpoint and the issuer.

    Lets tests and self-hosted gateways put the tenant at another address (e.g. 127.0.0.1).
    """

    def api_path(self, path: str = "") -> str:
        return f"{auth0_base_url()}/{path}"


def auth0_base_url() -> str:
    base = settings.AUTH0_BASE_URL or f"https://{settings.AUTH0_DOMAIN}"
    return base.rstrip("/")


def auth0_logout_url(*, return_to: str) -> str:
    """Auth0's logout endpoint, which ends the Auth0 session and comes back to ``return_to``."""
    query = urlencode({"client_id": settings.AUTH0_CLIENT_ID, "returnTo": return_to})
    return f"{auth0_base_url()}/v2/logout?{query}"


class SignInRefused(AuthPolicyError):
    """A sign-in our own rules refuse; ``str()`` is the message the person sees."""

    def __init__(self, backend, message: str, *, code: str = "authentication_disallowed") -> None:
        super().__init__(backend, code=code, stage="pipeline")
        self.user_message = message

    def __str__(self) -> str:
        return self.user_message


def _is_auth0(backend) -> bool:
    return backend.name == Auth0.name


def user_link_or_create(backend, details, uid, user=None, *args, **kwargs):
    """Find the account for this Auth0 identity, link a verified e-mail to an existing one, or create one.

    Runs after ``social_user``: ``user`` is set when the identity is already linked. A person may
    hold several identities (Google, then e-mail and password): each is a ``UserSocialAuth`` row
    of the same account, linked by a verified e-mail address.
    """
    if user is not None or not _is_auth0(backend):
        return None
    known = User.objects.filter(auth0_id=uid).first()
    if known is not None:
        return {"user": known, "is_new": False}

    email = (details.get("email") or "").strip()
    if not email:
        # Auth0 leaves the email claims out when the `email` scope was not asked for or granted.
        raise SignInRefused(
            backend,
            "Auth0 sent no e-mail address for this login, so no account can be found or opened: "
            "the sign-in did not include the `email` scope. Ask the site's administrator to request "
            "the `email` scope (openid profile email) from Auth0, then sign in again.",
            code="profile_email_missing",
        )
    # Only a literal True counts: a missing claim or the string "false" is not a verification.
    email_verified = details.get("email_verified") is True
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            created = services.user_create_from_auth0(
                auth0_id=uid,
                email=email,
                full_name=services.name_from_identity(details.get("fullname"), email=email),
                email_verified=email_verified,
            )
        except IntegrityError:
            # A second callback for the same first sign-in (a double click) created it a moment ago.
            created = User.objects.filter(auth0_id=uid).first()
            if created is None:
                raise
            return {"user": created, "is_new": False}
        return {"user": created, "is_new": True}

    if existing.is_system_user or existing.is_pending_deletion or not existing.is_active:
        raise SignInRefused(backend, "This account is closed. Contact support if you think this is a mistake.")
    if not email_verified:
        # Linking on an unverified address would hand the account to whoever typed the address.
        raise SignInRefused(
            backend,
            "An account with this e-mail address already exists. Verify your e-mail address with Auth0 "
            "(follow the link in the message Auth0 sent you), then sign in again.",
            code="email_in_use",
        )
    if services.user_has_auth0_identity(user=existing):
        if not services.user_email_proven_by_identity(user=existing):
            # The account's own logins never proved the address: it may have been opened by someone
            # who typed another person's address. Joining it would give that person this login's data.
            raise SignInRefused(
                backend,
                "An account with this e-mail address signs in with another Auth0 login that has not "
                "confirmed the address yet. Sign in once with that login (after verifying the address "
                "with Auth0), then this login can be added. Contact support if you no longer have it.",
                code="email_in_use",
            )
        # Another identity of a verified owner: social-auth's associate_user adds it to the account.
        return {"user": existing, "is_new": False}
    services.user_link_auth0(user=existing, auth0_id=uid)
    return {"user": existing, "is_new": False}


def user_refuse_inactive(backend, user=None, *args, **kwargs):
    """A closed or deactivated account gets a plain message instead of a silent bounce."""
    if user is not None and not user.is_active:
        raise SignInRefused(backend, "This account is closed. Contact support if you think this is a mistake.")


def user_sync_from_id_token(backend, details, uid, user=None, social=None, *args, **kwargs):
    """Record what the signed id_token says: the identity's verified e-mail, an empty name, a verified new address."""
    if user is None or not _is_auth0(backend):
        return
    email = (details.get("email") or "").strip()
    email_verified = details.get("email_verified") is True
    if social is not None:
        services.identity_record_email(social=social, email=email, email_verified=email_verified)
    services.user_sync_from_auth0(
        user=user,
        auth0_id=uid,
        email=email,
        email_verified=email_verified,
        full_name=(details.get("fullname") or "").strip(),
    )
