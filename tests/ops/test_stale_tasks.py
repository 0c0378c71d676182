"""fail_stale_tasks: a task whose worker stopped beating is failed, and so is the app row behind it.

The worker's death is staged here (a claimed task, a heartbeat gone quiet); tests/ops/test_faults.py
kills a real worker process.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from applications import services as application_services
from applications.models import ApplicationGenerationStatus, GenerationState
from core.models import WorkerHeartbeat
from core.workers import (
    WORKER_LOST,
    stale_task_handlers,
    tasks_fail_of_worker,
    tasks_fail_stale,
    worker_heartbeat_record,
)
from grants.criteria import SearchCriteria
from grants.models import SearchRunStatus
from grants.services.search_runs import search_run_start
from tests.factories import BusinessProfileFactory, GrantFactory
from tests.ops.tasks import tally

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_staleness(settings):
    settings.WORKER_STALE_AFTER_SECONDS = 60
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def tally_calls():
    calls = []

    def handler(**kwargs):
        calls.append(kwargs)

    stale_task_handlers.register(tally, handler)
    yield calls
    stale_task_handlers.unregister(tally)


def _claimed(task_id, *, worker_id: str, beat_seconds_ago: float | None) -> DBTaskResult:
    """The task as a worker leaves it when it dies: RUNNING, claimed by ``worker_id``."""
    result = DBTaskResult.objects.get(pk=task_id)
    result.claim(worker_id)
    if beat_seconds_ago is not None:
        seen = timezone.now() - timedelta(seconds=beat_seconds_ago)
        worker_heartbeat_record(worker_id=worker_id, started_at=seen, now=seen)
    return result


def test_it_fails_the_task_of_a_silent_worker_and_calls_its_handler(tally_calls):
    task = _claimed(tally.enqueue("blue", amount=3).id, worker_id="dead-worker", beat_seconds_ago=61)

    call_command("fail_stale_tasks")

    task.refresh_from_db()
    assert task.status == "FAILED" and task.finished_at is not None
    assert task.exception_class_path == WORKER_LOST
    assert task.traceback.startswith("The worker running this task stopped (dead-worker, last heartbeat ")
    assert tally_calls == [{"bucket": "blue", "amount": 3, "reason": task.traceback}]
    # The task's own result says the same to anyone polling it.
    assert tally.get_result(str(task.pk)).status == "FAILED"


def test_it_leaves_the_tasks_of_beating_workers_and_new_tasks_alone(tally_calls):
    alive = _claimed(tally.enqueue("alive").id, worker_id="live-worker", beat_seconds_ago=59)
    # A worker that has not beaten yet (it just started): its task's start stands in for the beat.
    fresh = _claimed(tally.enqueue("fresh").id, worker_id="new-worker", beat_seconds_ago=None)
    waiting = tally.enqueue("waiting")

    assert tasks_fail_stale() == []

    assert [DBTaskResult.objects.get(pk=pk).status for pk in (alive.pk, fresh.pk, waiting.id)] == [
        "RUNNING",
        "RUNNING",
        "READY",
    ]
    assert tally_calls == []


def test_it_fails_a_task_whose_worker_never_beat_once_it_is_old(tally_calls):
    task = _claimed(tally.enqueue("old").id, worker_id="pre-heartbeat-worker", beat_seconds_ago=None)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - timedelta(seconds=61))

    [stale] = tasks_fail_stale()

    assert (stale.task_id, stale.worker_id, stale.handled) == (str(task.pk), "pre-heartbeat-worker", True)
    assert "no heartbeat recorded" in tally_calls[0]["reason"]


def test_a_handler_that_raises_leaves_the_task_for_the_next_run(tally_calls):
    task = _claimed(tally.enqueue("flaky").id, worker_id="dead-worker", beat_seconds_ago=61)
    broken = True

    def handler(**kwargs):
        if broken:
            raise RuntimeError("the app's row is locked")
        tally_calls.append(kwargs)

    stale_task_handlers.register(tally, handler)

    assert tasks_fail_stale() == []
    task.refresh_from_db()
    assert task.status == "RUNNING"  # rolled back with the handler

    broken = False
    assert len(tasks_fail_stale()) == 1
    task.refresh_from_db()
    assert task.status == "FAILED" and len(tally_calls) == 1


def test_it_forgets_workers_gone_for_a_day(tally_calls):
    _claimed(tally.enqueue("x").id, worker_id="ancient", beat_seconds_ago=60 * 60 * 24 + 1)
    _claimed(tally.enqueue("y").id, worker_id="recent", beat_seconds_ago=61)

    tasks_fail_stale()

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]


def test_a_search_run_of_a_dead_worker_fails_with_the_reason_and_gives_the_search_back(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = search_run_start(user=user, criteria=SearchCriteria(keywords="broadband"))
    user.refresh_from_db()
    assert user.searches_used == 1
    _claimed(DBTaskResult.objects.get().pk, worker_id="dead-worker", beat_seconds_ago=61)

    [stale] = tasks_fail_stale()

    assert stale.handled
    run.refresh_from_db()
    assert run.status == SearchRunStatus.FAILED
    assert run.error_message == (
        "The search was interrupted because the server running it stopped; your search allowance was given back."
    )
    assert run.error_details["type"] == "WorkerLost" and "dead-worker" in run.error_details["detail"]
    user.refresh_from_db()
    assert user.searches_used == 0


def test_an_application_of_a_dead_worker_fails_with_the_reason_and_gives_the_allowance_back(user):
    BusinessProfileFactory(user=user)
    application = application_services.application_request(user=user, grant=GrantFactory(user=user))
    application.refresh_from_db()
    user.refresh_from_db()
    assert user.applications_used == 1
    _claimed(application.task_id, worker_id="dead-worker", beat_seconds_ago=61)
    # The worker had begun writing when it died.
    type(application).objects.filter(pk=application.pk).update(generation_state=GenerationState.RUNNING)

    [stale] = tasks_fail_stale()

    assert stale.handled
    application.refresh_from_db()
    assert application.generation_state == GenerationState.FAILED
    assert application.generation_error == (
        "Writing was interrupted because the server running it stopped; please try again."
    )
    assert application.status == ApplicationGenerationStatus.DRAFT and not application.allowance_consumed
    user.refresh_from_db()
    assert user.applications_used == 0


def test_a_worker_back_from_a_database_outage_fails_only_its_own_running_tasks(tally_calls):
    """db_worker calls this when its database returns: it still beats, so nothing else would."""
    mine = _claimed(tally.enqueue("mine").id, worker_id="returning-worker", beat_seconds_ago=1)
    theirs = _claimed(tally.enqueue("theirs").id, worker_id="other-worker", beat_seconds_ago=1)

    [failed] = tasks_fail_of_worker(worker_id="returning-worker", reason="The worker lost its database.")

    assert failed.task_id == str(mine.pk)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.traceback, theirs.status) == ("FAILED", "The worker lost its database.", "RUNNING")
    assert tally_calls == [{"bucket": "mine", "amount": 1, "reason": "The worker lost its database."}]
