"""The admin site: Django's, plus an audit entry whenever staff open or change a user's data.

Installed through ``accounts.admin_apps.AuditedAdminConfig`` (in INSTALLED_APPS instead of
``django.contrib.admin``), so every app's ``admin.py`` registers on it unchanged and is audited
without knowing.
"""

from __future__ import annotations

import functools

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.utils import unquote
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from accounts import services
from accounts.models import AuditAction, User
from accounts.registry import owner_models

# Which admin views open one object, and what a successful GET / POST of each means.
_AUDITED_VIEWS = {
    "change_view": (AuditAction.VIEW, AuditAction.CHANGE),
    "delete_view": (AuditAction.VIEW, AuditAction.DELETE),
    "history_view": (AuditAction.HISTORY, AuditAction.HISTORY),
}


def owner_of(obj) -> User | None:
    """The user whose data ``obj`` is, by the owner registry; None for anything else."""
    if isinstance(obj, User):
        return obj
    entry = owner_models.get(type(obj))
    if entry is None:
        return None
    target = obj
    for step in entry.owner.split("__"):
        target = getattr(target, step, None)
        if target is None:
            return None
    return target if isinstance(target, User) else None


class AuditedAdminSite(AdminSite):
    site_header = "Grant Finder administration"
    site_title = "Grant Finder admin"

    def login(self, request, extra_context=None):
        # One sign-in page for everyone: it knows whether Auth0 or passwords are on.
        return redirect_to_login(
            request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name),
            reverse("accounts:login"),
        )

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)
        model_admin = getattr(view, "__self__", None)
        if not isinstance(model_admin, ModelAdmin):
            return wrapped
        if getattr(view, "__name__", "") == "changelist_view" and _holds_user_data(model_admin.model):
            return _audited_list(wrapped, model_admin)
        meaning = _AUDITED_VIEWS.get(getattr(view, "__name__", ""))
        if meaning is None:
            return wrapped

        @functools.wraps(wrapped)
        def audited(request, *args, **kwargs):
            object_id = kwargs.get("object_id")
            obj = None
            if object_id is not None and self.has_permission(request):
                obj = model_admin.get_object(request, unquote(object_id))
            response = wrapped(request, *args, **kwargs)
            target_user = owner_of(obj) if obj is not None else None
            if target_user is not None:
                action = _audited_action(request, response, meaning)
                if action is not None:
                    erased = action == AuditAction.DELETE and obj == target_user
                    services.audit_record(
                        request=request,
                        action=action,
                        # An erased user leaves no name behind, in the audit trail either.
                        target_user=None if erased else target_user,
                        object_type=model_admin.model._meta.label_lower,
                        object_id=object_id,
                        object_repr=f"deleted user #{obj.pk}" if erased else str(obj),
                    )
            return response

        return audited


def _holds_user_data(model) -> bool:
    return model is User or model in owner_models


def _audited_list(wrapped, model_admin):
    """A list of users' rows was shown: record who looked, at which list, with which search and filters."""

    @functools.wraps(wrapped)
    def audited(request, *args, **kwargs):
        response = wrapped(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            services.audit_record(
                request=request,
                action=AuditAction.LIST,
                target_user=None,
                object_type=model_admin.model._meta.label_lower,
                detail=request.GET.urlencode(),
            )
        return response

    return audited


def _audited_action(request, response, meaning) -> str | None:
    on_get, on_post = meaning
    if request.method == "GET" and response.status_code == 200:
        return on_get
    # The admin redirects after a successful save or delete; a re-rendered form (200) saved nothing.
    if request.method == "POST" and response.status_code in (301, 302):
        return on_post
    return None
