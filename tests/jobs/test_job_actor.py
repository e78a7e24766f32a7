"""Jobs run as the person who asked for them, whichever process runs them (finding 6)."""

import datetime

import pytest

from chainward.jobs import services as jobs
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context, current_actor
from chainward.ledger.models import LedgerEntry
from chainward.plans import security_plan
from chainward.plans.tasks import render_plan_pdf
from tests.risk import support

pytestmark = pytest.mark.django_db


def completed_assessment(world):
    """A completed assessment of org A's site S1 with one rating."""
    manager = world["users"]["security_manager__org"]
    assessment = support.assessment_at(world, "in", "Assessment for the plan job")
    assessment.sites.set([world["s1"]])
    applicability = support.threat(assessment, "TS-01")
    support.rating(assessment, applicability, site=world["s1"], decision="acceptable",
                   owner=manager, likelihood=1, consequences={"economic": 1})
    with actor_context(None, name="tests"):
        assessment.status, assessment.completed_on = "completed", datetime.date(2026, 11, 1)
        assessment.save()
    return assessment


@pytest.fixture
def plan_job(world):
    support.load_catalogues()
    manager = world["users"]["security_manager__org"]
    version = security_plan.generate_version(manager, completed_assessment(world))
    job = jobs.create_job(manager, world["org_a"], "plan_pdf", f"Render {version}",
                          {"version": version.pk, "total": 3})
    return job, version, manager


def run_as_a_worker_would(task, job):
    """Call the task body with no actor installed, as `chainward worker` does."""
    assert current_actor().user_id is None and current_actor().name == "system"
    task.call(str(job.pk))


def test_plan_pdf_job_ledgers_its_render_as_the_requester_outside_any_request(plan_job):
    job, version, manager = plan_job
    run_as_a_worker_would(render_plan_pdf, job)
    job.refresh_from_db()
    assert job.status == "succeeded", job.result
    entry = LedgerEntry.objects.get(action="render", object_id=str(version.pk))
    assert (entry.actor_id, entry.actor_name) == (manager.pk, manager.email)
    assert entry.actor_name != "system"


def test_job_remembers_the_request_that_asked_for_it(world):
    manager = world["users"]["security_manager__org"]
    with actor_context(manager, request_id="req-123"):
        job = jobs.create_job(manager, world["org_a"], "plan_pdf", "x", {})
    assert job.request_id == "req-123"


def test_job_is_refused_when_the_requester_lost_their_role(plan_job):
    job, version, manager = plan_job
    with actor_context(None, name="tests"):
        for assignment in manager.role_assignments.all():
            assignment.archived = True
            assignment.save()
    run_as_a_worker_would(render_plan_pdf, job)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "no longer has a role" in job.result["errors"][0][2]
    assert not LedgerEntry.objects.filter(action="render").exists()


def test_job_refuses_a_requester_who_may_no_longer_read_the_whole_plan(plan_job, world):
    job, version, manager = plan_job
    job.user = world["users"]["security_manager__site"]  # reads S1 only, not the whole plan
    job.save()
    run_as_a_worker_would(render_plan_pdf, job)
    job.refresh_from_db()
    assert job.status == "failed"
    assert not LedgerEntry.objects.filter(action="render").exists()


def test_a_job_that_is_not_queued_is_not_run_twice(plan_job):
    job, version, manager = plan_job
    Job.objects.filter(pk=job.pk).update(status="failed")
    run_as_a_worker_would(render_plan_pdf, job)
    assert not LedgerEntry.objects.filter(action="render").exists()
