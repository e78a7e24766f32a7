"""Which running jobs the next worker start takes for dead (finding 19; the kill -9 test with
real processes is in test_worker_faults.py)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from chainward.jobs import services as jobs
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import verify_ledger
from chainward.supplychain.models import GoodsCategory

pytestmark = pytest.mark.django_db


def running_job(world, *, worker, silent_for):
    job = jobs.create_job(world["users"]["administrator__org"], world["org_a"], "import",
                          "Import x", {"total": 10})
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status="running", worker=worker, started_at=now - silent_for,
        heartbeat_at=now - silent_for)
    return job


def test_job_of_a_dead_worker_on_this_host_is_failed_with_a_clear_message(world):
    job = running_job(world, worker=f"{jobs.worker_name().rsplit(':', 1)[0]}:999999999",
                      silent_for=datetime.timedelta(seconds=5))
    assert [j.pk for j in jobs.recover_abandoned_jobs()] == [job.pk]
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert "stopped before it finished" in job.result["errors"][0][2]


def test_job_silent_longer_than_the_heartbeat_timeout_is_failed(world, settings):
    settings.JOB_STALE_SECONDS = 60
    job = running_job(world, worker="elsewhere:123", silent_for=datetime.timedelta(minutes=5))
    assert [j.pk for j in jobs.recover_abandoned_jobs()] == [job.pk]


def test_job_of_a_live_worker_with_a_recent_heartbeat_is_left_alone(world):
    job = running_job(world, worker=jobs.worker_name(), silent_for=datetime.timedelta(seconds=5))
    other_host = running_job(world, worker="elsewhere:1", silent_for=datetime.timedelta(seconds=5))
    assert jobs.recover_abandoned_jobs() == []
    for j in (job, other_host):
        j.refresh_from_db()
        assert j.status == "running"


@pytest.mark.parametrize(("seconds", "transactions"), [(0, 3), (60, 1)])
def test_undo_removes_through_the_ledger_in_transactions_of_the_batch_length(
        world, settings, seconds, transactions):
    settings.IMPORT_BATCH_SECONDS = seconds  # 0: each transaction closes after one record
    job = running_job(world, worker="elsewhere:1", silent_for=datetime.timedelta(seconds=5))
    with actor_context(None, name="tester"):
        made = [GoodsCategory.objects.create(organisation=world["org_a"], name=f"Undo {n}")
                for n in range(3)]
    jobs.note_created(job, [(obj, n + 2) for n, obj in enumerate(made)])
    statements = []

    def record(execute, sql, params, many, context):
        if sql.startswith('DELETE FROM "jobs_jobrecord"'):
            statements.append(sql)  # each transaction forgets the records it removed
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        removed, kept = jobs.undo_created(job, reason="undo of a test")
    assert (removed, kept) == (3, [])
    assert len(statements) == transactions
    assert not GoodsCategory.objects.filter(name__startswith="Undo").exists()
    deletes = LedgerEntry.objects.filter(action="delete", reason="undo of a test")
    assert sorted(deletes.values_list("object_repr", flat=True)) == ["Undo 0", "Undo 1",
                                                                      "Undo 2"]
    assert verify_ledger()[0]
