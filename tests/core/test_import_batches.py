"""Imports write in short batches yet stay all-or-nothing, and a large file is checked by a job
(finding 18; the fault tests with real processes are in tests/jobs/test_worker_faults.py)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.jobs.models import Job, JobRecord
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import verify_ledger
from chainward.supplychain.models import GoodsCategory, Partner


def csv_upload(rows, header, name):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def partners(count):
    return csv_upload([[f"Batch Partner {i:03d}", "Carrier", "DE"] for i in range(count)],
                      ["name", "kind", "country"], "partners.csv")


def test_large_file_is_checked_by_a_job_with_progress_not_in_the_request(
        admin_client, settings, run_on_commit):
    settings.IMPORT_INLINE_ROWS = 20
    with run_on_commit():
        response = admin_client.post("/supplychain/partners/import/", {"file": partners(30)})
    job = Job.objects.get(kind="import_preview")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "succeeded", job.result
    assert job.percent() == 100 and job.progress() == (30, 30)
    assert not Partner.objects.filter(name__startswith="Batch Partner").exists()
    review = admin_client.get(job.result["url"])
    assert review.status_code == 200
    assert "Import 30 rows" in review.content.decode()
    with run_on_commit():
        admin_client.post("/supplychain/partners/import/",
                          {"token": review.context["preview"].token})
    imported = Job.objects.get(kind="import")
    assert imported.status == "succeeded", imported.result
    assert Partner.objects.filter(name__startswith="Batch Partner").count() == 30


def test_large_file_with_bad_rows_fails_its_check_job_naming_them(admin_client, settings,
                                                                   run_on_commit):
    settings.IMPORT_INLINE_ROWS = 5
    rows = [[f"Batch Partner {i:03d}", "Carrier", "DE"] for i in range(10)]
    rows[6][1] = "Pirate"
    upload = csv_upload(rows, ["name", "kind", "country"], "partners.csv")
    with run_on_commit():
        admin_client.post("/supplychain/partners/import/", {"file": upload})
    job = Job.objects.get(kind="import_preview")
    assert job.status == "failed"
    assert [e[:2] for e in job.result["errors"]] == [[8, "kind"]]
    token = job.params["token"]
    # An unchecked (or failed) staging cannot be confirmed.
    response = admin_client.post("/supplychain/partners/import/", {"token": token})
    assert response.status_code == 302 and not Job.objects.filter(kind="import").exists()


def test_failure_in_a_later_batch_undoes_earlier_batches_through_the_ledger(
        admin_client, world, settings, run_on_commit):
    settings.IMPORT_BATCH_SECONDS = 0  # one row per transaction
    upload = csv_upload([["Frozen food", "low"], ["Tinned fish", "low"], ["Spirits", "high"]],
                        ["name", "value_class"], "goods.csv")
    preview = admin_client.post("/supplychain/goods/import/", {"file": upload}).context["preview"]
    assert preview.ok
    GoodsCategory.objects.create(organisation=world["org_a"], name="Spirits")  # row 4 now fails
    before = GoodsCategory.objects.count()
    with run_on_commit():
        admin_client.post("/supplychain/goods/import/", {"token": preview.token})
    job = Job.objects.get(kind="import")
    assert job.status == "failed" and job.result["errors"][0][0] == 4
    assert GoodsCategory.objects.count() == before
    assert not JobRecord.objects.exists()
    for name in ("Frozen food", "Tinned fish"):
        actions = list(LedgerEntry.objects.filter(
            object_type="supplychain.goodscategory", object_repr=name).values_list(
            "action", "reason", "actor_id"))
        assert [a for a, _, _ in actions] == ["create", "delete"]
        assert actions[1][1].startswith("undo of import goods.csv")
        assert actions[1][2] == world["users"]["administrator__org"].pk
    assert not LedgerEntry.objects.filter(action="import").exists()
    assert verify_ledger()[0]


def test_successful_import_forgets_its_undo_records(admin_client, settings, run_on_commit):
    settings.IMPORT_BATCH_SECONDS = 0
    preview = admin_client.post("/supplychain/partners/import/",
                                {"file": partners(5)}).context["preview"]
    with run_on_commit():
        admin_client.post("/supplychain/partners/import/", {"token": preview.token})
    assert Job.objects.get(kind="import").status == "succeeded"
    assert not JobRecord.objects.exists()
    assert LedgerEntry.objects.filter(action="import").count() == 1


def test_sqlite_writers_wait_for_the_lock_instead_of_failing_at_once(settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite settings")
    options = settings.DATABASES["default"]["OPTIONS"]
    init = options["init_command"].lower()
    assert "journal_mode=wal" in init
    assert "busy_timeout=20000" in init.replace(" ", "")
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] == 20
