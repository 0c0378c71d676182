"""Alerts that are not noise: one digest per saved search per day at most, never repeating an
opportunity, only matches at or above the user's minimum score; and deadline reminders."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import UserSettings
from grants import emails, scoring
from grants.criteria import SearchCriteria
from grants.models import (
    AlertDigest,
    AlertedOpportunity,
    DeadlineReminder,
    OpportunitySource,
    SavedGrant,
    SavedSearch,
)
from grants.selectors import opportunity_facts, opportunity_search, profile_facts

logger = logging.getLogger(__name__)

DEFAULT_MINIMUM_SCORE = 0.6
DIGEST_MAX_ITEMS = 20
DIGEST_MAX_CANDIDATES = 500


class DigestNotes:
    """Other apps' news for a user's digest (higher apps register a provider in ``ready()``).

    A provider takes the user and returns ``(notes, confirm)``: lines of plain text for the digest,
    and a function called once the digest carrying them is sent, so each note is sent once.
    """

    def __init__(self):
        self._providers: list[Callable] = []

    def register(self, provider: Callable) -> None:
        if provider not in self._providers:
            self._providers.append(provider)

    def collect(self, user) -> tuple[list[str], list[Callable]]:
        notes, confirms = [], []
        for provider in self._providers:
            found, confirm = provider(user)
            if found:
                notes += found
                confirms.append(confirm)
        return notes, confirms


digest_notes = DigestNotes()


def _wants_email(user_settings: UserSettings | None, flag: str = "email_notifications") -> bool:
    if user_settings is None:
        return True  # the model's defaults: notifications and reminders on
    return bool(user_settings.email_notifications and getattr(user_settings, flag))


def saved_search_digest_send(*, saved_search: SavedSearch, now: datetime) -> int:
    """Send this saved search's digest if it is due and has new matches; how many it listed."""
    user = saved_search.user
    user_settings = UserSettings.objects.filter(user=user).first()
    if not user.is_active or not _wants_email(user_settings):
        return 0
    today = timezone.localdate(now)
    if AlertDigest.objects.filter(saved_search=saved_search, sent_on=today).exists():
        return 0
    minimum = user_settings.minimum_score if user_settings and user_settings.minimum_score is not None else None
    minimum = DEFAULT_MINIMUM_SCORE if minimum is None else minimum
    criteria = SearchCriteria.from_dict(saved_search.criteria)
    candidates = (
        opportunity_search(criteria=criteria, today=today, since=saved_search.created_at)
        .exclude(pk__in=AlertedOpportunity.objects.filter(saved_search=saved_search).values("opportunity_id"))
        .order_by("first_seen_at", "id")[:DIGEST_MAX_CANDIDATES]
    )
    profile = profile_facts(user)
    matches = []
    for opportunity in candidates:
        card = scoring.score_opportunity(
            profile, opportunity_facts(opportunity), today=today, weights=settings.GRANT_SCORE_WEIGHTS
        )
        if card.composite >= minimum:
            matches.append((opportunity, card))
    notes, confirms = digest_notes.collect(user)
    if not matches and not notes:
        return 0
    matches.sort(key=lambda match: -match[1].composite)
    listed = matches[:DIGEST_MAX_ITEMS]
    items = [
        {
            "title": o.title,
            "agency": o.agency_name,
            "score": card.composite,
            "close_date": o.close_date,
            "is_rolling": o.is_rolling,
            "is_sample": o.is_sample,
            "source": OpportunitySource(o.source).label if o.source in OpportunitySource.values else o.source,
            "url": o.url,
        }
        for o, card in listed
    ]
    try:
        with transaction.atomic():
            digest = AlertDigest.objects.create(
                saved_search=saved_search, sent_on=today, opportunity_count=len(matches)
            )
            # Every match counts as sent, listed or not: the "…and N more" are not sent again tomorrow.
            AlertedOpportunity.objects.bulk_create(
                [AlertedOpportunity(saved_search=saved_search, opportunity=o, digest=digest) for o, _ in matches]
            )
            # Sent inside the transaction: if the mail server refuses, nothing is marked as sent.
            emails.send_saved_search_digest(
                saved_search=saved_search, items=items, more=len(matches) - len(listed), notes=notes
            )
            for confirm in confirms:
                confirm()
    except IntegrityError:
        return 0  # another process sent today's digest first
    return len(listed) + len(notes)


def alerts_send_digests(*, now: datetime | None = None) -> int:
    """Digests for every saved search with alerts on; the number of e-mails sent."""
    now = now or timezone.now()
    sent = 0
    for saved_search in SavedSearch.objects.filter(alerts_enabled=True).select_related("user").order_by("pk"):
        try:
            if saved_search_digest_send(saved_search=saved_search, now=now):
                sent += 1
        except Exception:
            logger.exception("digest for saved search %s failed", saved_search.pk)
    return sent


def deadline_reminders_send(*, now: datetime | None = None, days: int | None = None) -> int:
    """One reminder e-mail per user for saved grants closing within ``days``; each grant once per deadline."""
    now = now or timezone.now()
    days = settings.GRANT_DEADLINE_REMINDER_DAYS if days is None else days
    saved = (
        SavedGrant.objects.filter(
            user_settings__email_notifications=True,
            user_settings__deadline_reminders=True,
            user_settings__user__is_active=True,
            grant__deadline__gt=now,
            grant__deadline__lte=now + timedelta(days=days),
        )
        .select_related("grant", "user_settings__user")
        .order_by("grant__deadline")
    )
    by_user = defaultdict(list)
    for row in saved:
        by_user[row.user_settings.user].append(row.grant)
    sent = 0
    for user, grants in by_user.items():
        reminded = set(DeadlineReminder.objects.filter(grant__in=grants).values_list("grant_id", "deadline"))
        due = [grant for grant in grants if (grant.pk, grant.deadline) not in reminded]
        if not due:
            continue
        try:
            with transaction.atomic():
                DeadlineReminder.objects.bulk_create(
                    [DeadlineReminder(grant=grant, deadline=grant.deadline) for grant in due if grant.deadline]
                )
                emails.send_deadline_reminder(user=user, grants=due, days=days)
        except IntegrityError:
            continue  # sent by a concurrent run
        sent += 1
    return sent
