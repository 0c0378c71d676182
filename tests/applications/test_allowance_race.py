"""Concurrent requests for applications never take more than the allowance."""

import threading

import pytest
from django.db import connection

from accounts.models import User
from applications import services
from applications.models import GeneratedApplication
from billing.exceptions import UsageLimitReached


@pytest.mark.django_db(transaction=True)
def test_it_creates_exactly_as_many_applications_as_the_allowance_allows(settings, user, profile, grant):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    User.objects.filter(pk=user.pk).update(applications_limit=3, applications_used=0)
    callers = 8
    start = threading.Barrier(callers, timeout=10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def ask():
        try:
            start.wait()
            services.application_request(user=User.objects.get(pk=user.pk), grant=grant)
            outcome = "created"
        except UsageLimitReached:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=ask) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["created"] * 3 + ["refused"] * 5
    assert GeneratedApplication.objects.filter(user=user).count() == 3
    assert User.objects.get(pk=user.pk).applications_used == 3
