"""Saving grants (the legacy ``saved_grants`` rows hang off the user's settings) and searches."""

from __future__ import annotations

from django.db import transaction

from accounts.models import UserSettings
from grants.criteria import SearchCriteria
from grants.models import Grant, SavedGrant, SavedSearch

MAX_SAVED_SEARCHES = 25


class SavedSearchLimitReached(Exception):
    pass


def _settings_for(user) -> UserSettings:
    user_settings, _ = UserSettings.objects.get_or_create(user=user)
    return user_settings


def grants_save(*, user, grant_ids: list[int]) -> int:
    """Save the user's grants among ``grant_ids`` (others' ids are ignored); how many were newly saved."""
    owned = list(Grant.objects.filter(user=user, pk__in=grant_ids).values_list("pk", flat=True))
    if not owned:
        return 0
    user_settings = _settings_for(user)
    saved = SavedGrant.objects.filter(user_settings=user_settings, grant_id__in=owned)
    with transaction.atomic():
        before = saved.count()
        SavedGrant.objects.bulk_create(
            [SavedGrant(user_settings=user_settings, grant_id=pk) for pk in owned], ignore_conflicts=True
        )
        return saved.count() - before


def grant_unsave(*, user, grant: Grant) -> None:
    SavedGrant.objects.filter(user_settings__user=user, grant=grant).delete()


def saved_search_create(*, user, name: str, criteria: SearchCriteria) -> SavedSearch:
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise SavedSearchLimitReached(f"You can keep up to {MAX_SAVED_SEARCHES} saved searches; delete one first.")
    return SavedSearch.objects.create(user=user, name=name.strip()[:200], criteria=criteria.as_dict())


def saved_search_alerts_set(*, saved_search: SavedSearch, enabled: bool | None) -> SavedSearch:
    """Turn a saved search's e-mail alerts on or off (``None``: the other way round from now)."""
    saved_search.alerts_enabled = (not saved_search.alerts_enabled) if enabled is None else enabled
    saved_search.save(update_fields=["alerts_enabled"])
    return saved_search


def saved_search_delete(*, saved_search: SavedSearch) -> None:
    saved_search.delete()
