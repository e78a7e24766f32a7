"""Gap assessments: statuses, readiness (hand-worked), evidence reuse, baseline, exports."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from chainward.compliance.models import GapAssessment, RequirementStatus
from chainward.compliance.services import populate_statuses
from chainward.documents.models import Evidence
from chainward.ledger.context import actor_context
from chainward.library.models import Requirement
from tests.support.library import tiny_framework


@pytest.fixture
def assessment(admin_client, world):
    # Allows exclusions (as C-TPAT does), so "not applicable" with a justification applies.
    framework = tiny_framework("a")
    framework.allows_exclusions = True
    framework.save()
    response = admin_client.post("/compliance/assessments/add/", {
        "title": "ISO gap", "framework": framework.pk, "all_sites": "on", "status": "draft"})
    assert response.status_code == 302
    return GapAssessment.objects.get(title="ISO gap")


def row(assessment, ref):
    return assessment.statuses.get(requirement__ref_id=ref)


def set_status(client, status_row, status, justification="", htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/compliance/statuses/{status_row.pk}/set/", {
        "status": status, "justification": justification, "notes": "",
        "version": status_row.version}, **headers)


def test_creating_an_assessment_lists_every_assessable_requirement(assessment):
    refs = list(assessment.statuses.values_list("requirement__ref_id", flat=True))
    assert refs == ["4.1", "4.2.1", "4.2.2", "5.1"]
    assert set(assessment.statuses.values_list("status", flat=True)) == {"not_assessed"}


def test_not_applicable_needs_a_justification(admin_client, assessment):
    response = set_status(admin_client, row(assessment, "4.2.2"), "not_applicable")
    assert response.status_code == 400
    assert "Say why this requirement does not apply." in response.content.decode()
    assert row(assessment, "4.2.2").status == "not_assessed"


def work_example(client, assessment):
    """4.1 fully (1), 4.2.1 partially (0.5), 4.2.2 not applicable (left out), 5.1 not (0)."""
    assert set_status(client, row(assessment, "4.1"), "fully").status_code == 200
    assert set_status(client, row(assessment, "4.2.1"), "partially").status_code == 200
    assert set_status(client, row(assessment, "4.2.2"), "not_applicable",
                      "No retained records in scope").status_code == 200
    assert set_status(client, row(assessment, "5.1"), "not_implemented").status_code == 200


def test_readiness_follows_the_hand_worked_example_everywhere(admin_client, assessment):
    work_example(admin_client, assessment)
    # Overall 1.5 / 3 = 50.0 %; section 4: 1.5 / 2 = 75.0 %; section 5: 0 / 1 = 0.0 %;
    # clause 4.1: 100 %, clause 4.2: 0.5 / 1 = 50 %.
    detail = admin_client.get(assessment.get_absolute_url()).content.decode()
    assert '<span class="display-6">50.0%</span>' in detail
    api = admin_client.get(f"/api/compliance/assessments/{assessment.pk}/").json()["readiness"]
    assert api["percent"] == 50.0 and api["applicable"] == 3
    assert [(s["ref_id"], s["percent"]) for s in api["sections"]] == [("4", 75.0), ("5", 0.0)]
    assert [(c["ref_id"], c["percent"]) for c in api["clauses"]] == [
        ("4.1", 100.0), ("4.2", 50.0), ("5.1", 0.0)]
    workbook = load_workbook(io.BytesIO(admin_client.get(
        f"/compliance/assessments/{assessment.pk}/export.xlsx").content))
    readiness = {r[0]: r[3] for r in workbook["Readiness"].iter_rows(values_only=True)}
    assert readiness["Overall"] == 50.0 and readiness["4.2"] == 50.0
    requirements = list(workbook["Requirements"].iter_rows(values_only=True))
    assert requirements[3][:5] == ("4.2.2", "Clause 4.2.2", None, "Not applicable",
                                   "No retained records in scope")
    filtered = admin_client.get(f"/compliance/assessments/{assessment.pk}/work/",
                                {"clause": "4.2"}).content.decode()
    assert f'id="row-{row(assessment, "4.2.1").pk}"' in filtered
    assert f'id="row-{row(assessment, "5.1").pk}"' not in filtered


def test_a_stale_status_edit_is_refused(admin_client, assessment):
    stale = row(assessment, "4.1")
    set_status(admin_client, stale, "fully")
    response = set_status(admin_client, stale, "not_implemented")  # still version 1
    assert response.status_code == 409
    assert row(assessment, "4.1").status == "fully"


def test_evidence_from_another_framework_is_offered_and_reused_in_one_action(admin_client,
                                                                            assessment, world):
    # Framework "b" shares Harmonized-Structure ids with "a" (as ISO 9001 does with ISO 28000).
    first = row(assessment, "4.1")
    admin_client.post(f"/compliance/statuses/{first.pk}/link/", {
        "title": "Context analysis 2026", "link": "https://dms.example/context"},
        HTTP_HX_REQUEST="true")
    evidence = Evidence.objects.get(title="Context analysis 2026")
    framework_b = tiny_framework("b")
    admin_client.post("/compliance/assessments/add/", {
        "title": "Quality gap", "framework": framework_b.pk, "all_sites": "on",
        "status": "draft"})
    other = GapAssessment.objects.get(title="Quality gap")
    page = admin_client.get(f"/compliance/assessments/{other.pk}/work/").content.decode()
    target = row(other, "4.1")
    assert f"/compliance/statuses/{target.pk}/reuse/{evidence.pk}/" in page
    assert f"/compliance/statuses/{row(other, '5.1').pk}/reuse/{evidence.pk}/" not in page
    response = admin_client.post(f"/compliance/statuses/{target.pk}/reuse/{evidence.pk}/",
                                 HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert list(target.evidence.all()) == [evidence]
    assert "Reuse “Context analysis 2026”" not in response.content.decode()


def test_foreign_evidence_cannot_be_attached(admin_client, assessment, world):
    with actor_context(None, name="test"):
        foreign = Evidence.objects.create(organisation=world["org_b"], title="B's", kind="note",
                                          description="x")
    response = admin_client.post(
        f"/compliance/statuses/{row(assessment, '4.1').pk}/reuse/{foreign.pk}/")
    assert response.status_code == 404
    assert not row(assessment, "4.1").evidence.exists()


def test_baseline_carries_statuses_over_for_reconfirmation(admin_client, assessment):
    work_example(admin_client, assessment)
    response = admin_client.post(f"/compliance/assessments/{assessment.pk}/baseline/")
    follower = GapAssessment.objects.get(baseline=assessment)
    assert response.url == f"/compliance/assessments/{follower.pk}/work/"
    carried = {r.requirement.ref_id: (r.status, r.to_reconfirm) for r in follower.statuses.all()}
    assert carried == {"4.1": ("fully", True), "4.2.1": ("partially", True),
                       "4.2.2": ("not_applicable", True), "5.1": ("not_implemented", True)}
    set_status(admin_client, row(follower, "4.1"), "largely")
    assert row(follower, "4.1").to_reconfirm is False


def test_missing_for_certification_lists_documented_information_without_evidence(
        admin_client, assessment):
    work_example(admin_client, assessment)
    page = admin_client.get(f"/compliance/assessments/{assessment.pk}/missing/").content.decode()
    documented = page.split("Documented information without evidence")[1].split("<h2")[0]
    assert "4.1 Clause 4.1" in documented and "4.2.2" not in documented  # 4.2.2 is N/A


def test_workspace_costs_the_same_queries_for_a_small_and_a_large_framework(admin_client,
                                                                          assessment):
    def queries(target):
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(f"/compliance/assessments/{target.pk}/work/").status_code \
                == 200
        return len(ctx.captured_queries)

    big_framework = tiny_framework("big")
    admin_client.post("/compliance/assessments/add/", {
        "title": "Big gap", "framework": big_framework.pk, "all_sites": "on",
        "status": "draft"})
    big = GapAssessment.objects.get(title="Big gap")
    small = queries(big)
    for i in range(200):
        Requirement.objects.create(
            framework=big_framework, urn=f"urn:test:req:big:9.{i}", ref_id=f"9.{i}", depth=1,
            order=100 + i, title=f"Extra {i}", hs_id=f"HS-9.{i}", tags=["core"])
    populate_statuses(big.created_by, big)
    assert big.statuses.count() == 204
    assert queries(big) == small


def test_api_updates_a_status_with_validation(admin_client, assessment):
    target = row(assessment, "4.2.2")
    response = admin_client.patch(f"/api/compliance/statuses/{target.pk}/", json.dumps(
        {"status": "not_applicable", "version": target.version}),
        content_type="application/json")
    assert response.status_code == 400 and "justification" in response.json()["errors"]
    assert RequirementStatus.objects.get(pk=target.pk).status == "not_assessed"


def test_readiness_pdf_states_the_same_numbers(admin_client, assessment):
    from pypdf import PdfReader

    work_example(admin_client, assessment)
    response = admin_client.get(f"/compliance/assessments/{assessment.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "50.0% ready across 3 applicable requirements" in text
    assert "4.2 Clause 4.2 1" in text and "50.0%" in text
    assert "N/A: No retained records in scope" in text
