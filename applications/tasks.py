"""Background work, run by ``manage.py db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django.tasks import task

from applications import services


@task
def generate_application(application_id: int, section_key: str = "") -> None:
    # section_key is recorded on the row too (regenerating_section); it is here for the task log.
    services.application_generate(application_id=application_id)
