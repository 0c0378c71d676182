"""Concurrent requests for applications never take more than the allowance."""

import pytest

from accounts.models import User
from applications import services
from applications.models import GeneratedApplication
from billing.exceptions import UsageLimitReached
from tests.race import all_at_once


@pytest.mark.django_db(transaction=True)
def test_it_creates_exactly_as_many_applications_as_the_allowance_allows(settings, user, profile, grant):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    User.objects.filter(pk=user.pk).update(applications_limit=3, applications_used=0)
    callers = 8

    def ask() -> str:
        try:
            services.application_request(user=User.objects.get(pk=user.pk), grant=grant)
        except UsageLimitReached:
            return "refused"
        return "created"

    outcomes = all_at_once([ask] * callers)

    assert sorted(outcomes) == ["created"] * 3 + ["refused"] * 5
    assert GeneratedApplication.objects.filter(user=user).count() == 3
    assert User.objects.get(pk=user.pk).applications_used == 3
