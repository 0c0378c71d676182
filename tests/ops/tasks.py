"""A tiny task of the ops tests' own, to prove the stale-task mechanism apart from any app."""

from __future__ import annotations

from django.tasks import task


@task
def tally(bucket: str, amount: int = 1) -> int:
    return amount
