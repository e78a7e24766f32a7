"""Background rendering of large security plans."""

import logging

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_tasks import task

from chainward.jobs import services as jobs
from chainward.jobs.models import Job

from .models import SecurityPlanVersion

logger = logging.getLogger(__name__)


@task()
def render_plan_pdf(job_id):
    """Render and store the whole-plan PDF of a version; the reader downloads it stamped."""
    from . import security_plan
    from .views import render_version_pdf, store_pdf

    job = Job.objects.get(pk=job_id)
    user = get_user_model().objects.get(pk=job.user_id)
    jobs.mark_running(job)
    version = SecurityPlanVersion.objects.restrict(user, "view").filter(
        pk=job.params["version"]).first()
    if version is None or security_plan.visible_sites(user, version) is not None:
        jobs.mark_finished(job, False, {"errors": [[0, "—", "you may no longer read the whole "
                                                           "plan"]]})
        return
    try:
        job.set_progress(0, 3)
        body = render_version_pdf(user, version, for_everyone=True, progress=job.set_progress)
        store_pdf(version, body)
        job.set_progress(3, 3)
    except Exception as exc:
        logger.exception("plan PDF job %s failed", job_id)
        jobs.mark_finished(job, False, {"errors": [[0, "—", f"unexpected error: {exc}"]]})
        raise
    jobs.mark_finished(job, True, {
        "message": f"{version} is rendered ({len(body) // 1024} KiB).",
        "url": reverse("plans:plan_pdf", args=[version.pk]), "link_text": "Download the PDF"})
