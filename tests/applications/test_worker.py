"""The real background path: the task row in the database, run by ``manage.py db_worker``."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from applications import services
from applications.models import ApplicationGenerationStatus, GenerationState


@pytest.mark.django_db(transaction=True)
def test_it_queues_the_generation_and_the_db_worker_writes_it(settings, user, profile, grant):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    application = services.application_request(user=user, grant=grant)
    application.refresh_from_db()
    assert application.generation_state == GenerationState.QUEUED
    assert application.status == ApplicationGenerationStatus.DRAFT
    task = DBTaskResult.objects.get(id=application.task_id)
    assert task.status == "READY"
    assert task.args_kwargs["kwargs"] == {"application_id": application.pk, "section_key": ""}

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    application.refresh_from_db()
    assert application.generation_state == GenerationState.SUCCEEDED
    assert application.status == ApplicationGenerationStatus.GENERATED
    assert len(application.sections) == 6
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
