"""Shared reads of applications (and of the grants one can be written for)."""

from __future__ import annotations

from django.db.models import QuerySet

from applications.models import ApplicationHistory, GeneratedApplication
from grants.models import Grant


def applications_for_user(*, user) -> QuerySet[GeneratedApplication]:
    return GeneratedApplication.objects.filter(user=user).select_related("grant").order_by("-created_at", "-id")


def grants_ranked_for_user(*, user) -> QuerySet[Grant]:
    """The user's grants best-scored first: what an application can be written (or tracked) for."""
    return Grant.objects.filter(user=user).order_by("-overall_composite_score", "title")


def history_for_user(*, user) -> QuerySet[ApplicationHistory]:
    """The user's application-history entries, newest first."""
    return ApplicationHistory.objects.filter(user=user).order_by("-created_at", "-id")
