"""Background rendering of large security plans."""

from django.urls import reverse

from chainward.jobs.services import JobRefused, job_task

from .models import SecurityPlanVersion


def _readable_version(job, user):
    from . import security_plan

    version = SecurityPlanVersion.objects.restrict(user, "view").filter(
        pk=job.params["version"]).first()
    if version is None or security_plan.visible_sites(user, version) is not None:
        return None
    return version


@job_task()
def render_plan_pdf(job, user):
    """Render and store the whole-plan PDF of a version as its requester (re-checked here)."""
    from .views import render_version_pdf, store_pdf

    version = _readable_version(job, user)
    if version is None:
        raise JobRefused("you may no longer read the whole plan")
    job.set_progress(0, 3)
    body = render_version_pdf(user, version, for_everyone=True, progress=job.set_progress)
    store_pdf(version, body)
    job.set_progress(3, 3)
    return {"message": f"{version} is rendered ({len(body) // 1024} KiB).",
            "url": reverse("plans:plan_pdf", args=[version.pk]),
            "link_text": "Download the PDF"}
