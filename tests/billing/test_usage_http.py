from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from billing.models import UsageRecord
from tests.factories import UserFactory


@pytest.mark.urls("tests.billing.limit_urls")
@pytest.mark.django_db(transaction=True)
def test_50_concurrent_api_requests_against_an_allowance_of_10_get_10_successes_and_40_402s():
    user = UserFactory(searches_used=0, searches_limit=10)
    clients = []
    for _ in range(50):
        client = Client()
        client.force_login(user)
        clients.append(client)
    start = threading.Barrier(50)
    statuses: list[int] = []
    lock = threading.Lock()

    def request(client: Client):
        try:
            start.wait()
            response = client.post("/test-api/search")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 10 + [402] * 40
    user.refresh_from_db()
    assert user.searches_used == 10
    assert UsageRecord.objects.filter(user=user).count() == 10
