from __future__ import annotations

from functools import partial

import pytest
from django.test import Client

from billing.models import UsageRecord
from tests.factories import UserFactory
from tests.race import all_at_once


@pytest.mark.urls("tests.billing.limit_urls")
@pytest.mark.django_db(transaction=True)
def test_50_concurrent_api_requests_against_an_allowance_of_10_get_10_successes_and_40_402s():
    user = UserFactory(searches_used=0, searches_limit=10)
    clients = []
    for _ in range(50):
        client = Client()
        client.force_login(user)
        clients.append(client)
    responses = all_at_once([partial(client.post, "/test-api/search") for client in clients])
    statuses = [response.status_code for response in responses]

    assert sorted(statuses) == [200] * 10 + [402] * 40
    user.refresh_from_db()
    assert user.searches_used == 10
    assert UsageRecord.objects.filter(user=user).count() == 10
