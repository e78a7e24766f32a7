"""The user's own jobs and a progress page that polls while a job runs."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Job


def visible_jobs(user):
    """A user sees the jobs they started."""
    return Job.objects.filter(user=user)


@login_required
def job_list(request):
    """Recent jobs of the user."""
    return render(request, "jobs/list.html", {"jobs": visible_jobs(request.user)[:100]})


@login_required
def job_detail(request, pk):
    """One job; htmx polls the progress partial until it finishes."""
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    template = "jobs/detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job})
