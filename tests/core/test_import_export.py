"""Bulk import (preview → confirm → job, all or nothing) and exports."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from chainward.jobs.models import Job
from chainward.ledger.models import LedgerEntry
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
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Reference", "Name"]
    assert [r[1] for r in rows[1:]] == ["'=HYPERLINK(\"x\")"]  # formula neutralised
    event = LedgerEntry.objects.get(action="export")
    assert event.after["rows"] == 1 and event.after["format"] == fmt
