"""Background tasks of the core machinery: they run as the job's requester (`job_task`),
re-read what they work on and re-check the requester's right to do it."""

from chainward.core.scope import scope_map
from chainward.jobs.services import JobRefused, job_task

from . import imports
from .registry import get_register


def _may_import(job, user):
    """The requester may still import into this register, in the job's organisation."""
    register = get_register(job.params["register"])
    if job.organisation_id not in (scope_map(user).get(f"{register.label}:import") or {}):
        return "you may no longer import here"
    return None


def _staged(job, user):
    register = get_register(job.params["register"])
    staged = imports.load_staged(job.params["token"], user, job.organisation, register.label)
    if staged is None:
        raise JobRefused("the staged file is gone; upload it again")
    return register, staged


@job_task(check=_may_import)
def run_import_preview(job, user):
    """Check every row of a large staged file (nothing is written)."""
    register, staged = _staged(job, user)
    return imports.check_staged(job, register, staged, user, job.organisation)


@job_task(check=_may_import)
def run_import(job, user):
    """Run a confirmed import job (all rows or, after an undo, none)."""
    register, staged = _staged(job, user)
    try:
        created = imports.perform_import(job, register, staged, user, job.organisation)
    except imports.ImportFailed as failed:
        raise JobRefused("row errors", errors=[list(e) for e in failed.errors]) from None
    (imports.staging_dir() / f"{job.params['token']}.json").unlink(missing_ok=True)
    return {"created": created}
