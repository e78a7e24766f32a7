"""Starting, running, finishing and recovering jobs.

Every job runs as the person who asked for it: `job_task` reads the requester from the Job
row, re-checks that they may still do it, and installs them as the ledger actor for the run,
whatever process executes the task (a real worker has no request to inherit an actor from).
"""

import functools
import logging
import os
import socket
import time
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django_tasks import task

from chainward.ledger.context import actor_context, current_actor

from .models import Job, JobRecord

logger = logging.getLogger(__name__)


class JobRefused(Exception):
    """The job cannot (or may no longer) run; the message is shown on the job page."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or [[0, "—", message]]


def create_job(user, organisation, kind, title, params):
    """Record a queued job for `user`; it remembers the request that asked for it."""
    return Job.objects.create(user=user, organisation=organisation, kind=kind, title=title,
                              params=params, request_id=current_actor().request_id or "")


def start_job(user, organisation, kind, title, params, task):
    """Record a queued job and queue `task(job id)` for it, both or neither.

    Call inside the transaction that writes whatever the job will read. With the database queue
    (`django_tasks_db`, what `chainward worker` runs) the task row is written in that same
    transaction, so a process that dies at any moment leaves either a job with its task or
    neither — never a job "queued" that no worker will ever pick up. A backend outside the
    database (the immediate backend of the tests, a broker) could run or send the task before
    the job is visible to it, so there the task is queued once the transaction commits.
    """
    with transaction.atomic():
        job = create_job(user, organisation, kind, title, params)
        if queue_in_transaction(task):
            task.enqueue(str(job.pk))
        else:
            transaction.on_commit(lambda: task.enqueue(str(job.pk)))
    return job


def queue_in_transaction(task):
    """The task's queue is a table of the default database (written in the caller's transaction)."""
    return type(task.get_backend()).__module__.startswith("django_tasks_db.")


def _host():
    return socket.gethostname()[:40]


def worker_name():
    """This process as a worker: `host:pid`."""
    return f"{_host()}:{os.getpid()}"


def mark_running(job):
    """The worker picked the job up."""
    now = timezone.now()
    job.status, job.started_at, job.heartbeat_at = Job.Status.RUNNING, now, now
    job.worker = worker_name()
    job.save(update_fields=["status", "started_at", "heartbeat_at", "worker"])


def heartbeat(job, done=None, total=None):
    """Show the job is alive (inside the caller's transaction) and publish progress."""
    job.heartbeat_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(heartbeat_at=job.heartbeat_at)
    if done is not None:
        job.set_progress(done, total)


def mark_finished(job, ok, result):
    """Store how the job ended."""
    job.status = Job.Status.SUCCEEDED if ok else Job.Status.FAILED
    job.result, job.finished_at = result, timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])


def still_member(user, organisation_id):
    """The requester is active and holds a current role in the job's organisation."""
    from chainward.core.scope import scope_map

    if not user.is_active:
        return False
    return any(organisation_id in per_org for per_org in scope_map(user).values())


def job_task(check=None, **task_options):
    """Turn `func(job, user)` into a task that takes a job id and runs as the job's requester.

    Before running: the job must still be queued, the requester active and a member of the
    job's organisation, and `check(job, user)` (if given) must return None — otherwise it
    returns the reason shown on the job. `func` may raise `JobRefused`; any other exception
    fails the job with a message and is re-raised for the task backend's record.
    """

    def decorate(func):
        @task(**task_options)
        @functools.wraps(func)
        def run(job_id):
            job = Job.objects.select_related("organisation", "user").get(pk=job_id)
            if job.status != Job.Status.QUEUED:
                logger.warning("job %s is %s, not queued; not running it again", job_id,
                               job.status)
                return None
            user = job.user
            mark_running(job)
            with actor_context(user, request_id=job.request_id or None):
                try:
                    if not still_member(user, job.organisation_id):
                        raise JobRefused("the person who asked for this job no longer has a "
                                         "role in the organisation")
                    message = check(job, user) if check is not None else None
                    if message:
                        raise JobRefused(message)
                    result = func(job, user)
                except JobRefused as refused:
                    mark_finished(job, False, {"errors": refused.errors})
                    return None
                except Exception as exc:
                    logger.exception("job %s (%s) failed", job_id, job.kind)
                    mark_finished(job, False, {"errors": [[0, "—", f"unexpected error: {exc}"]]})
                    raise
            job.refresh_from_db(fields=["status"])
            if not job.finished:
                mark_finished(job, True, result or {})
            return None

        return run

    return decorate


# --- Records a job created, and undoing them ---------------------------------------------------
def note_created(job, instances_with_rows):
    """Remember records the job created (call inside the transaction that created them)."""
    JobRecord.objects.bulk_create(
        JobRecord(job=job, model=obj._meta.label_lower, object_id=str(obj.pk), row=row)
        for obj, row in instances_with_rows)


def undo_created(job, *, reason, batch=200):
    """Delete, newest first, what the job created, in short ledgered transactions.

    Like the import itself, each transaction closes after IMPORT_BATCH_SECONDS (its ledger
    entries sealed together at its end) and, on SQLite, is followed by a short pause, so
    other writers are not held up by an undo either. Returns the number of records removed
    and a list of those that could not be deleted because something created since refers to
    them (they are archived instead).
    """
    from chainward.core import services as records
    from chainward.ledger.services import batched_appends

    budget = settings.IMPORT_BATCH_SECONDS
    pause = settings.IMPORT_BATCH_PAUSE if connection.vendor == "sqlite" else 0
    removed, kept = 0, []
    with actor_context(job.user, reason=reason[:500], request_id=job.request_id or None):
        while True:
            chunk = list(JobRecord.objects.filter(job=job).order_by("-id")[:batch])
            if not chunk:
                break
            started, done = time.monotonic(), []
            with transaction.atomic(), batched_appends():
                for rec in chunk:
                    if done and time.monotonic() - started >= budget:
                        break
                    done.append(rec.pk)
                    model = apps.get_model(rec.model)
                    obj = model._base_manager.filter(pk=rec.object_id).first()
                    if obj is None:
                        continue
                    try:
                        with transaction.atomic():
                            obj.delete()
                        removed += 1
                    except (ProtectedError, RestrictedError):
                        if hasattr(obj, "archived"):
                            records.set_archived(job.user, obj, True)
                        kept.append(f"{obj._meta.verbose_name} {obj}")
                JobRecord.objects.filter(pk__in=done).delete()
            if pause and (len(done) < len(chunk) or len(chunk) == batch):  # more to do
                time.sleep(pause)
    return removed, kept


# --- Jobs whose worker died --------------------------------------------------------------------
def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_is_dead(worker, *, host=None):
    """True when `worker` ("host:pid") ran on this host and that process is gone."""
    name, _, pid = (worker or "").rpartition(":")
    if not pid.isdigit() or name != (host or _host()):
        return False
    return int(pid) != os.getpid() and not _pid_alive(int(pid))


def abandoned_jobs(now=None):
    """Running jobs whose worker process is gone, or silent for longer than JOB_STALE_SECONDS."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    found = []
    for job in Job.objects.filter(status=Job.Status.RUNNING).select_related("user"):
        last = job.heartbeat_at or job.started_at or job.created_at
        if worker_is_dead(job.worker) or last < stale_before:
            found.append(job)
    return found


def recover_abandoned_jobs():
    """Fail every abandoned job with a clear message, undoing what it half wrote.

    Called when a worker starts (`chainward worker`), before it takes new work, and by the
    running workers every JOB_SWEEP_SECONDS (`jobs.tasks.sweep_abandoned_jobs`).
    """
    recovered = []
    for job in abandoned_jobs():
        # Several workers sweep: the one whose conditional update claims the job recovers it
        # (it becomes the job's worker, so if it dies too, the next sweep takes over).
        lost = job.worker
        claimed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=lost).update(
            worker=worker_name(), heartbeat_at=timezone.now())
        if claimed:
            recovered.append(_recover(job, lost))
    _fail_abandoned_task_results()
    return recovered


def _recover(job, lost):
    """Fail one abandoned job whose worker `lost` is gone, undoing what it half wrote."""
    last = job.heartbeat_at or job.started_at
    reason = f"undo of job “{job.title}”: its worker stopped before it finished"
    removed, kept = undo_created(job, reason=reason)
    message = (f"The worker running this job ({lost or 'unknown'}) stopped before it "
               f"finished (last sign of life {last:%Y-%m-%d %H:%M:%S} UTC). ")
    message += (f"The {removed} record(s) it had written were removed again; "
                if removed else "Nothing it had written was kept; ")
    message += "run it again."
    errors = [[0, "—", message]] + [[0, "—", f"kept (archived) because it is now in use: "
                                             f"{name}"] for name in kept]
    job.worker = lost  # the job page names the worker that was lost, not the one that swept
    with transaction.atomic():
        job.save(update_fields=["worker"])
        mark_finished(job, False, {"errors": errors, "abandoned": True})
    logger.warning("job %s marked failed: %s", job.pk, message)
    return job


def _fail_abandoned_task_results():
    """Mark django-tasks-db results left RUNNING by a dead worker on this host as failed."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.running():
        workers = result.worker_ids or []
        if workers and worker_is_dead(workers[-1].rsplit(":", 1)[0]):
            result.set_failed(RuntimeError("the worker process died while running this task"))
