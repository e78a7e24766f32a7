"""Uploads into document versions: refused by content, nothing stored; hashes in the ledger."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from chainward.core import files
from chainward.documents import services
from chainward.documents.models import DocumentVersion
from chainward.ledger.models import LedgerEntry
from tests.core.test_files import PE_WITH_STUB, make_ole
from tests.documents.test_control import make_document


@pytest.fixture
def document(world):
    return make_document(world, world["users"]["security_manager__org"])


def media_files():
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(client, document, name, content, summary="upload"):
    return client.post(f"/documents/documents/{document.pk}/new-version/", {
        "change_summary": summary, "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("name, content, reason", [
    ("report.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "not a PDF"),
    ("../../etc/cron.d/evil.sh", b"#!/bin/sh\nrm -rf /\n", "scripts are not accepted"),
    ("page.pdf", b"<html><script>alert(1)</script></html>", "not accepted"),
])
def test_bad_files_are_refused_with_the_reason_and_nothing_is_stored(admin_client, document,
                                                                    name, content, reason):
    before = media_files()
    response = upload(admin_client, document, name, content)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not DocumentVersion.objects.filter(document=document).exists()
    assert media_files() == before


@pytest.mark.parametrize("name, content, reason", [
    ("plan.doc", make_ole("WordDocument", "Macros"), "contains macros"),
    ("plan.pdf", PE_WITH_STUB, "is a Windows executable, not a PDF"),
    ("plan.doc", make_ole("WordDocument")[:1100], "is a damaged Office file"),
])
def test_files_refused_by_olefile_or_puremagic_are_refused_through_the_form(
        admin_client, document, name, content, reason):
    before = media_files()
    response = upload(admin_client, document, name, content)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not DocumentVersion.objects.filter(document=document).exists()
    assert media_files() == before


def test_an_oversized_file_is_refused(admin_client, document, settings):
    settings.FILE_MAX_BYTES = 1024
    response = upload(admin_client, document, "big.txt", b"a" * 5000)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_a_path_traversal_name_is_reduced_to_a_harmless_name(admin_client, document):
    response = upload(admin_client, document, "../../../etc/passwd.txt", b"harmless text\n")
    assert response.status_code == 302
    version = DocumentVersion.objects.get(document=document)
    assert version.filename == "passwd.txt"
    assert ".." not in version.file and version.file.startswith("documents/")
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"]).resolve()
    assert (root / version.file).resolve().is_relative_to(root)


def test_the_ledger_holds_the_sha256_of_the_stored_file(admin_client, document):
    upload(admin_client, document, "seals.csv", b"seal,site\nA1234,Hamburg\n")
    version = DocumentVersion.objects.get(document=document)
    event = LedgerEntry.objects.get(action="file_stored", object_id=str(version.pk))
    assert event.after["sha256"] == version.sha256 == files.stored_sha256(version.file)
    response = admin_client.get(f"/documents/versions/{version.pk}/download/")
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"seal,site\nA1234,Hamburg\n"
    found = admin_client.get("/documents/documents/", {"q": "A1234"}).content.decode()
    assert document.get_absolute_url() not in found  # a draft's text is not searchable yet


def test_restricted_pdfs_are_watermarked_with_the_downloader(client, world):
    from weasyprint import HTML

    author = world["users"]["security_manager__org"]
    approver = world["users"]["administrator__org"]
    document = make_document(world, author, title="Hamburg security plan",
                             classification="restricted")
    pdf = HTML(string="<h1>Guard tours</h1><p>Gate 3 closes at 22:00.</p>").write_pdf()
    client.force_login(author)
    upload(client, document, "plan.pdf", pdf)
    version = DocumentVersion.objects.get(document=document)
    services.submit_for_review(author, version)
    services.approve_document_version(approver, version)
    client.force_login(approver)
    response = client.get(f"/documents/versions/{version.pk}/download/")
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Gate 3 closes at 22:00" in text
    assert f"downloaded by {approver.email}" in " ".join(text.split())
    found = client.get("/documents/documents/", {"q": "Guard tours"}).content.decode()
    assert document.get_absolute_url() in found  # the approved version's text is searchable


def test_evidence_can_be_a_file_checked_by_content_and_hashed_in_the_ledger(admin_client,
                                                                            world):
    from chainward.documents.models import Evidence

    refused = admin_client.post("/documents/evidence/add/", {
        "title": "Seal log", "kind": "file",
        "upload": SimpleUploadedFile("seal-log.pdf", b"MZ\x90\x00" + b"\x00" * 100)})
    assert refused.status_code == 400 and "not a PDF" in refused.content.decode()
    assert not Evidence.objects.filter(title="Seal log").exists()
    response = admin_client.post("/documents/evidence/add/", {
        "title": "Seal log", "kind": "file", "valid_until": "2030-01-01",
        "upload": SimpleUploadedFile("seal-log.csv", b"seal,time\nA1,08:00\n")})
    assert response.status_code == 302, response.content.decode()[:3000]
    evidence = Evidence.objects.get(title="Seal log")
    event = LedgerEntry.objects.get(action="file_stored", object_type="documents.evidence")
    assert event.after["sha256"] == evidence.sha256 == files.stored_sha256(evidence.file)
    download = admin_client.get(f"/documents/evidence/{evidence.pk}/download/")
    assert b"".join(download.streaming_content) == b"seal,time\nA1,08:00\n"
    client_b = type(admin_client)()
    client_b.force_login(world["foreign"])
    assert client_b.get(f"/documents/evidence/{evidence.pk}/download/").status_code == 404


def test_any_record_can_hold_evidence_within_scope(client, world):
    from chainward.documents.models import Evidence
    from chainward.ledger.context import actor_context

    with actor_context(None, name="test"):
        certificate = Evidence.objects.create(organisation=world["org_a"], kind="note",
                                              title="Nordic Trucking AEO certificate",
                                              description="Scan in the partner file")
        foreign = Evidence.objects.create(organisation=world["org_b"], kind="note",
                                          title="B's", description="x")
    partner = world["carrier_a"]
    client.force_login(world["users"]["security_manager__org"])
    client.post(f"/documents/attach/supplychain/partner/{partner.pk}/",
                {"evidence": certificate.reference})
    page = client.get(partner.get_absolute_url()).content.decode()
    assert "Nordic Trucking AEO certificate" in page
    entry = LedgerEntry.objects.get(action="attach_evidence")
    assert entry.object_id == str(partner.pk) and entry.after["title"] == certificate.title
    # B's evidence shares A's reference numbering but can never be attached to A's records.
    client.post(f"/documents/attach/supplychain/partner/{partner.pk}/",
                {"evidence": foreign.reference})
    assert list(services.evidence_of(world["users"]["security_manager__org"], partner)) == [
        certificate]
    # A viewer sees the evidence but cannot attach any.
    client.force_login(world["users"]["viewer__org"])
    assert "Nordic Trucking AEO certificate" in client.get(
        partner.get_absolute_url()).content.decode()
    response = client.post(f"/documents/attach/supplychain/partner/{partner.pk}/",
                           {"evidence": certificate.reference}, follow=True)
    assert "You may not change this partner" in response.content.decode()


def test_a_path_traversal_name_reaching_the_service_is_refused(world, document):
    # Through HTTP (and any Django UploadedFile), the name is already cut down to its last
    # part (tested above); a raw file object whose name has folders or ".." is refused.
    from django.core.files import File

    before = media_files()
    raw = File(io.BytesIO(b"x\n"), name="../../etc/passwd.txt")
    with pytest.raises(files.UploadRefused, match="folder names"):
        services.create_version(world["users"]["security_manager__org"], document,
                                upload=raw)
    assert not DocumentVersion.objects.filter(document=document).exists()
    assert media_files() == before
