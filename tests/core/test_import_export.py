"""Bulk import (preview → confirm → job, all or nothing) and exports."""

import csv
import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook, load_workbook

from chainward.certification.models import CycleMilestone
from chainward.core import imports
from chainward.core.registry import get_register
from chainward.jobs.models import Job
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import verify_ledger
from chainward.supplychain.models import GoodsCategory, Partner

HEADER = ["name", "kind", "country", "criticality", "status"]


def partner_rows(count):
    return [[f"Import Partner {i:03d}", "Carrier", "DE", "high", "active"] for i in range(count)]


def csv_upload(rows, header=HEADER, name="partners.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def test_preview_names_every_bad_row_column_and_reason_and_writes_nothing(admin_client, world):
    rows = partner_rows(100)
    rows[9][1] = "Pirate"  # row 11: unknown kind
    rows[41][2] = "XX"  # row 43: unknown country
    rows[76][0] = ""  # row 78: missing name
    before, ledger_before = Partner.objects.count(), LedgerEntry.objects.count()
    response = admin_client.post("/supplychain/partners/import/", {"file": csv_upload(rows)})
    assert response.status_code == 400
    errors = response.context["preview"].errors
    assert [(row, column) for row, column, _ in errors] == [(11, "kind"), (43, "country"),
                                                             (78, "name")]
    assert "Pirate is not one of the available choices" in errors[0][2]
    page = response.content.decode()
    assert "3 problems in 100 rows" in page
    assert Partner.objects.count() == before
    assert LedgerEntry.objects.count() == ledger_before


def test_clean_file_imports_all_rows_through_a_job(admin_client, world, run_on_commit):
    response = admin_client.post("/supplychain/partners/import/",
                                 {"file": csv_upload(partner_rows(100))})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.ok and preview.total == 100
    assert not Partner.objects.filter(name__startswith="Import Partner").exists()
    with run_on_commit():
        response = admin_client.post("/supplychain/partners/import/", {"token": preview.token})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result == {"created": 100}
    assert Partner.objects.filter(name__startswith="Import Partner", kind="carrier").count() == 100
    event = LedgerEntry.objects.get(action="import")
    assert event.after["sha256"] == preview.sha256 and event.after["rows"] == 100
    created = LedgerEntry.objects.filter(action="create", object_type="supplychain.partner",
                                         reason__startswith="import partners.csv")
    assert created.count() == 100
    assert admin_client.get(job.get_absolute_url()).status_code == 200


def test_failure_mid_way_leaves_nothing_behind(admin_client, world, run_on_commit):
    upload = csv_upload([["Frozen food", "low"], ["Spirits", "high"]],
                        header=["name", "value_class"], name="goods.csv")
    preview = admin_client.post("/supplychain/goods/import/", {"file": upload}).context["preview"]
    assert preview.ok
    # Between preview and confirmation someone else creates "Spirits": row 3 now fails.
    GoodsCategory.objects.create(organisation=world["org_a"], name="Spirits")
    with run_on_commit():
        admin_client.post("/supplychain/goods/import/", {"token": preview.token})
    job = Job.objects.get()
    assert job.status == "failed"
    assert job.result["errors"][0][0] == 3
    assert not GoodsCategory.objects.filter(name="Frozen food").exists()


def test_xlsx_is_read_by_content_and_unknown_columns_are_named(admin_client, world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "kind", "country", "shoe size"])
    sheet.append(["Xlsx Carrier", "carrier", "PL", "44"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("named-wrongly.csv", buffer.getvalue())
    response = admin_client.post("/supplychain/partners/import/", {"file": upload})
    errors = response.context["preview"].errors
    assert errors[0][:2] == (1, "shoe size")


def test_binary_junk_is_refused_with_a_reason(admin_client, world):
    upload = SimpleUploadedFile("partners.csv", b"\x7fELF\x02\x01\x00\x00" + bytes(range(256)))
    response = admin_client.post("/supplychain/partners/import/", {"file": upload})
    assert response.status_code == 400
    assert "UTF-8" in response.context["preview"].errors[0][2]


def test_import_cannot_link_to_another_organisations_records(admin_client, world):
    upload = csv_upload([["Jean Dupont", world["carrier_b"].name]], header=["name", "partner"])
    response = admin_client.post("/supplychain/contacts/import/", {"file": upload})
    assert response.status_code == 400
    assert response.context["preview"].errors[0][:2] == (2, "partner")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_matches_the_filtered_register_and_is_recorded(admin_client, world, fmt):
    Partner.objects.create(organisation=world["org_a"], name="=HYPERLINK(\"x\")",
                           kind="supplier", country="CN")
    response = admin_client.get("/supplychain/partners/", {"export": fmt, "kind": "supplier"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.getvalue())).active
        rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Reference", "Name"]
    assert [r[1] for r in rows[1:]] == ["'=HYPERLINK(\"x\")"]  # formula neutralised
    event = LedgerEntry.objects.get(action="export")
    assert event.after["rows"] == 1 and event.after["format"] == fmt


# --- How a confirmed import writes (finding 18) --------------------------------------------------
def _confirm(admin_client, url, upload, run_on_commit):
    preview = admin_client.post(url, {"file": upload}).context["preview"]
    assert preview.ok, preview.errors
    with run_on_commit():
        admin_client.post(url, {"token": preview.token})
    return Job.objects.get(kind="import")


def test_rows_are_checked_outside_the_transactions_that_write_them(admin_client, world,
                                                                   run_on_commit):
    rows = [[world["carrier_a"].name, f"Contact {i:02d}"] for i in range(30)]
    upload = csv_upload(rows, header=["partner", "name"], name="contacts.csv")
    depths = {"lookup": [], "insert": []}

    def record(execute, sql, params, many, context):
        if sql.startswith("INSERT INTO \"supplychain_partnercontact\""):
            depths["insert"].append(len(connection.atomic_blocks))
        elif "FROM \"supplychain_partner\"" in sql and \
                world["carrier_a"].name in [str(p) for p in params or ()]:
            depths["lookup"].append(len(connection.atomic_blocks))  # the partner by name
        return execute(sql, params, many, context)

    preview = admin_client.post("/supplychain/contacts/import/", {"file": upload})
    outside = len(connection.atomic_blocks)  # where the job starts: no transaction of its own
    with connection.execute_wrapper(record), run_on_commit():
        admin_client.post("/supplychain/contacts/import/",
                          {"token": preview.context["preview"].token})
    assert Job.objects.get(kind="import").status == "succeeded"
    assert len(depths["insert"]) == 30 and len(depths["lookup"]) >= 30
    # The job looks the partners up with no transaction of its own open; it saves inside one.
    assert set(depths["lookup"]) == {outside} and min(depths["insert"]) > outside


def test_an_import_numbers_and_seals_per_transaction_not_per_row(
        admin_client, world, settings, run_on_commit):
    settings.IMPORT_BATCH_SECONDS = 60
    inserts = []

    def record(execute, sql, params, many, context):
        if sql.startswith(("INSERT INTO \"ledger_ledgerentry\"",
                           "UPDATE \"core_referencecounter\"")):
            inserts.append(sql)
        return execute(sql, params, many, context)

    preview = admin_client.post("/supplychain/partners/import/",
                                {"file": csv_upload(partner_rows(100))}).context["preview"]
    with connection.execute_wrapper(record), run_on_commit():
        admin_client.post("/supplychain/partners/import/", {"token": preview.token})
    assert Job.objects.get(kind="import").status == "succeeded"
    created = list(LedgerEntry.objects.filter(
        action="create", object_type="supplychain.partner",
        reason__startswith="import partners.csv").order_by("seq").values_list(
        "object_repr", flat=True))
    assert created == [f"Import Partner {i:03d}" for i in range(100)]  # in file order
    ledger = [sql for sql in inserts if "ledger_ledgerentry" in sql]
    assert len(ledger) <= 12  # a handful of transactions, and the import event
    # References are handed out per transaction too, consecutive in file order.
    assert len(inserts) - len(ledger) <= 12
    references = [int(p.reference.split("-")[1]) for p in Partner.objects.filter(
        name__startswith="Import Partner").order_by("name")]
    assert references == list(range(references[0], references[0] + 100))
    assert verify_ledger()[0]


def test_a_rule_of_the_write_path_refuses_a_row_by_number_and_column(
        admin_client, world, monkeypatch, run_on_commit):
    register = get_register("supplychain.partner")

    def refuse(user, obj, created):
        if obj.name == "Import Partner 003":
            raise ValidationError({"name": "refused by a rule only the service checks"})

    monkeypatch.setattr(register, "after_save", refuse)
    job = _confirm(admin_client, "/supplychain/partners/import/",
                   csv_upload(partner_rows(6)), run_on_commit)
    assert job.status == "failed"
    assert job.result["errors"] == [[5, "name", "refused by a rule only the service checks"]]
    assert not Partner.objects.filter(name__startswith="Import Partner").exists()


def test_import_row_form_still_refuses_a_duplicate_whose_key_is_a_choice(world):
    from tests.certification import factories

    cert = factories.certificate(world, world["org_a"], None, "CERT-1")
    factories.milestone(world, cert, "stage1", "done")
    register = SimpleNamespace(model=CycleMilestone, import_lookups={"certificate": "number"},
                               import_fields=("certificate", "kind", "due_date"))
    row_forms = imports.RowForms(register, {"certificate", "kind", "due_date"},
                                 world["users"]["administrator__org"], world["org_a"])
    duplicate = row_forms.form({"certificate": "CERT-1", "kind": "Stage 1 audit",
                                "due_date": "2030-01-01"})
    assert not duplicate.is_valid()
    assert "already has this milestone" in str(duplicate.errors)
    bad_choice = row_forms.form({"certificate": "CERT-1", "kind": "stage 9",
                                 "due_date": "2030-01-01"})
    assert not bad_choice.is_valid() and list(bad_choice.errors) == ["kind"]
