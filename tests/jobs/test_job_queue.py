"""A job and its task are queued together: no job is left "queued" without a task for a worker.

Before, the task was queued after the job's transaction committed, so a process dying between
the two left a job that no worker would ever run (the job page then said "queued" for ever).
"""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from chainward.jobs import services as jobs
from chainward.jobs.models import Job
from chainward.plans.tasks import render_plan_pdf

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Abandoned(Exception):
    """Stands for the process stopping before its transaction commits."""


def start(world):
    return jobs.start_job(world["users"]["administrator__org"], world["org_a"], "plan_pdf",
                          "Render a plan", {"version": 0, "total": 3}, render_plan_pdf)


def test_with_the_database_queue_the_task_is_written_in_the_jobs_transaction(world, settings):
    settings.TASKS = DATABASE_QUEUE
    with transaction.atomic():
        job = start(world)
        # Still inside the transaction: the task row is already part of it, not deferred.
        (task,) = DBTaskResult.objects.all()
        assert task.args_kwargs == {"args": [str(job.pk)], "kwargs": {}}
        assert task.task_path.endswith("render_plan_pdf")
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED


def test_with_the_database_queue_neither_job_nor_task_survives_a_transaction_that_fails(
        world, settings):
    settings.TASKS = DATABASE_QUEUE
    with pytest.raises(Abandoned), transaction.atomic():
        start(world)
        assert Job.objects.count() == 1 and DBTaskResult.objects.count() == 1
        raise Abandoned
    assert Job.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_backend_outside_the_database_gets_the_task_only_once_the_job_is_committed(
        world, django_capture_on_commit_callbacks):
    # The tests' immediate backend runs the task at once: queued inside the transaction it
    # would run before the job could be seen by another connection.
    assert not jobs.queue_in_transaction(render_plan_pdf)
    with django_capture_on_commit_callbacks() as callbacks:
        job = start(world)
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    assert len(callbacks) == 1
