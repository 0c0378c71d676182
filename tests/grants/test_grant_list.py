"""The grants list at scale: keyset pages, the counted-ahead text filter, constant query counts."""

from __future__ import annotations

import random
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants import selectors
from grants.models import Grant
from tests.factories import GrantFactory, SavedGrantFactory, SearchRunFactory, UserSettingsFactory

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    return [row["id"] for row in response.context["page"].rows]


def _grants_with_ties_and_nulls(user, count: int) -> None:
    """Grants whose every sort column has ties and NULLs, so the id tie-break and the NULL tail count."""
    rng = random.Random(7)
    now = timezone.now()
    for _ in range(count):
        GrantFactory(
            user=user,
            overall_composite_score=rng.choice([None, 0.2, 0.5, 0.5, 0.9]),
            deadline=rng.choice([None, now + timedelta(days=3), now + timedelta(days=40)]),
            funding_amount=rng.choice([None, 10.0, 500.0]),
            created_at=rng.choice([None, now - timedelta(days=1), now - timedelta(days=9)]),
        )


@pytest.mark.parametrize("sort", ["score", "deadline", "amount", "newest"])
def test_it_pages_by_cursor_through_every_grant_once_in_order(owner_client, user, other_user, sort):
    _grants_with_ties_and_nulls(user, 80)
    GrantFactory.create_batch(5, user=other_user)
    expected = list(Grant.objects.filter(user=user).order_by(*selectors.ORDERINGS[sort]).values_list("id", flat=True))

    seen, pages, response = [], [], owner_client.get(f"/grants/?sort={sort}")
    while True:
        page = response.context["page"]
        pages.append(page.number)
        seen += _ids(response)
        assert page.count == 80 and page.num_pages == 4
        if not page.has_next:
            break
        assert "after" in parse_qs(response.context["next_url"][1:])
        response = owner_client.get("/grants/" + response.context["next_url"])
    assert seen == expected
    assert pages == [1, 2, 3, 4]

    backwards = []
    while True:
        backwards = _ids(response) + backwards
        if not response.context["page"].has_previous:
            break
        assert "before" in parse_qs(response.context["previous_url"][1:])
        response = owner_client.get("/grants/" + response.context["previous_url"])
    assert backwards == expected
    assert response.context["page"].number == 1


def test_a_typed_page_number_still_works_and_a_bad_cursor_is_ignored(owner_client, user):
    _grants_with_ties_and_nulls(user, 60)
    expected = list(
        Grant.objects.filter(user=user).order_by(*selectors.ORDERINGS["score"]).values_list("id", flat=True)
    )
    assert _ids(owner_client.get("/grants/?page=2")) == expected[25:50]
    assert _ids(owner_client.get("/grants/?page=99")) == expected[50:]  # past the end: the last page
    assert _ids(owner_client.get("/grants/?page=2&after=not-a-cursor")) == expected[25:50]
    assert _ids(owner_client.get("/grants/?sort=deadline&after=0.5~12")) == _ids(
        owner_client.get("/grants/?sort=deadline")
    )


def test_the_text_filter_finds_words_anywhere_and_counts_ahead(owner_client, user, other_user):
    GrantFactory.create_batch(30, user=user, title="Water systems", funder_name="EPA", description="Clean water")
    GrantFactory(user=user, title="Library", funder_name="Institute of Museum and Library Services", description="")
    GrantFactory(user=user, title="Roads", funder_name=None, description="Rural BROADBAND and roads")
    GrantFactory(user=other_user, title="Broadband for someone else")
    response = owner_client.get("/grants/?q=broadband")
    assert [row["title"] for row in response.context["page"].rows] == ["Roads"]
    assert b"1 grant " in response.content
    assert [r["title"] for r in owner_client.get("/grants/?q=museum").context["page"].rows] == ["Library"]

    many = owner_client.get("/grants/?q=water")
    page = many.context["page"]
    assert (page.count, page.count_is_lower_bound, page.num_pages) == (30, False, 2)
    GrantFactory.create_batch(100, user=user, title="Water rights", description="")
    page = owner_client.get("/grants/?q=water").context["page"]
    assert (page.count, page.count_is_lower_bound) == (selectors.COUNT_AHEAD, True)
    assert b"100+ grants" in owner_client.get("/grants/?q=water").content


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200, path
    return len(captured.captured_queries)


PAGES = [
    "/grants/",
    "/grants/?sort=deadline",
    "/grants/?sort=amount",
    "/grants/?q=broadband",
    "/grants/?saved=on",
    "/grants/?min_score=0.3&deadline_within=60&sort=deadline",
    "/dashboard/",
    "/grants/{grant}/",
    "/search/",
    "/api/grants",
    "/api/grants/{grant}",
]


def test_every_page_makes_the_same_number_of_queries_for_few_grants_and_many(client, user, other_user):
    """The query count of each page does not grow with the number of the user's grants."""
    counts = {}
    for person, size in ((user, 3), (other_user, 90)):
        settings = UserSettingsFactory(user=person)
        _grants_with_ties_and_nulls(person, size)
        for grant in Grant.objects.filter(user=person)[:2]:
            SavedGrantFactory(user_settings=settings, grant=grant)
        SearchRunFactory(user=person)
        first = Grant.objects.filter(user=person).order_by("id").first()
        client.force_login(person)
        counts[size] = {path: _queries(client, path.format(grant=first.pk)) for path in PAGES}
    assert counts[3] == counts[90]
