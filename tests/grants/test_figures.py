"""The dashboard's precomputed figures equal a fresh count after every kind of write to grants."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from grants.models import Grant, GrantFigures, SearchRunStatus
from grants.selectors import figures_for_user
from grants.services import search_run_execute
from grants.services.figures import figures_rebuild
from grants.services.saving import grant_unsave, grants_save
from tests.factories import BusinessProfileFactory, GrantFactory, OpportunityFactory, SearchRunFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(user) -> dict:
    """The figures counted from the grants themselves."""
    scores = list(Grant.objects.filter(user=user).values_list("overall_composite_score", flat=True))
    codes = Counter()
    for categories in Grant.objects.filter(user=user).values_list("categories", flat=True):
        codes.update(categories if isinstance(categories, list) else [])
    return {
        "total": len(scores),
        "high": sum(1 for s in scores if s is not None and s >= 0.7),
        "medium": sum(1 for s in scores if s is not None and 0.4 <= s < 0.7),
        "low": sum(1 for s in scores if s is not None and s < 0.4),
        "unscored": sum(1 for s in scores if s is None),
        "categories": dict(codes),
    }


def stored(user) -> dict:
    figures = figures_for_user(user)
    return {
        "total": figures.total,
        "high": figures.high,
        "medium": figures.medium,
        "low": figures.low,
        "unscored": figures.unscored,
        "categories": figures.categories,
    }


def assert_current(*users) -> None:
    for user in users:
        assert stored(user) == fresh(user), user


def test_single_and_bulk_inserts_updates_and_deletes_keep_the_figures_current(user, other_user):
    GrantFactory(user=user, overall_composite_score=0.9, categories=["ED", "HL"])
    assert stored(user)["total"] == 1
    Grant.objects.bulk_create(
        [Grant(user=user, title=f"b{i}", overall_composite_score=s, categories=c)
         for i, (s, c) in enumerate([(0.1, ["ED"]), (None, []), (0.5, ["IS", "ED"]), (0.7, ["IS"])])]
        + [Grant(user=other_user, title="theirs", overall_composite_score=0.95, categories=["AG"])]
    )  # fmt: skip
    assert_current(user, other_user)
    assert stored(user)["categories"] == {"ED": 3, "HL": 1, "IS": 2}

    grant = Grant.objects.get(title="b0")
    grant.overall_composite_score, grant.categories = 0.8, ["AG", "AG"]
    grant.save()  # one row: score band and categories move
    assert_current(user)
    Grant.objects.filter(user=user, overall_composite_score__isnull=True).update(overall_composite_score=0.45)
    Grant.objects.filter(user=user).update(updated_at=timezone.now())  # a touch changes nothing counted
    assert_current(user)

    Grant.objects.filter(title="b2").update(user=other_user)  # a grant changing hands
    assert_current(user, other_user)

    Grant.objects.get(title="b3").delete()
    Grant.objects.filter(user=user, overall_composite_score__lt=0.5).delete()
    assert_current(user, other_user)
    assert "HL" in stored(user)["categories"] and "IS" not in stored(user)["categories"]  # zero counts go


def test_raw_sql_writes_and_odd_legacy_categories_are_counted_too(user):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO grants (user_id, title, overall_composite_score, categories, keywords, score_reasons,"
            " record_status) VALUES (%s, 'raw', 0.3, '{\"not\": \"a list\"}', '[]', '{}', 'ACTIVE'),"
            " (%s, 'raw2', NULL, '[\"ED\"]', '[]', '{}', 'ACTIVE')",
            [user.pk, user.pk],
        )
    assert_current(user)
    assert stored(user)["categories"] == {"ED": 1}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM grants WHERE user_id = %s AND title = 'raw'", [user.pk])
    assert_current(user)


def test_a_search_run_counts_the_grants_it_finds(user):
    BusinessProfileFactory(user=user)
    OpportunityFactory.create_batch(3)
    run = SearchRunFactory(user=user, status=SearchRunStatus.IN_PROGRESS, search_filters={})
    search_run_execute(run_id=run.pk)
    assert Grant.objects.filter(user=user).count() == 3
    assert_current(user)


def test_saving_and_unsaving_change_the_saved_count(user):
    grants = GrantFactory.create_batch(3, user=user)
    assert figures_for_user(user).saved == 0
    grants_save(user=user, grant_ids=[g.pk for g in grants])
    assert figures_for_user(user).saved == 3
    grant_unsave(user=user, grant=grants[0])
    assert figures_for_user(user).saved == 2
    assert_current(user)


def test_deleting_a_user_removes_their_figures_and_leaves_others(user, other_user):
    GrantFactory.create_batch(2, user=user)
    GrantFactory(user=other_user)
    User.objects.get(pk=user.pk).delete()
    assert not GrantFigures.objects.filter(user_id=user.pk).exists()
    assert_current(other_user)


def test_a_user_without_grants_has_zero_figures_and_a_rebuild_recounts(user, other_user):
    assert stored(user) == fresh(user) == {"total": 0, "high": 0, "medium": 0, "low": 0, "unscored": 0,
                                           "categories": {}}  # fmt: skip
    GrantFactory.create_batch(3, user=user, categories=["ED"])
    GrantFactory(user=other_user)
    GrantFigures.objects.filter(user=user).update(total=99, categories={"XX": 5})  # figures gone wrong
    figures_rebuild(user_ids=[user.pk])
    assert_current(user, other_user)
    GrantFigures.objects.all().update(total=0)
    figures_rebuild()
    assert_current(user, other_user)


def test_the_dashboard_shows_the_figures(owner_client, user):
    GrantFactory.create_batch(2, user=user, overall_composite_score=0.9, categories=["ED"])
    GrantFactory(user=user, overall_composite_score=0.2, categories=["HL"])
    GrantFactory(user=UserFactory(), overall_composite_score=0.9)
    response = owner_client.get("/dashboard/")
    assert (response.context["total"], response.context["high_priority_count"]) == (3, 2)
    assert b"High (0.7 and up): 2 grants; Medium (0.4 to 0.7): 0 grants; Low (under 0.4): 1 grant" in response.content
    assert b"Education: 2 grants; Health: 1 grant" in response.content
