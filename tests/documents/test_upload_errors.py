"""A refused upload says why, first (issue 13 item 12): a disguised file (a Windows program
named .pdf) is answered with what its content is — at the top of the evidence form, and under
`upload` in the API — never with the generic "Upload the file…", which is kept for a file
kind sent without any file. The API takes the file as `upload` and stores it like the form."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.core import files
from chainward.documents.models import Evidence
from chainward.ledger.models import LedgerEntry
from tests.core.test_files import PE_WITH_STUB

ADD = "/documents/evidence/add/"
API = "/api/documents/evidence/"
SPECIFIC = "“plan.pdf” is a Windows executable, not a PDF"
GENERIC = "Upload the file, or choose another kind."


def top_alert(page):
    """The text of the error alert heading the record form, or ""."""
    found = re.search(r'<form method="post" novalidate[^>]*>\s*<input type="hidden" '
                      r'name="csrfmiddlewaretoken"[^>]*>\s*<div class="alert alert-danger" '
                      r'role="alert">(.*?)</div>\s*</div>', page, re.S)
    return found.group(1) if found else ""


def disguised():
    return SimpleUploadedFile("plan.pdf", PE_WITH_STUB, content_type="application/pdf")


def test_the_form_heads_with_what_the_disguised_file_is(admin_client):
    response = admin_client.post(ADD, {"title": "Site plan", "kind": "file",
                                       "upload": disguised()})
    assert response.status_code == 400
    page = response.content.decode()
    assert SPECIFIC in top_alert(page)
    assert GENERIC not in page
    # Beside the file field too, which follows the kind it belongs to.
    assert page.index('name="kind"') < page.index('name="upload"') < page.index('name="link"')
    assert not Evidence.objects.filter(title="Site plan").exists()


def test_a_file_kind_without_a_file_still_asks_for_it(admin_client):
    response = admin_client.post(ADD, {"title": "Site plan", "kind": "file"})
    assert response.status_code == 400
    assert GENERIC in response.content.decode()


def test_the_api_answers_with_what_the_disguised_file_is(admin_client):
    response = admin_client.post(API, {"title": "Site plan", "kind": "file",
                                       "upload": disguised()})
    assert response.status_code == 400, response.content.decode()
    errors = response.json()["errors"]
    assert SPECIFIC in " ".join(errors["upload"])
    assert GENERIC not in response.content.decode()
    assert not Evidence.objects.filter(title="Site plan").exists()


def test_the_api_without_a_file_asks_for_it(admin_client):
    response = admin_client.post(API, {"title": "Site plan", "kind": "file"})
    assert response.status_code == 400
    assert response.json()["errors"]["kind"] == [GENERIC]


@pytest.mark.parametrize("path", ["form", "api"])
def test_an_accepted_file_is_stored_and_ledgered_on_both_paths(admin_client, path):
    body = {"title": "Seal log", "kind": "file",
            "upload": SimpleUploadedFile("seal-log.csv", b"seal,time\nA1,08:00\n")}
    response = admin_client.post(ADD if path == "form" else API, body)
    assert response.status_code == (302 if path == "form" else 201), \
        response.content.decode()[:2000]
    evidence = Evidence.objects.get(title="Seal log")
    assert (evidence.kind, evidence.filename, evidence.size) == ("file", "seal-log.csv", 19)
    event = LedgerEntry.objects.get(action="file_stored", object_type="documents.evidence")
    assert event.after["sha256"] == evidence.sha256 == files.stored_sha256(evidence.file)
