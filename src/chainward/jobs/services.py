"""Starting and finishing jobs."""

from django.db import transaction
from django.utils import timezone

from .models import Job


def create_job(user, organisation, kind, title, params):
    """Record a queued job."""
    return Job.objects.create(user=user, organisation=organisation, kind=kind, title=title,
                              params=params)


def enqueue_after_commit(task, *args):
    """Enqueue once the surrounding transaction commits, whatever the task backend."""
    transaction.on_commit(lambda: task.enqueue(*args))


def mark_running(job):
    """The worker picked the job up."""
    job.status, job.started_at = Job.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])


def mark_finished(job, ok, result):
    """Store how the job ended."""
    job.status = Job.Status.SUCCEEDED if ok else Job.Status.FAILED
    job.result, job.finished_at = result, timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])
