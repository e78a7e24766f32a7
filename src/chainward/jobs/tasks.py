"""The sweep for jobs whose worker died: run by the running workers themselves, every
JOB_SWEEP_SECONDS, so that a job never stays "running" until some worker happens to start again
(a worker starting sweeps once too: `chainward worker`)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from .services import recover_abandoned_jobs


@task()
def sweep_abandoned_jobs():
    """Fail (and undo) the jobs whose worker is gone, then queue the next sweep."""
    try:
        return len(recover_abandoned_jobs())
    finally:
        schedule_sweep()


def _sweep_queued():
    """A sweep is already waiting in the database queue."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.READY,
                                       task_path=sweep_abandoned_jobs.module_path).exists()


def schedule_sweep(now=None):
    """Queue the next sweep JOB_SWEEP_SECONDS from now unless one is queued already; None when
    the task backend cannot run tasks later (the immediate backend of the tests)."""
    if not default_task_backend.supports_defer or _sweep_queued():
        return None
    when = (now or timezone.now()) + datetime.timedelta(seconds=settings.JOB_SWEEP_SECONDS)
    return sweep_abandoned_jobs.using(run_after=when).enqueue()
