"""The grants app's e-mails, one function each (templates in templates/emails/)."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from core.emails import send_templated_email


def send_saved_search_digest(*, saved_search, items: list[dict], more: int, notes: Sequence[str] = ()) -> None:
    send_templated_email(
        to=saved_search.user.email,
        name="saved-search-digest",
        context={
            "user": saved_search.user,
            "saved_search": saved_search,
            "items": items,
            "more": more,
            "notes": list(notes),
            "search_path": f"{reverse('grants:search')}?saved={saved_search.pk}",
            "unsubscribe_path": reverse("grants:unsubscribe", args=[saved_search.unsubscribe_token]),
            "settings_path": reverse("grants:saved_searches"),
        },
    )


def send_deadline_reminder(*, user, grants: list, days: int) -> None:
    send_templated_email(
        to=user.email,
        name="deadline-reminder",
        context={
            "user": user,
            "grants": grants,
            "days": days,
            "calendar_path": reverse("grants:calendar"),
            "list_path": f"{reverse('grants:list')}?saved=on&sort=deadline",
        },
    )
