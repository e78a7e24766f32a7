"""Background tasks of the core machinery. Tasks take ids, re-read and re-authorise."""

import logging

from django.contrib.auth import get_user_model
from django_tasks import task

from chainward.jobs import services as jobs
from chainward.jobs.models import Job

from . import imports
from .register import get_register

logger = logging.getLogger(__name__)


@task()
def run_import(job_id):
    """Run a confirmed import job (all rows or none)."""
    job = Job.objects.select_related("organisation").get(pk=job_id)
    user = get_user_model().objects.get(pk=job.user_id)
    jobs.mark_running(job)
    register = get_register(job.params["register"])
    staged = imports.load_staged(job.params["token"], user, job.organisation, register.label)
    if staged is None:
        jobs.mark_finished(job, False, {"errors": [[0, "file", "the staged file is gone"]]})
        return
    if not user.has_perm(f"{register.app_label}.import_{register.model_name}"):
        jobs.mark_finished(job, False, {"errors": [[0, "—", "you may no longer import here"]]})
        return
    try:
        created = imports.perform_import(job, register, staged, user, job.organisation)
    except imports.ImportFailed as failed:
        jobs.mark_finished(job, False, {"errors": [list(e) for e in failed.errors]})
        return
    except Exception as exc:
        # Whatever went wrong, the transaction rolled back: say so on the job, then re-raise
        # so the task backend records the traceback.
        logger.exception("import job %s failed", job_id)
        jobs.mark_finished(job, False, {"errors": [[0, "—", f"unexpected error: {exc}"]]})
        raise
    jobs.mark_finished(job, True, {"created": created})
    (imports.staging_dir() / f"{job.params['token']}.json").unlink(missing_ok=True)
