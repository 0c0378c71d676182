from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from social_django import views as social_views

from accounts import services
from accounts.auth0 import auth0_logout_url
from accounts.throttling import request_throttled


def home(request):
    return render(request, "accounts/home.html")


# --- Sign-in and sign-out -------------------------------------------------------------------


def safe_next_url(request) -> str:
    """The ``next`` the request asks for if it stays on this site, else where sign-in normally lands."""
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@csrf_protect
def sign_in(request):
    """Auth0 when configured; the password form when Auth0 is not (or ALLOW_PASSWORD_LOGIN says so)."""
    next_url = safe_next_url(request)
    password_enabled = settings.ALLOW_PASSWORD_LOGIN
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not password_enabled:
            messages.error(request, "Password sign-in is turned off here. Sign in with Auth0.")
            status = 403
        elif form.is_valid():
            # login() gives the session a new key, so a key planted before sign-in is worthless.
            login(request, form.get_user(), backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_url)
        else:
            status = 400
    context = {
        "form": form,
        "next": next_url,
        "auth0_enabled": settings.AUTH0_ENABLED,
        "password_enabled": password_enabled,
        # Signed in yet sent here: the page they wanted is not theirs to open (e.g. the admin).
        "refused_next": request.user.is_authenticated and bool(request.GET.get(REDIRECT_FIELD_NAME)),
    }
    return render(request, "accounts/login.html", context, status=status)


def sign_in_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once an account or address has failed too often (AXES_LOCKOUT_CALLABLE):
    the sign-in page with why and for how long, 429 and Retry-After. The lock is the cool-off
    from the last try, so each try meanwhile restarts it."""
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, round(cooloff / 60))
    messages.error(
        request,
        "Too many failed sign-ins for this account or from this network. Sign-in is paused: "
        f"please try again in {minutes} minute{'s' if minutes != 1 else ''}.",
    )
    request_throttled.send(sender="sign_in", user=None)
    context = {
        "form": AuthenticationForm(request),
        "next": safe_next_url(request),
        "auth0_enabled": settings.AUTH0_ENABLED,
        "password_enabled": settings.ALLOW_PASSWORD_LOGIN,
        "refused_next": False,
    }
    response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = str(cooloff)
    return response


def auth0_begin(request, backend):
    """social-auth's begin, but a plain message instead of a broken redirect when Auth0 is not configured."""
    if not settings.AUTH0_ENABLED:
        messages.error(request, "Auth0 sign-in is not configured on this server.")
        return redirect("accounts:login")
    return social_views.auth(request, backend)


def auth0_complete(request, backend):
    if not settings.AUTH0_ENABLED:
        messages.error(request, "Auth0 sign-in is not configured on this server.")
        return redirect("accounts:login")
    return social_views.complete(request, backend)


@require_POST
def sign_out(request):
    """End the Django session; an Auth0 session ends at Auth0's logout endpoint, which brings the user back."""
    through_auth0 = settings.AUTH0_ENABLED and request.session.get("social_auth_last_login_backend") == "auth0"
    logout(request)
    messages.info(request, "You are signed out.")
    if through_auth0:
        return redirect(auth0_logout_url(return_to=request.build_absolute_uri(reverse("home"))))
    return redirect("home")


# --- The account page and privacy ------------------------------------------------------------


@login_required
def account(request):
    return render(
        request,
        "accounts/account.html",
        {"grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS, "auth0_linked": bool(request.user.auth0_id)},
    )


@login_required
@require_POST
def account_export(request):
    data = services.account_export(user=request.user)
    response = HttpResponse(data, content_type="application/zip")
    filename = f"grantfinder-data-{timezone.now():%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def account_delete(request):
    """Confirm by typing the e-mail address; then the account is closed at once and purged later."""
    error = ""
    if request.method == "POST":
        typed = (request.POST.get("confirm_email") or "").strip()
        if typed.lower() == request.user.email.lower():
            services.account_delete(user=request.user)
            logout(request)
            messages.success(
                request,
                "Your account is closed and you are signed out. Everything in it will be erased "
                f"within {settings.ACCOUNT_DELETION_GRACE_DAYS} days.",
            )
            return redirect("home")
        error = "That is not your account's e-mail address. Nothing has been deleted."
    return render(
        request,
        "accounts/delete.html",
        {"error": error, "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS},
        status=400 if error else 200,
    )
