"""Saved-search digests and deadline reminders (filled in below)."""

from __future__ import annotations


def alerts_send_digests() -> int:
    return 0
