"""Malformed import files are a file (or row) error, never a server error (finding 16)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from chainward.ledger.models import LedgerEntry
from chainward.supplychain.models import Partner

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "kind", "country"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_member(data, name, change):
    """The workbook with one of its XML parts changed by `change(bytes) -> bytes`."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            body = source.read(item.filename)
            out.writestr(item, change(body) if item.filename == name else body)
    return target.getvalue()


def with_prolog(xml, doctype):
    """`xml` with a document type declaration after its XML declaration (if any)."""
    if xml.startswith(b"<?xml"):
        head, rest = xml.split(b"?>", 1)
        return head + b"?>" + doctype + rest
    return doctype + xml


def post(client, body, name):
    upload = SimpleUploadedFile(name, body, content_type=XLSX if name.endswith("x") else "text/csv")
    return client.post("/supplychain/partners/import/", {"file": upload})


def assert_file_error(response, *words):
    assert response.status_code == 400
    errors = response.context["preview"].errors
    assert errors and errors[0][:2] in {(0, "file")} | {(e[0], e[1]) for e in errors}
    text = " ".join(str(e[2]) for e in errors).lower()
    for word in words:
        assert word.lower() in text, text


@pytest.fixture
def nothing_written(db):
    before = (Partner.objects.count(), LedgerEntry.objects.count())
    yield
    assert (Partner.objects.count(), LedgerEntry.objects.count()) == before


def test_truncated_sheet_xml_is_a_file_error(admin_client, nothing_written):
    rows = [[f"Partner {i}", "carrier", "DE"] for i in range(200)]
    body = rewrite_member(workbook_bytes(rows), "xl/worksheets/sheet1.xml",
                          lambda xml: xml[: len(xml) // 2])
    response = post(admin_client, body, "partners.xlsx")
    assert_file_error(response, "workbook", "damaged")


def test_xml_entity_declaration_in_a_workbook_is_refused_not_expanded(admin_client,
                                                                       nothing_written):
    laughs = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else
                                                       b"&lol;") * 10) for i in range(1, 10))
              + b"]>")

    def declare(xml):
        xml = xml.replace(b"Partner 1<", b"&lol9;<", 1)
        return with_prolog(xml, laughs)

    rows = [["Partner 1", "carrier", "DE"]]
    body = rewrite_member(workbook_bytes(rows), "xl/worksheets/sheet1.xml", declare)
    response = post(admin_client, body, "partners.xlsx")
    assert_file_error(response, "entity")


def test_entity_declaration_in_shared_strings_is_refused(admin_client, nothing_written):
    body = workbook_bytes([["Partner 1", "carrier", "DE"]])
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    part = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else "xl/workbook.xml"
    body = rewrite_member(body, part, lambda xml: with_prolog(
        xml, b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'))
    assert_file_error(post(admin_client, body, "partners.xlsx"), "entity")


def test_csv_field_longer_than_the_csv_limit_names_its_row(admin_client, nothing_written):
    text = "name,kind,country\nShort,carrier,DE\n" + "x" * 140_000 + ",carrier,DE\n"
    response = post(admin_client, text.encode(), "partners.csv")
    assert response.status_code == 400
    errors = response.context["preview"].errors
    assert errors[0][0] == 3
    assert "131,072" in errors[0][2] or "longer than" in errors[0][2]


def test_unterminated_quote_in_csv_is_a_file_error(admin_client, nothing_written):
    text = 'name,kind,country\n"Open quote,carrier,DE\n' + ("y" * 200_000)
    response = post(admin_client, text.encode(), "partners.csv")
    assert response.status_code == 400


def test_workbook_whose_parts_unpack_far_beyond_the_upload_limit_is_refused(
        admin_client, nothing_written, settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024
    body = rewrite_member(workbook_bytes([["Partner 1", "carrier", "DE"]]),
                          "xl/worksheets/sheet1.xml",
                          lambda xml: xml.replace(b"</worksheet>",
                                                  b"<!--" + b" " * 8_000_000 + b"--></worksheet>"))
    assert len(body) < settings.IMPORT_MAX_BYTES
    assert_file_error(post(admin_client, body, "partners.xlsx"), "unpack")
