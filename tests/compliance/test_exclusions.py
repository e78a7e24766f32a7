"""No "not applicable" where the framework allows no exclusions, and readiness never rises by
excluding (issue 12).

ISO 28000's requirements apply to every organisation within its scope; only frameworks that
declare `allows_exclusions` (C-TPAT, EU AEO SAQ, TAPA…) take N/A, and only with a
justification. The refusal is one service rule, tested here through every path that writes a
status: the service, the gap work page, the record's edit form, the API and the baseline
re-assessment (requirement statuses have no import: the register offers none, tested too).
"""

import json

import pytest
from django.core.exceptions import ValidationError

from chainward.compliance import services
from chainward.compliance.models import GapAssessment, RequirementStatus
from chainward.compliance.readiness import readiness
from chainward.ledger.context import actor_context
from chainward.library import loader
from tests.support.bulk import fixture_writes
from tests.support.library import tiny_framework

REFUSAL = "allows no exclusions"


def make_assessment(world, framework, title="Gap"):
    manager = world["users"]["security_manager__org"]
    with actor_context(manager):
        assessment = GapAssessment.objects.create(organisation=world["org_a"], title=title,
                                                  framework=framework)
        services.populate_statuses(manager, assessment)
    return assessment


@pytest.fixture
def strict(world):
    """An assessment against a tiny framework that allows no exclusions (as ISO 28000)."""
    return make_assessment(world, tiny_framework("strict"), "Strict gap")


@pytest.fixture
def lenient(world):
    """An assessment against a tiny framework that allows exclusions (as C-TPAT)."""
    framework = tiny_framework("lenient")
    framework.allows_exclusions = True
    framework.save()
    return make_assessment(world, framework, "Lenient gap")


def row(assessment, ref):
    return assessment.statuses.get(requirement__ref_id=ref)


def legacy_status(assessment, ref, status, justification=""):
    """A status written before the rule existed (the services refuse it now)."""
    with fixture_writes(RequirementStatus):
        RequirementStatus.objects.filter(assessment=assessment, requirement__ref_id=ref).update(
            status=status, justification=justification)


# --- the rule, through every write path ----------------------------------------------------------
def test_the_service_refuses_not_applicable_on_a_framework_without_exclusions(world, strict):
    target = row(strict, "4.2.2")
    with pytest.raises(ValidationError) as refused:
        services.set_status(world["users"]["security_manager__org"], target,
                            status="not_applicable", justification="Not relevant to us")
    assert REFUSAL in " ".join(refused.value.message_dict["status"])
    assert row(strict, "4.2.2").status == "not_assessed"


def test_the_work_page_refuses_it_on_the_row(admin_client, strict):
    target = row(strict, "4.2.2")
    response = admin_client.post(f"/compliance/statuses/{target.pk}/set/", {
        "status": "not_applicable", "justification": "Not relevant to us", "notes": "",
        "version": target.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    assert row(strict, "4.2.2").status == "not_assessed"


def test_the_work_page_offers_not_applicable_only_where_exclusions_are_allowed(
        admin_client, strict, lenient):
    option = '<option value="not_applicable"'
    page = admin_client.get(f"/compliance/assessments/{strict.pk}/work/").content.decode()
    assert option not in page and 'value="not_implemented"' in page
    page = admin_client.get(f"/compliance/assessments/{lenient.pk}/work/").content.decode()
    assert option in page


def test_the_edit_form_refuses_it_as_a_field_error(admin_client, strict):
    target = row(strict, "5.1")
    response = admin_client.post(f"/compliance/statuses/{target.pk}/edit/", {
        "status": "not_applicable", "justification": "Outside our business", "notes": "",
        "version": target.version})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert REFUSAL in " ".join(errors["status"])
    assert row(strict, "5.1").status == "not_assessed"


def test_the_api_refuses_it_with_a_field_error(admin_client, strict):
    target = row(strict, "4.1")
    response = admin_client.patch(f"/api/compliance/statuses/{target.pk}/", json.dumps(
        {"status": "not_applicable", "justification": "Not relevant", "version": target.version}),
        content_type="application/json")
    assert response.status_code == 400
    assert REFUSAL in " ".join(response.json()["errors"]["status"])
    assert row(strict, "4.1").status == "not_assessed"


def test_requirement_statuses_cannot_be_imported_at_all(admin_client, strict):
    # The only bulk path would be an import; the statuses register offers none.
    assert admin_client.get("/compliance/statuses/import/").status_code == 403
    assert admin_client.get("/compliance/assessments/import/").status_code == 403


def test_other_statuses_and_exclusions_elsewhere_still_save(admin_client, world, strict,
                                                           lenient):
    manager = world["users"]["security_manager__org"]
    services.set_status(manager, row(strict, "4.1"), status="not_implemented")
    assert row(strict, "4.1").status == "not_implemented"
    services.set_status(manager, row(lenient, "4.1"), status="not_applicable",
                        justification="We run no warehouse")
    assert row(lenient, "4.1").status == "not_applicable"
    with pytest.raises(ValidationError) as refused:
        services.set_status(manager, row(lenient, "5.1"), status="not_applicable")
    assert "justification" in refused.value.message_dict


def test_a_legacy_exclusion_is_not_carried_into_a_reassessment(world, strict):
    legacy_status(strict, "4.2.2", "not_applicable", "Group BCM covers it")
    follower = services.start_from_baseline(world["users"]["security_manager__org"], strict,
                                            title="Strict gap 2027")
    carried = row(follower, "4.2.2")
    assert (carried.status, carried.to_reconfirm, carried.justification) == (
        "not_assessed", True, "")
    assert "Group BCM covers it" in carried.notes and "not applicable" in carried.notes


def test_a_legacy_exclusion_must_be_resolved_before_the_row_is_edited(admin_client, strict):
    legacy_status(strict, "4.1", "not_applicable", "Old answer")
    target = row(strict, "4.1")
    response = admin_client.patch(f"/api/compliance/statuses/{target.pk}/", json.dumps(
        {"notes": "still N/A?", "version": target.version}), content_type="application/json")
    assert response.status_code == 400 and "status" in response.json()["errors"]
    response = admin_client.patch(f"/api/compliance/statuses/{target.pk}/", json.dumps(
        {"status": "partially", "justification": "", "version": target.version}),
        content_type="application/json")
    assert response.status_code == 200 and row(strict, "4.1").status == "partially"


# --- readiness never rises by excluding ----------------------------------------------------------
def work(world, assessment):
    """4.1 fully (1), 4.2.1 partially (0.5), 4.2.2 not implemented (0), 5.1 not implemented."""
    manager = world["users"]["security_manager__org"]
    for ref, status in (("4.1", "fully"), ("4.2.1", "partially"), ("4.2.2", "not_implemented"),
                        ("5.1", "not_implemented")):
        services.set_status(manager, row(assessment, ref), status=status)


def test_marking_clauses_not_applicable_cannot_raise_readiness(world, strict):
    work(world, strict)
    # 1.5 of 4 applicable requirements = 37.5 %.
    assert (readiness(strict)["percent"], readiness(strict)["applicable"]) == (37.5, 4)
    # Excluding both weak clauses (only possible in data written before the rule) counts them as
    # nothing, exactly like "not implemented": still 1.5 of 4.
    legacy_status(strict, "4.2.2", "not_applicable", "Not relevant")
    legacy_status(strict, "5.1", "not_applicable", "Not relevant")
    result = readiness(strict)
    assert (result["percent"], result["applicable"]) == (37.5, 4)
    assert [(s["ref_id"], s["percent"]) for s in result["sections"]] == [("4", 50.0),
                                                                         ("5", 0.0)]
    # Excluding a strong clause lowers it: 0.5 of 4.
    legacy_status(strict, "4.1", "not_applicable", "Not relevant")
    assert readiness(strict)["percent"] == 12.5


def test_where_exclusions_are_allowed_only_a_justified_one_leaves_the_total(world, lenient):
    work(world, lenient)
    services.set_status(world["users"]["security_manager__org"], row(lenient, "5.1"),
                        status="not_applicable", justification="No such activity")
    # 1.5 of the 3 requirements that apply = 50 %.
    assert (readiness(lenient)["percent"], readiness(lenient)["applicable"]) == (50.0, 3)
    # An exclusion without a justification (written before the rule) does not count as one.
    legacy_status(lenient, "4.2.2", "not_applicable", "")
    assert (readiness(lenient)["percent"], readiness(lenient)["applicable"]) == (50.0, 3)
    legacy_status(lenient, "4.2.2", "not_applicable", "   ")
    assert readiness(lenient)["applicable"] == 3


def test_the_iso28000_catalogue_refuses_exclusions_and_readiness_counts_every_clause(world):
    loader.load(loader.CATALOG_DIR / "iso28000-2022.yaml")
    from chainward.library.models import Framework

    framework = Framework.objects.get(urn="urn:chainward:framework:iso28000-2022")
    assessment = make_assessment(world, framework, "ISO 28000 gap")
    manager = world["users"]["security_manager__org"]
    rows = list(assessment.statuses.select_related("requirement").order_by("requirement__order"))
    total = len(rows)
    with fixture_writes(RequirementStatus):
        RequirementStatus.objects.filter(assessment=assessment).update(status="largely")
        RequirementStatus.objects.filter(assessment=assessment,
                                         requirement__ref_id__startswith="9.").update(
            status="not_implemented")
    weak = assessment.statuses.filter(status="not_implemented").count()
    assert weak >= 4
    expected = round(0.75 * (total - weak) * 100 / total, 1)
    assert readiness(assessment)["percent"] == expected
    with pytest.raises(ValidationError):
        services.set_status(manager, rows[0], status="not_applicable", justification="x")
    with fixture_writes(RequirementStatus):
        RequirementStatus.objects.filter(assessment=assessment, status="not_implemented").update(
            status="not_applicable", justification="Performance evaluation not needed")
    assert readiness(assessment)["percent"] == expected
    assert readiness(assessment)["applicable"] == total
