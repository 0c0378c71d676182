"""What every app's models share (``choices_check``), and the task workers' heartbeats."""

from __future__ import annotations

from django.db import models


def choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """A check constraint that keeps a column to the values of its TextChoices."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


class WorkerHeartbeat(models.Model):
    """A background worker (``manage.py db_worker``) saying it is alive; one row per worker process.

    /health reads the newest beat; ``fail_stale_tasks`` fails the tasks of workers that stopped beating.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "worker_heartbeats"

    def __str__(self) -> str:
        return f"Worker {self.worker_id} on {self.hostname} (pid {self.pid}), last seen {self.last_seen_at:%H:%M:%S}"
