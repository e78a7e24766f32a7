"""Audit and CAPA workflows: independence, findings opening CAPAs, checklists, coverage,
root-cause validation, verification by someone other than the owner, My work."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chainward.audits import services
from chainward.audits.coverage import coverage_matrix
from chainward.audits.models import Audit, CorrectiveAction, Finding
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.library.models import CatalogEntry, Library, Requirement
from tests.support.bulk import fixture_writes
from tests.support.library import tiny_framework

from . import factories as f

REFUSAL = ("site_security_officer__site@a.example is site security officer of Hamburg "
           "warehouse and cannot audit it (ISO 28000 9.2: auditors must be objective and "
           "impartial).")


def fixture(func, *args, **kwargs):
    with actor_context(None, name="fixture"):
        return func(*args, **kwargs)


def audit_data(world, **overrides):
    data = {"title": "Hamburg gate audit", "audit_type": "internal",
            "planned_start": f.days(5).isoformat(), "planned_end": f.days(6).isoformat(),
            "sites": [world["s1"].pk]}
    data.update(overrides)
    return data


# --- independence --------------------------------------------------------------------------
def test_service_refuses_a_site_officer_auditing_their_own_site(world):
    officer = world["users"]["site_security_officer__site"]
    audit = fixture(f.audit, world["org_a"], "Own site", sites=[world["s1"]],
                    lead_auditor=officer)
    with pytest.raises(ValidationError) as refused:
        services.assert_independent(audit)
    assert refused.value.message_dict == {"lead_auditor": [REFUSAL]}
    with pytest.raises(ValidationError):
        services.transition_audit(world["users"]["administrator__org"], audit, "in_progress")
    audit.refresh_from_db()
    assert audit.status == "planned"
    # The same officer may audit a site they are not responsible for.
    other = fixture(f.audit, world["org_a"], "Other site", sites=[world["s2"]],
                    lead_auditor=officer)
    services.assert_independent(other)


def test_form_refuses_own_site_auditor_as_lead_or_team_member_with_the_reason(admin_client,
                                                                           world):
    officer = world["users"]["site_security_officer__site"]
    response = admin_client.post("/audits/audits/add/", audit_data(world, lead_auditor=officer.pk))
    assert response.status_code == 400
    assert response.context["form"].errors["lead_auditor"] == [REFUSAL]
    response = admin_client.post("/audits/audits/add/", audit_data(
        world, lead_auditor=world["users"]["internal_auditor__org"].pk, team=[officer.pk]))
    assert response.status_code == 400
    assert response.context["form"].errors["team"] == [REFUSAL]
    assert REFUSAL in response.content.decode()
    auditor = world["users"]["internal_auditor__org"]
    response = admin_client.post("/audits/audits/add/", audit_data(
        world, lead_auditor=auditor.pk, responsible_persons=[auditor.pk]))
    assert response.status_code == 400
    assert "is responsible for the audited scope" in \
        response.context["form"].errors["lead_auditor"][0]
    assert not Audit.objects.exists()
    response = admin_client.post("/audits/audits/add/", audit_data(world, lead_auditor=auditor.pk))
    assert response.status_code == 302
    assert Audit.objects.get().lead_auditor == auditor


def test_api_refuses_own_site_auditor_with_400(admin_client, world):
    officer = world["users"]["site_security_officer__site"]
    response = admin_client.post("/api/audits/audits/", data=json.dumps(
        audit_data(world, lead_auditor=officer.pk)), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"lead_auditor": [REFUSAL]}
    audit = fixture(f.audit, world["org_a"], "Planned", sites=[world["s1"]])
    response = admin_client.patch(f"/api/audits/audits/{audit.pk}/", data=json.dumps(
        {"team": [officer.pk], "version": audit.version}), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"team": [REFUSAL]}
    assert not audit.team.exists()


# --- audit status --------------------------------------------------------------------------
def test_audit_status_moves_only_forward_through_buttons_and_api(admin_client, world):
    audit = fixture(f.audit, world["org_a"], "Status", sites=[world["s2"]])
    url = f"/audits/audits/{audit.pk}/transition/"
    admin_client.post(url, {"to": "reported"})
    audit.refresh_from_db()
    assert audit.status == "planned"  # skipping a step is refused
    admin_client.post(url, {"to": "in_progress"})
    audit.refresh_from_db()
    assert audit.status == "in_progress" and audit.actual_start is not None
    page = admin_client.post(url, {"to": "reported"}, follow=True).content.decode()
    assert "Write the audit conclusion before reporting." in page
    response = admin_client.patch(f"/api/audits/audits/{audit.pk}/", data=json.dumps(
        {"status": "closed", "conclusion": "Conforming.", "version": audit.version}),
        content_type="application/json")
    assert response.status_code == 200
    audit.refresh_from_db()
    assert audit.status == "in_progress"  # status is read-only in the record API
    response = admin_client.post(f"/api/audits/audits/{audit.pk}/transition/",
                                 {"to": "reported"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "reported"
    response = admin_client.post(f"/api/audits/audits/{audit.pk}/transition/",
                                 {"to": "planned"}, content_type="application/json")
    assert response.status_code == 400 and "status" in response.json()["errors"]
    viewer = world["users"]["viewer__org"]
    admin_client.force_login(viewer)
    response = admin_client.post(f"/api/audits/audits/{audit.pk}/transition/",
                                 {"to": "closed"}, content_type="application/json")
    assert response.status_code == 403


# --- findings → corrective actions ------------------------------------------------------------
def test_major_and_minor_findings_open_exactly_one_capa_observation_none(admin_client, world):
    audit = fixture(f.audit, world["org_a"], "Findings", sites=[world["s1"]],
                    lead_auditor=world["users"]["internal_auditor__org"])
    response = admin_client.post("/audits/findings/add/", {
        "audit": audit.pk, "grade": "major", "statement": "No seal log at gate 2."})
    assert response.status_code == 302
    major = Finding.objects.get(grade="major")
    capa = CorrectiveAction.objects.get(finding=major)
    assert capa.site == world["s1"] and capa.status == "open" and capa.source == "audit_finding"
    response = admin_client.post(f"/audits/findings/{major.pk}/edit/", {
        "audit": audit.pk, "grade": "major", "statement": "No seal log at gates 2 and 3.",
        "version": major.version})
    assert response.status_code == 302
    assert CorrectiveAction.objects.filter(finding=major).count() == 1
    response = admin_client.post("/audits/findings/add/", {
        "audit": audit.pk, "grade": "observation", "statement": "Visitor badges faded."})
    assert response.status_code == 302
    observation = Finding.objects.get(grade="observation")
    assert not observation.corrective_actions.exists()
    response = admin_client.post("/api/audits/findings/", data=json.dumps({
        "audit": audit.pk, "grade": "minor", "statement": "One CCTV camera misaligned."}),
        content_type="application/json")
    assert response.status_code == 201
    assert CorrectiveAction.objects.filter(finding_id=response.json()["id"]).count() == 1
    # Regrading an observation to a nonconformity opens its action then, once.
    for _ in range(2):
        observation.refresh_from_db()
        response = admin_client.patch(f"/api/audits/findings/{observation.pk}/", data=json.dumps(
            {"grade": "minor", "version": observation.version}), content_type="application/json")
        assert response.status_code == 200
    assert CorrectiveAction.objects.filter(finding=observation).count() == 1
    assert CorrectiveAction.objects.count() == 3


# --- checklists ------------------------------------------------------------------------------
def test_checklist_from_framework_requirements_and_from_a_template(admin_client, world):
    framework = tiny_framework("chk")
    audit = fixture(f.audit, world["org_a"], "Checklist", sites=[world["s2"]])
    audit.criteria.set([framework])
    response = admin_client.post(f"/audits/audits/{audit.pk}/generate-checklist/")
    assert response.status_code == 302
    items = list(audit.checklist.order_by("order"))
    assert [i.requirement.ref_id for i in items] == ["4.1", "4.2.1", "4.2.2", "5.1"]
    assert items[0].question.startswith("4.1 Clause 4.1")
    admin_client.post(f"/audits/audits/{audit.pk}/generate-checklist/")
    assert audit.checklist.count() == 4  # idempotent

    subset = fixture(f.audit, world["org_a"], "Subset", sites=[world["s2"]])
    subset.criteria.set([framework])
    subset.requirements.set([Requirement.objects.get(framework=framework, ref_id="5.1")])
    added = services.generate_checklist(world["users"]["administrator__org"], subset)
    assert added == 1 and subset.checklist.get().requirement.ref_id == "5.1"

    library = Library.objects.create(urn="urn:test:library:tpl", name="Templates", version=1,
                                     licence="test", checksum="0" * 64)
    template = CatalogEntry.objects.create(
        library=library, kind="checklist_template", urn="urn:test:checklist:17pt",
        ref_id="17pt", name="17-point inspection", order=0, data={"items": [
            {"ref_id": "bumper", "text": "Bumper, tyres and rims", "group": "tractor"},
            {"ref_id": "floor", "text": "Floor", "group": "trailer"},
            {"ref_id": "doors", "text": "Doors"}]})
    response = admin_client.post(f"/audits/audits/{audit.pk}/generate-checklist/",
                                 {"template": template.urn})
    assert response.status_code == 302
    questions = list(audit.checklist.filter(requirement__isnull=True).order_by("order")
                     .values_list("question", flat=True))
    assert questions == ["17-point inspection: Bumper, tyres and rims (tractor)",
                         "17-point inspection: Floor (trailer)", "17-point inspection: Doors"]
    page = admin_client.get(f"/audits/audits/{audit.pk}/").content.decode()
    assert "17-point inspection" in page and "Generate checklist" in page


def test_checklist_rows_save_inline_and_refuse_a_stale_version(admin_client, world):
    audit = fixture(f.audit, world["org_a"], "Inline", sites=[world["s1"]])
    row = fixture(f.item, audit, "Gate log kept?")
    data = {"result": "nonconforming", "notes": "Two days missing", "samples": "Log 1-14 May",
            "version": row.version}
    response = admin_client.post(f"/audits/checklist-items/{row.pk}/set/", data,
                                 HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<div class="list-group-item" '
                                                         f'id="row-{row.pk}"')
    row.refresh_from_db()
    assert (row.result, row.samples) == ("nonconforming", "Log 1-14 May")
    response = admin_client.post(f"/audits/checklist-items/{row.pk}/set/", data,
                                 HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    page = admin_client.get(f"/audits/audits/{audit.pk}/checklist/").content.decode()
    assert "Gate log kept?" in page and "Record a finding" in page


# --- coverage -------------------------------------------------------------------------------
def test_coverage_matrix_marks_uncovered_clauses_and_unvisited_sites(admin_client, world):
    framework = tiny_framework("cov")
    programme = fixture(f.programme, world["org_a"], "2027 programme")
    programme.frameworks.set([framework])
    programme.sites.set([world["s1"], world["s2"]])
    audit = fixture(f.audit, world["org_a"], "Clause 4.1 at Hamburg", sites=[world["s1"]],
                    programme=programme, planned_start=f.days(0).replace(2027, 5, 10),
                    planned_end=f.days(0).replace(2027, 5, 11))
    audit.criteria.set([framework])
    audit.requirements.set([Requirement.objects.get(framework=framework, ref_id="4.1")])
    matrix = coverage_matrix(programme)
    assert [r.requirement.ref_id for r in matrix["rows"]] == ["4", "4.1", "4.2", "5", "5.1"]
    assert [r.ref_id for r in matrix["uncovered"]] == ["4.2", "5", "5.1"]
    assert matrix["unvisited"] == [world["s2"]]
    row = matrix["rows"][1]
    assert row.cells[0].audits == [audit] and row.cells[1].audits == []
    assert matrix["periods"] == ["2027 Q1", "2027 Q2", "2027 Q3", "2027 Q4"]
    assert row.periods[1].audits == [audit]
    page = admin_client.get(f"/audits/programmes/{programme.pk}/coverage/").content.decode()
    assert '<span id="uncovered">4.2, 5, 5.1</span>' in page
    assert '<span id="unvisited">Rotterdam terminal</span>' in page
    # An audit of the whole framework at Rotterdam closes both gaps.
    whole = fixture(f.audit, world["org_a"], "Everything at Rotterdam", sites=[world["s2"]],
                    programme=programme, planned_start=f.days(0).replace(2027, 9, 1),
                    planned_end=f.days(0).replace(2027, 9, 2))
    whole.criteria.set([framework])
    matrix = coverage_matrix(programme)
    assert matrix["uncovered"] == [] and matrix["unvisited"] == []


# --- root cause -------------------------------------------------------------------------------
def capa_form(world, capa, **overrides):
    data = {"source": capa.source, "title": capa.title, "owner": capa.owner_id,
            "due_date": capa.due_date.isoformat(), "version": capa.version}
    data.update(overrides)
    return data


def test_the_root_cause_is_entered_as_fields_not_json(admin_client, world):
    capa = fixture(f.capa, world["org_a"], world["users"]["security_manager__org"])
    url = f"/audits/corrective-actions/{capa.pk}/edit/"
    page = admin_client.get(url).content.decode()
    assert "Why 1?" in page and "Cause: process" in page and 'name="root_cause"' not in page
    response = admin_client.post(url, capa_form(
        world, capa, rc_method="five_whys", why_1="Why was the seal log empty?",
        answer_1="The night shift had no form.", why_2="Why no form?",
        answer_2="Forms are printed by day staff only."))
    assert response.status_code == 302, response.content.decode()[:2000]
    capa.refresh_from_db()
    assert capa.root_cause == {"method": "five_whys", "whys": [
        {"why": "Why was the seal log empty?", "answer": "The night shift had no form."},
        {"why": "Why no form?", "answer": "Forms are printed by day staff only."}]}
    # The edit page shows the stored analysis in its fields.
    page = admin_client.get(url).content.decode()
    assert 'value="The night shift had no form."' in page
    response = admin_client.post(url, capa_form(
        world, capa, version=capa.version, rc_method="cause_categories",
        cause_process="No second check", cause_people=""))
    assert response.status_code == 302
    capa.refresh_from_db()
    assert capa.root_cause == {"method": "cause_categories",
                               "categories": {"process": "No second check"}}


@pytest.mark.parametrize("fields, message", [
    ({"rc_method": "five_whys", "why_1": "Why open?"}, "Why number 1 needs both"),
    ({"rc_method": "five_whys"}, "Five whys: write at least one why"),
    ({"rc_method": "cause_categories"}, "Cause categories: describe the cause"),
    ({"rc_method": "fishbone"}, "Select a valid choice"),
])
def test_root_cause_form_errors_are_field_errors(admin_client, world, fields, message):
    capa = fixture(f.capa, world["org_a"], world["users"]["security_manager__org"])
    response = admin_client.post(f"/audits/corrective-actions/{capa.pk}/edit/",
                                 capa_form(world, capa, **fields))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["rc_method"])
    capa.refresh_from_db()
    assert capa.root_cause == {}


@pytest.mark.parametrize("value, message", [
    ({"method": "five_whys", "whys": [{"why": "Why open?"}]}, "Why number 1 needs both"),
    ({"method": "fishbone"}, '"method" must be "five_whys" or "cause_categories"'),
    ({"method": "cause_categories", "categories": {"weather": "rain"}},
     "Unknown cause categories: weather"),
    ("five whys", "Give an object such as"),
])
def test_root_cause_api_keeps_json_with_the_same_rule(admin_client, world, value, message):
    capa = fixture(f.capa, world["org_a"], world["users"]["security_manager__org"])
    url = f"/api/audits/corrective-actions/{capa.pk}/"
    response = admin_client.patch(url, data=json.dumps({"root_cause": value,
                                                        "version": capa.version}),
                                  content_type="application/json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"]["root_cause"])
    good = {"method": "cause_categories", "categories": {"process": "No second check"}}
    response = admin_client.patch(url, data=json.dumps({"root_cause": good,
                                                        "version": capa.version}),
                                  content_type="application/json")
    assert response.status_code == 200
    assert admin_client.get(url).json()["root_cause"] == good


# --- CAPA workflow and verification ---------------------------------------------------------
def capa_with_steps_done(world, owner_key="security_manager__org"):
    admin = world["users"]["administrator__org"]
    owner = world["users"][owner_key]
    capa = fixture(f.capa, world["org_a"], owner, "Seal log gaps", site=world["s1"],
                   containment_action="Seal log re-issued at gate 2")
    services.advance_corrective_action(admin, capa, "containment")
    capa.root_cause = {"method": "five_whys", "whys": [
        {"why": "Why was the log empty?", "answer": "Night shift had no form."}]}
    fixture(capa.save)
    services.advance_corrective_action(admin, capa, "root_cause_analysed")
    with pytest.raises(ValidationError):
        services.advance_corrective_action(admin, capa, "actions_planned")  # no step yet
    step = fixture(f.step, capa, owner, "Print forms for every shift")
    services.advance_corrective_action(admin, capa, "actions_planned")
    with pytest.raises(ValidationError):
        services.advance_corrective_action(admin, capa, "actions_done")  # step not done
    with pytest.raises(ValidationError) as early:
        services.verify_corrective_action(world["users"]["internal_auditor__org"], capa,
                                          effective=True)
    assert "Only a corrective action whose actions are all done" in str(early.value)
    step.done_on = f.days(0)
    fixture(step.save)
    services.advance_corrective_action(admin, capa, "actions_done")
    return capa


def test_owner_cannot_verify_another_authorised_user_closes_it(client, world):
    capa = capa_with_steps_done(world)
    owner = world["users"]["security_manager__org"]
    with pytest.raises(PermissionDenied, match="The owner of a corrective action cannot verify"):
        services.verify_corrective_action(owner, capa, effective=True)
    client.force_login(owner)
    page = client.post(f"/audits/corrective-actions/{capa.pk}/verify/",
                       {"effective": "yes"}, follow=True).content.decode()
    assert "The owner of a corrective action cannot verify its effectiveness" in page
    response = client.post(f"/api/audits/corrective-actions/{capa.pk}/verify/",
                           {"effective": True}, content_type="application/json")
    assert response.status_code == 403 and "owner" in response.json()["detail"]
    capa.refresh_from_db()
    assert capa.status == "actions_done"
    with pytest.raises(PermissionDenied, match="You may not verify"):
        services.verify_corrective_action(world["users"]["viewer__org"], capa, effective=True)
    auditor = world["users"]["internal_auditor__org"]
    client.force_login(auditor)
    response = client.post(f"/audits/corrective-actions/{capa.pk}/verify/",
                           {"effective": "yes", "notes": "Logs complete for 4 weeks."})
    assert response.status_code == 302
    capa.refresh_from_db()
    assert (capa.status, capa.verified_by, capa.verified_on) == ("closed", auditor, f.days(0))
    assert LedgerEntry.objects.filter(action="verify", object_id=str(capa.pk)).count() == 1


def test_ineffective_verification_reopens_and_the_ledger_keeps_it(client, world):
    capa = capa_with_steps_done(world)
    auditor = world["users"]["internal_auditor__org"]
    with pytest.raises(ValidationError, match="Say why"):
        services.verify_corrective_action(auditor, capa, effective=False)
    client.force_login(auditor)
    response = client.post(f"/api/audits/corrective-actions/{capa.pk}/verify/",
                           {"effective": False, "notes": "Gate 3 log still empty."},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "actions_planned"
    capa.refresh_from_db()
    assert (capa.status, capa.reopen_count, capa.verified_by) == ("actions_planned", 1, None)
    entry = LedgerEntry.objects.get(action="verify", object_id=str(capa.pk))
    assert entry.after == {"effective": False, "notes": "Gate 3 log still empty.",
                           "reopen_count": 1}


def test_my_work_lists_open_capas_and_steps_overdue_first(client, world):
    owner = world["users"]["site_security_officer__site"]
    later = fixture(f.capa, world["org_a"], owner, "Due later", site=world["s1"],
                    due_date=f.days(10))
    late = fixture(f.capa, world["org_a"], owner, "Overdue one", site=world["s1"],
                   due_date=f.days(-3))
    fixture(f.capa, world["org_a"], owner, "Closed one", site=world["s1"], due_date=f.days(-9),
            status="closed")
    fixture(f.step, later, owner, "Overdue step", due_date=f.days(-1))
    client.force_login(owner)
    page = client.get("/audits/my-work/").content.decode()
    assert page.index("Overdue one") < page.index("Due later")
    assert "Closed one" not in page and "Overdue step" in page
    assert late.get_absolute_url() in page
    home = client.get("/").content.decode()
    assert "Corrective actions overdue" in home
    assert "/audits/my-work/" in home and "2 overdue item(s)" in home  # one CAPA, one step


def test_a_nonconformity_recorded_without_anybody_goes_to_the_security_manager(world):
    audit = fixture(f.audit, world["org_a"], "Scripted", sites=[world["s1"], world["s2"]])
    finding = fixture(f.finding, audit, "Scripted major", grade="major")
    capa = CorrectiveAction.objects.get(finding=finding)
    assert capa.owner == world["users"]["security_manager__org"]
    assert capa.site is None  # two sites audited, none named: organisation-wide
    assert LedgerEntry.objects.filter(object_type="audits.correctiveaction",
                                      object_id=str(capa.pk), action="create").exists()


def test_a_closed_audits_checklist_cannot_change_through_the_form_or_the_api(admin_client,
                                                                              world):
    audit = fixture(f.audit, world["org_a"], "Closed", sites=[world["s1"]])
    row = fixture(f.item, audit, "Seals checked?", result="conforming")
    with fixture_writes(Audit):
        Audit.objects.filter(pk=audit.pk).update(status="closed")
    response = admin_client.post(f"/audits/checklist-items/{row.pk}/edit/", {
        "audit": audit.pk, "question": "Seals checked?", "order": 0,
        "result": "nonconforming", "notes": "changed later", "version": row.version})
    assert response.status_code == 400
    assert "The audit is closed; its checklist is final." in response.content.decode()
    response = admin_client.patch(f"/api/audits/checklist-items/{row.pk}/",
                                  {"result": "nonconforming", "version": row.version},
                                  content_type="application/json")
    assert response.status_code == 400, response.content
    assert "closed" in response.content.decode()
    row.refresh_from_db()
    assert (row.result, row.notes) == ("conforming", "")


def test_a_reported_audit_offers_no_checklist_generation(admin_client, world):
    framework = tiny_framework("rep")
    audit = fixture(f.audit, world["org_a"], "Reported", sites=[world["s2"]])
    audit.criteria.set([framework])
    with fixture_writes(Audit):
        Audit.objects.filter(pk=audit.pk).update(status="reported")
    page = admin_client.get(f"/audits/audits/{audit.pk}/").content.decode()
    assert "Generate checklist" not in page
    response = admin_client.post(f"/audits/audits/{audit.pk}/generate-checklist/", follow=True)
    assert "its checklist was the basis of the report" in response.content.decode()
    assert audit.checklist.count() == 0
