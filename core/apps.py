from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares, at the bottom of the import graph: it imports no other app of ours.

    Fields and check helpers for models, e-mail sending, chart and UI template tags, the task
    worker with its heartbeats and stale-task handling, and /health. Apps above it plug in through
    registries filled from their ``AppConfig.ready`` (``core.workers.stale_task_handlers``,
    ``core.health.health_reports``).
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
