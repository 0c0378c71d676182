"""Background tasks (django-tasks-db; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

from django.tasks import task

from grants.services.search_runs import search_run_execute


@task
def execute_search_run(run_id: int) -> str:
    return search_run_execute(run_id=run_id).status
