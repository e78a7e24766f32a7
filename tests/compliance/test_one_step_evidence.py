"""One-step evidence (issue 13 item 6): from a requirement row of the gap work page, upload a
file or pick existing evidence or a controlled document in one dialog, and it counts at once;
what is attached anywhere (the dialog, the record page's "Attach", the API, an older generic
link) counts everywhere (work page, record page, readiness, path, evidence pack)."""

import json
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainward.certification.evidence_pack import PackWriter, requirement_walk
from chainward.compliance.models import GapAssessment, RequirementStatus
from chainward.compliance.readiness import missing_for_certification
from chainward.core import services as records
from chainward.documents.models import Evidence, EvidenceLink
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from tests.documents.test_control import approved_version, make_document
from tests.support.library import tiny_framework

CSV = b"date,guard,gate\n2026-01-05,Ines,3\n"


@pytest.fixture
def assessment(admin_client, world):
    framework = tiny_framework("a")
    response = admin_client.post("/compliance/assessments/add/", {
        "title": "ISO gap", "framework": framework.pk, "all_sites": "on", "status": "draft"})
    assert response.status_code == 302
    return GapAssessment.objects.get(title="ISO gap")


def row(assessment, ref):
    return assessment.statuses.get(requirement__ref_id=ref)


def note(org, title):
    with actor_context(None, name="test"):
        return Evidence.objects.create(organisation=org, title=title, kind="note",
                                       description="In the gatehouse binder.")


def row_html(page, status_row):
    """The work page's markup of one requirement row."""
    return page.split(f'id="row-{status_row.pk}"', 1)[1].split('class="list-group-item"', 1)[0]


def counted_on_work_page(client, status_row):
    page = client.get(f"/compliance/assessments/{status_row.assessment_id}/work/")
    assert page.status_code == 200
    part = row_html(page.content.decode(), status_row)
    return int(re.search(r'data-evidence-count="(\d+)"', part).group(1)), part


def dialog(client, status_row, data, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/compliance/statuses/{status_row.pk}/evidence/", data, **headers)


def test_the_row_opens_one_dialog_with_upload_and_pickers(admin_client, assessment):
    target = row(assessment, "4.1")
    _, part = counted_on_work_page(admin_client, target)
    assert f'hx-get="/compliance/statuses/{target.pk}/evidence/"' in part
    assert 'data-bs-target="#evidence-dialog"' in part
    body = admin_client.get(f"/compliance/statuses/{target.pk}/evidence/",
                            HTTP_HX_REQUEST="true").content.decode()
    assert 'type="file"' in body and 'name="upload"' in body
    assert f'data-lookup="/compliance/statuses/{target.pk}/evidence/options/evidence/"' in body
    assert f'data-lookup="/compliance/statuses/{target.pk}/evidence/options/document/"' in body
    assert "<script" not in body and "hx-on" not in body and "style=" not in body


def test_an_upload_counts_on_the_row_at_once_and_refreshes_readiness(admin_client,
                                                                      assessment):
    target = row(assessment, "4.1")
    assert counted_on_work_page(admin_client, target)[0] == 0
    assert target in missing_for_certification(assessment)["documented"]
    response = dialog(admin_client, target, {
        "how": "upload", "title": "", "upload": SimpleUploadedFile("patrol-log.csv", CSV)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "patrol-log.csv now counts as evidence of 4.1 (1 in all)" in body  # confirmation
    # The row and the readiness figures are swapped in out of band.
    assert re.search(rf'id="row-{target.pk}" hx-swap-oob="true"', body)
    assert 'data-evidence-count="1"' in body
    assert 'id="readiness" hx-swap-oob="true"' in body
    evidence = Evidence.objects.get(title="patrol-log.csv")
    assert evidence.kind == "file" and evidence.sha256 and evidence.filename == "patrol-log.csv"
    assert LedgerEntry.objects.filter(action="file_stored", object_id=str(evidence.pk)).exists()
    count, part = counted_on_work_page(admin_client, target)
    assert count == 1 and "patrol-log.csv" in part
    assert target not in missing_for_certification(assessment)["documented"]


def test_an_upload_refused_by_content_stores_and_attaches_nothing(admin_client, assessment):
    target = row(assessment, "4.1")
    response = dialog(admin_client, target, {
        "how": "upload", "title": "Plan", "upload": SimpleUploadedFile(
            "plan.pdf", b"<html><script>alert(1)</script></html>")}, htmx=False)
    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert not Evidence.objects.filter(title="Plan").exists()
    assert counted_on_work_page(admin_client, target)[0] == 0


def test_picking_existing_evidence_counts_it(admin_client, assessment, world):
    target = row(assessment, "4.2.1")
    evidence = note(world["org_a"], "Interested parties list")
    response = dialog(admin_client, target, {"how": "pick", "evidence": evidence.pk})
    assert response.status_code == 200 and "data-evidence-saved" in response.content.decode()
    assert counted_on_work_page(admin_client, target)[0] == 1
    # The type-ahead no longer offers what is attached, and offers the rest by search.
    url = f"/compliance/statuses/{target.pk}/evidence/options/evidence/"
    other = note(world["org_a"], "Gate register")
    labels = [r["label"] for r in admin_client.get(url, {"q": ""}).json()["results"]]
    assert labels == [f"{other.reference} Gate register"]


def test_picking_a_document_counts_its_approved_version(admin_client, assessment, world):
    users = world["users"]
    document = make_document(world, users["security_manager__org"], title="Seal procedure")
    version = approved_version(document, users["security_manager__org"],
                               users["administrator__org"])
    target = row(assessment, "5.1")
    options = admin_client.get(
        f"/compliance/statuses/{target.pk}/evidence/options/document/", {"q": "seal"}).json()
    assert [r["id"] for r in options["results"]] == [document.pk]
    assert dialog(admin_client, target, {"how": "pick", "document": document.pk}) \
        .status_code == 200
    evidence = Evidence.objects.get(document_version=version)
    assert evidence.kind == "document"
    assert counted_on_work_page(admin_client, target)[0] == 1
    # Picking it for another requirement reuses the same evidence record.
    dialog(admin_client, row(assessment, "4.1"), {"how": "pick", "document": document.pk})
    assert Evidence.objects.filter(document_version=version).count() == 1


def test_the_status_page_attach_counts_on_the_work_page_and_everywhere(admin_client,
                                                                       assessment, world):
    target = row(assessment, "4.1")
    evidence = note(world["org_a"], "Context analysis")
    response = admin_client.post(
        f"/documents/attach/compliance/requirementstatus/{target.pk}/",
        {"evidence": evidence.reference}, follow=True)
    assert f"Attached {evidence.reference}" in response.content.decode()
    assert counted_on_work_page(admin_client, target)[0] == 1
    assert list(RequirementStatus.objects.get(pk=target.pk).evidence.all()) == [evidence]
    entry = LedgerEntry.objects.filter(object_type="compliance.requirementstatus",
                                       object_id=str(target.pk)).order_by("-seq").first()
    assert entry.after == {"evidence": [evidence.pk]}
    assert entry.actor_name == world["users"]["administrator__org"].email
    status_page = admin_client.get(f"/compliance/statuses/{target.pk}/").content.decode()
    card = status_page.split('id="evidence"', 1)[1].split("</section>", 1)[0]
    assert f"{evidence.reference} Context analysis" in card
    assert target not in missing_for_certification(assessment)["documented"]


def test_an_older_generic_link_counts_everywhere(admin_client, assessment, world):
    """Links the record page stored before it went through the compliance service."""
    target = row(assessment, "4.1")
    evidence = note(world["org_a"], "Legacy context note")
    EvidenceLink.objects.create(
        organisation=world["org_a"], evidence=evidence, holder_id=target.pk,
        holder_type=ContentType.objects.get_for_model(RequirementStatus))
    count, part = counted_on_work_page(admin_client, target)
    assert count == 1 and "Legacy context note" in part
    status_page = admin_client.get(f"/compliance/statuses/{target.pk}/").content.decode()
    assert "Legacy context note" in status_page.split('id="evidence"', 1)[1]
    assert target not in missing_for_certification(assessment)["documented"]
    admin = world["users"]["administrator__org"]
    with actor_context(admin):
        _, rows = requirement_walk(PackWriter(admin, "EP-TEST"), world["org_a"], admin,
                                   assessment.framework)
    by_ref = {r["ref_id"]: [e["title"] for e in r["evidence"]] for r in rows}
    assert by_ref["4.1"] == [f"{evidence.reference} Legacy context note"]
    # A re-assessment carries it over like any other evidence.
    admin_client.post(f"/compliance/assessments/{assessment.pk}/baseline/")
    follower = GapAssessment.objects.get(baseline=assessment)
    assert list(row(follower, "4.1").evidence.all()) == [evidence]


def test_the_api_attaches_evidence_and_documents(admin_client, assessment, world):
    target = row(assessment, "4.2.1")
    evidence = note(world["org_a"], "Stakeholder map")
    url = f"/api/compliance/statuses/{target.pk}/evidence/"
    response = admin_client.post(url, json.dumps({"evidence": evidence.pk}),
                                 content_type="application/json")
    assert response.status_code == 200 and response.json()["evidence"] == [evidence.pk]
    assert counted_on_work_page(admin_client, target)[0] == 1
    response = admin_client.post(url, json.dumps({}), content_type="application/json")
    assert response.status_code == 400 and "evidence" in response.json()["errors"]
    # PATCH cannot bypass the service: evidence is read-only in the record endpoint.
    other = note(world["org_a"], "Other")
    fresh = RequirementStatus.objects.get(pk=target.pk)
    admin_client.patch(f"/api/compliance/statuses/{target.pk}/", json.dumps(
        {"evidence": [other.pk], "version": fresh.version}), content_type="application/json")
    assert list(fresh.evidence.all()) == [evidence]


def test_foreign_evidence_is_refused_in_the_dialog_and_the_api(admin_client, assessment, world):
    target = row(assessment, "4.1")
    foreign = note(world["org_b"], "B's note")
    assert dialog(admin_client, target, {"how": "pick", "evidence": foreign.pk},
                  htmx=False).status_code == 400
    response = admin_client.post(f"/api/compliance/statuses/{target.pk}/evidence/",
                                 json.dumps({"evidence": foreign.pk}),
                                 content_type="application/json")
    assert response.status_code == 400
    assert not RequirementStatus.objects.get(pk=target.pk).evidence.exists()


@pytest.fixture
def site_assessment(world):
    """An assessment of site S1 only, which the site-limited security manager may change."""
    manager = world["users"]["administrator__org"]
    assessment = GapAssessment(organisation=world["org_a"], title="S1 gap", all_sites=False,
                               framework=tiny_framework("a"))
    records.save_record(manager, assessment, relations={"sites": [world["s1"]]})
    return assessment


def test_a_document_outside_the_persons_sites_is_refused(client, world, site_assessment):
    users = world["users"]
    manager = users["security_manager__site"]
    document = make_document(world, users["security_manager__org"], title="Rotterdam plan",
                             sites=[world["s2"]])
    approved_version(document, users["security_manager__org"], users["administrator__org"])
    target = row(site_assessment, "4.1")
    client.force_login(manager)
    options = client.get(f"/compliance/statuses/{target.pk}/evidence/options/document/").json()
    assert options["results"] == []  # never offered
    response = dialog(client, target, {"how": "pick", "document": document.pk}, htmx=False)
    assert response.status_code == 403
    assert "You cannot see that document." in response.content.decode()
    htmx = dialog(client, target, {"how": "pick", "document": document.pk})
    assert "You cannot see that document." in htmx.content.decode()
    assert "Rotterdam plan" not in htmx.content.decode()  # the refused pick is not echoed
    api = client.post(f"/api/compliance/statuses/{target.pk}/evidence/",
                      json.dumps({"document": document.pk}), content_type="application/json")
    assert api.status_code == 403
    assert not Evidence.objects.filter(document_version__document=document).exists()
    assert not RequirementStatus.objects.get(pk=target.pk).evidence.exists()
    # The same person attaches what they may see (evidence is organisation-wide records, which
    # only people with an organisation-wide role create; a site-limited one picks them).
    mine = note(world["org_a"], "Hamburg gate log")
    response = dialog(client, target, {"how": "pick", "evidence": mine.pk})
    assert "data-evidence-saved" in response.content.decode()
    assert list(RequirementStatus.objects.get(pk=target.pk).evidence.all()) == [mine]


def test_a_viewer_is_refused_everywhere(client, world, assessment):
    target = row(assessment, "4.1")
    evidence = note(world["org_a"], "Context analysis")
    client.force_login(world["users"]["viewer__org"])
    _, part = counted_on_work_page(client, target)
    assert "evidence/" not in part  # no dialog offered
    assert client.get(f"/compliance/statuses/{target.pk}/evidence/").status_code == 403
    assert dialog(client, target, {"how": "pick", "evidence": evidence.pk},
                  htmx=False).status_code == 403
    assert dialog(client, target, {"how": "upload", "title": "x", "upload": SimpleUploadedFile(
        "x.csv", CSV)}, htmx=False).status_code == 403
    assert client.get(f"/compliance/statuses/{target.pk}/evidence/options/evidence/") \
        .status_code == 403
    api = client.post(f"/api/compliance/statuses/{target.pk}/evidence/",
                      json.dumps({"evidence": evidence.pk}), content_type="application/json")
    assert api.status_code == 403
    client.post(f"/documents/attach/compliance/requirementstatus/{target.pk}/",
                {"evidence": evidence.reference})
    assert not RequirementStatus.objects.get(pk=target.pk).evidence.exists()
    assert not Evidence.objects.filter(title="x").exists()


def test_the_work_page_costs_the_same_queries_for_10_and_100_evidence(admin_client, assessment,
                                                                      world):
    rows = list(assessment.statuses.all())
    status_type = ContentType.objects.get_for_model(RequirementStatus)

    def add(n):
        start = Evidence.objects.count()
        for i in range(n):
            evidence = note(world["org_a"], f"Evidence {start + i}")
            target = rows[i % len(rows)]
            if i % 3:
                target.evidence.add(evidence)
            else:  # some through older generic links
                EvidenceLink.objects.create(organisation=world["org_a"], evidence=evidence,
                                            holder_type=status_type, holder_id=target.pk)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(f"/compliance/assessments/{assessment.pk}/work/") \
                .status_code == 200
        return len(ctx.captured_queries)

    with actor_context(None, name="test"):
        add(10)
    ten = queries()
    with actor_context(None, name="test"):
        add(90)
    assert queries() == ten
    assert sum(counted_on_work_page(admin_client, r)[0] for r in rows) == 100


def test_without_javascript_the_dialog_is_a_page_that_returns_to_the_row(admin_client,
                                                                         assessment, world):
    target = row(assessment, "4.1")
    page = admin_client.get(f"/compliance/statuses/{target.pk}/evidence/")
    assert page.status_code == 200 and "Back to the requirements" in page.content.decode()
    evidence = note(world["org_a"], "Context analysis")
    response = dialog(admin_client, target, {"how": "pick", "evidence": evidence.pk},
                      htmx=False)
    assert response.status_code == 302
    assert response.url == f"/compliance/assessments/{assessment.pk}/work/#row-{target.pk}"
    followed = admin_client.get(response.url).content.decode()
    assert "Context analysis now counts as evidence of 4.1 (1 in all)" in followed


def test_evidence_is_removed_from_the_dialog_and_the_api_whichever_way_it_was_attached(
        client, admin_client, assessment, world):
    """The only way back (the status form's evidence field is read-only now): the dialog's
    Remove and POST …/evidence/remove/ run services.detach_evidence; the record stays."""
    target = row(assessment, "4.1")
    picked, legacy = note(world["org_a"], "Context analysis"), note(world["org_a"], "Old note")
    dialog(admin_client, target, {"how": "pick", "evidence": picked.pk})
    EvidenceLink.objects.create(
        organisation=world["org_a"], evidence=legacy, holder_id=target.pk,
        holder_type=ContentType.objects.get_for_model(RequirementStatus))
    assert counted_on_work_page(admin_client, target)[0] == 2
    body = admin_client.get(f"/compliance/statuses/{target.pk}/evidence/",
                            HTTP_HX_REQUEST="true").content.decode()
    assert body.count('name="how" value="remove"') == 2
    # A Viewer may not; nothing changes.
    client.force_login(world["users"]["viewer__org"])
    assert dialog(client, target, {"how": "remove", "evidence": picked.pk},
                  htmx=False).status_code == 403
    api = client.post(f"/api/compliance/statuses/{target.pk}/evidence/remove/",
                      json.dumps({"evidence": picked.pk}), content_type="application/json")
    assert api.status_code == 403
    client.force_login(world["users"]["administrator__org"])  # admin_client is this client
    assert counted_on_work_page(admin_client, target)[0] == 2
    # The dialog removes the one picked, the API the legacy link; both ledgered.
    response = dialog(admin_client, target, {"how": "remove", "evidence": picked.pk})
    assert "no longer counts" in response.content.decode()
    api = admin_client.post(f"/api/compliance/statuses/{target.pk}/evidence/remove/",
                            json.dumps({"evidence": legacy.pk}), content_type="application/json")
    assert api.status_code == 200, api.content
    assert counted_on_work_page(admin_client, target)[0] == 0
    assert Evidence.objects.filter(pk__in=[picked.pk, legacy.pk], archived=False).count() == 2
    assert LedgerEntry.objects.filter(action="detach_evidence", object_id=target.pk).exists()
    # Removing what is not attached is a field error.
    again = admin_client.post(f"/api/compliance/statuses/{target.pk}/evidence/remove/",
                              json.dumps({"evidence": legacy.pk}),
                              content_type="application/json")
    assert again.status_code == 400 and "evidence" in again.json()["errors"]
