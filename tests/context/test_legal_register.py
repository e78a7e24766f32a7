"""The legal and other requirements register (ISO 28000 4.2.2) and its compliance evaluation
(9.1) through every path that writes (service, UI form, API, import): the evaluation schedule,
the actions a short result needs, a change in the requirement making an evaluation due, the
site officer's evaluation at their own site only, and the dashboard card.

Expected dates are worked out by hand from the interval (12 months after 31 March 2025 is
31 March 2026; 6 months after 31 August 2025 is 28 February 2026)."""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chainward.audits.models import CorrectiveAction
from chainward.context import services
from chainward.context.models import ComplianceEvaluation
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context

from . import factories as f


def _setup(func):
    with actor_context(None, name="fixture"):
        return func()


def api_post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def manager(world):
    return world["users"]["security_manager__org"]


@pytest.fixture
def customs_rules(world, manager):
    """An obligation evaluated every 12 months, applying to S1 and S2."""
    def make():
        obligation = f.obligation(world["org_a"], manager, "AEO security criteria",
                                  evaluation_interval_months=12)
        obligation.sites.add(world["s1"], world["s2"])
        return obligation
    return _setup(make)


def evaluation_form(obligation, by, **extra):
    data = {"obligation": obligation.pk, "evaluated_on": "2025-03-31",
            "evaluated_by": by.pk, "result": "compliant",
            "evidence": "AEO monitoring report and seal log seen."}
    data.update(extra)
    return data


# --- the schedule ----------------------------------------------------------------------------
def test_a_new_obligation_is_due_for_evaluation_at_once(client, world, manager):
    client.force_login(manager)
    response = api_post(client, "/api/context/obligations/", {
        "title": "ADR security provisions", "kind": "law", "source": "ADR 2025",
        "article": "1.10", "summary": "Security plan for high-consequence dangerous goods.",
        "owner": manager.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["next_evaluation_due"] == timezone.localdate().isoformat()
    assert body["is_due"] is True
    assert body["last_result"] == ""


def test_an_evaluation_through_the_form_sets_the_next_due_date(client, world, manager,
                                                               customs_rules):
    client.force_login(manager)
    response = client.post("/context/evaluations/add/", evaluation_form(customs_rules, manager))
    assert response.status_code == 302, response.content.decode()[:2000]
    customs_rules.refresh_from_db()
    assert customs_rules.last_evaluated_on == datetime.date(2025, 3, 31)
    assert customs_rules.last_result == "compliant"
    assert customs_rules.next_evaluation_due == datetime.date(2026, 3, 31)


def test_an_evaluation_through_the_api_sets_the_next_due_date(client, world, manager,
                                                              customs_rules):
    client.force_login(manager)
    customs_rules.evaluation_interval_months = 6
    _setup(lambda: customs_rules.save())
    payload = evaluation_form(customs_rules, manager, evaluated_on="2025-08-31",
                              result="partly", actions="Retrain the night shift on seals.")
    response = api_post(client, "/api/context/evaluations/", payload)
    assert response.status_code == 201, response.content
    customs_rules.refresh_from_db()
    assert customs_rules.next_evaluation_due == datetime.date(2026, 2, 28)
    assert customs_rules.last_result == "partly"


def test_imported_evaluations_set_the_schedule(admin_client, world, manager, customs_rules,
                                               run_on_commit):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["obligation", "site", "evaluated_on", "evaluated_by", "result",
                     "evidence"])
    writer.writerow([customs_rules.reference, "S1", "2024-05-02", manager.email, "compliant",
                     "Audit report"])
    writer.writerow([customs_rules.reference, "S2", "2025-03-31", manager.email, "compliant",
                     "Monitoring visit"])
    upload = SimpleUploadedFile("evaluations.csv", buffer.getvalue().encode(),
                                content_type="text/csv")
    preview = admin_client.post("/context/evaluations/import/", {"file": upload})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    with run_on_commit():
        admin_client.post("/context/evaluations/import/",
                          {"token": preview.context["preview"].token})
    job = Job.objects.get(kind="import")
    assert job.status == "succeeded", job.result
    customs_rules.refresh_from_db()
    # the later of the two evaluations decides
    assert customs_rules.next_evaluation_due == datetime.date(2026, 3, 31)


def test_a_change_in_the_requirement_makes_an_evaluation_due_at_once(client, world, manager,
                                                                     customs_rules):
    _setup(lambda: services.record_evaluation(
        manager, customs_rules, evaluated_on=datetime.date(2025, 3, 31), evaluated_by=manager,
        result="compliant", evidence="Seen."))
    customs_rules.refresh_from_db()
    assert customs_rules.next_evaluation_due == datetime.date(2026, 3, 31)
    client.force_login(manager)
    response = client.patch(f"/api/context/obligations/{customs_rules.pk}/", data=json.dumps({
        "law_changed_on": "2025-06-01", "change_note": "Delegated act amended Art. 28.",
        "version": customs_rules.version}), content_type="application/json")
    assert response.status_code == 200, response.content
    customs_rules.refresh_from_db()
    assert customs_rules.next_evaluation_due == datetime.date(2025, 6, 1)
    assert customs_rules.is_due


# --- what a short result needs ----------------------------------------------------------------
def test_a_partly_compliant_result_needs_its_actions_on_every_path(client, world, manager,
                                                                   customs_rules):
    client.force_login(manager)
    data = evaluation_form(customs_rules, manager, result="partly")
    page = client.post("/context/evaluations/add/", data)
    assert page.status_code == 400  # the form again, with the field error
    assert "needs the actions that follow" in page.content.decode()
    api = api_post(client, "/api/context/evaluations/", data)
    assert api.status_code == 400
    assert "actions" in api.json()["errors"]
    with pytest.raises(ValidationError) as refused:
        services.record_evaluation(manager, customs_rules, evaluated_by=manager,
                                   result="partly", evidence="Seen.")
    assert "actions" in refused.value.message_dict
    assert not ComplianceEvaluation.objects.exists()


def test_an_imported_short_result_without_actions_is_a_row_error(admin_client, world, manager,
                                                                  customs_rules):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["obligation", "evaluated_on", "evaluated_by", "result", "evidence"])
    writer.writerow([customs_rules.reference, "2025-03-31", manager.email, "partly", "Seen"])
    upload = SimpleUploadedFile("evaluations.csv", buffer.getvalue().encode(),
                                content_type="text/csv")
    preview = admin_client.post("/context/evaluations/import/", {"file": upload})
    errors = preview.context["preview"].errors
    assert [(row, column) for row, column, _ in errors] == [(2, "actions")], errors
    assert "needs the actions that follow" in errors[0][2]
    assert not ComplianceEvaluation.objects.exists()


def test_a_non_compliance_needs_a_corrective_action(client, world, manager, customs_rules):
    client.force_login(manager)
    data = evaluation_form(customs_rules, manager, result="not_compliant",
                           actions="Fix the fence.")
    api = api_post(client, "/api/context/evaluations/", data)
    assert api.status_code == 400
    assert "corrective_action" in api.json()["errors"]
    capa = _setup(lambda: CorrectiveAction.objects.create(
        organisation=world["org_a"], title="Repair the fence", owner=manager,
        due_date=f.days(30), source="other"))
    api = api_post(client, "/api/context/evaluations/", {**data, "corrective_action": capa.pk})
    assert api.status_code == 201, api.content
    customs_rules.refresh_from_db()
    assert customs_rules.last_result == "not_compliant"


def test_an_evaluation_cannot_be_dated_in_the_future(client, world, manager, customs_rules):
    client.force_login(manager)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    api = api_post(client, "/api/context/evaluations/",
                   evaluation_form(customs_rules, manager, evaluated_on=tomorrow))
    assert api.status_code == 400
    assert "evaluated_on" in api.json()["errors"]


def test_an_evaluation_at_a_site_the_requirement_does_not_cover_is_refused(client, world,
                                                                          manager):
    only_s2 = _setup(lambda: f.obligation(world["org_a"], manager, "Dutch port rules"))
    _setup(lambda: only_s2.sites.add(world["s2"]))
    client.force_login(manager)
    api = api_post(client, "/api/context/evaluations/",
                   evaluation_form(only_s2, manager, site=world["s1"].pk))
    assert api.status_code == 400
    assert "site" in api.json()["errors"]


# --- who may evaluate where -------------------------------------------------------------------
def test_a_site_officer_evaluates_at_their_site_and_the_schedule_follows(client, world,
                                                                         customs_rules):
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    response = client.post("/context/evaluations/add/", evaluation_form(
        customs_rules, officer, site=world["s1"].pk, evaluated_on="2025-03-31"))
    assert response.status_code == 302, response.content.decode()[:2000]
    customs_rules.refresh_from_db()
    assert customs_rules.next_evaluation_due == datetime.date(2026, 3, 31)
    # ...but not at S2, and not for the whole organisation
    for site in (world["s2"].pk, ""):
        api = api_post(client, "/api/context/evaluations/", evaluation_form(
            customs_rules, officer, site=site, evaluated_on="2025-04-01"))
        assert api.status_code in (400, 403), api.content
    assert ComplianceEvaluation.objects.count() == 1
    # the officer may not edit the obligation itself
    with pytest.raises(PermissionDenied):
        from chainward.core.services import save_record

        customs_rules.title = "Changed"
        save_record(officer, customs_rules)


def test_due_evaluations_are_on_the_dashboard_and_my_work(client, world, manager,
                                                          customs_rules):
    done = _setup(lambda: f.obligation(world["org_a"], manager, "CCTV data protection"))
    _setup(lambda: services.record_evaluation(
        manager, done, evaluated_by=manager, result="compliant", evidence="DPIA seen."))
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert "Compliance evaluations due" in page
    assert customs_rules.reference in page
    assert done.reference not in page
    work = client.get("/audits/my-work/").content.decode()
    assert customs_rules.title in work
    listed = client.get("/context/obligations/?due=true").content.decode()
    assert customs_rules.get_absolute_url() in listed
    assert done.get_absolute_url() not in listed
