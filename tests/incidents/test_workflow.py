"""The incident rules through every path that writes (service, UI, API, import): required
notifications from the organisation's deadlines, the status workflow, the closing rule, the
notified button, the structured root cause, the corrective action an investigation opens,
frozen closed incidents, the modus operandi per type, records following a moved incident."""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.audits.models import CorrectiveAction
from chainward.core.registry import get_register
from chainward.core.services import save_record
from chainward.incidents import services
from chainward.incidents.models import Incident, Investigation, Notification
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry

from . import factories as f

WHEN = "2026-11-20 22:40"


def _setup(func):
    with actor_context(None, name="fixture"):
        return func()


@pytest.fixture
def deadlines(world):
    """Police within 24 h of discovery for every type, the insurer within 48 h for thefts of a
    pilferage kind, and customs within 4 h for seal tampering."""
    org = world["org_a"]
    return _setup(lambda: [f.rule(org, "police", 24), f.rule(org, "insurer", 48,
                                                              incident_type="pilferage"),
                           f.rule(org, "customs", 4, incident_type="seal_tampering")])


def form(world, **extra):
    data = {"title": "Pilferage at the A2 rest stop", "incident_type": "pilferage",
            "modus_operandi": "curtain_slashing", "occurred_at": WHEN,
            "discovered_at": "2026-11-21 06:10", "site": world["s1"].pk,
            "location_type": "parking_unsecured", "currency": "EUR",
            "people_involved": "unknown", "severity": 3, "classification": "restricted"}
    data.update(extra)
    return data


def api_post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def _due(incident, hours):
    return incident.discovered_at + datetime.timedelta(hours=hours)


# --- required notifications ---------------------------------------------------------------------
def test_a_new_incident_gets_the_required_notifications_through_the_form(client, world,
                                                                         deadlines):
    client.force_login(world["users"]["site_security_officer__site"])
    response = client.post("/incidents/incidents/add/", form(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    found = {n.recipient: n.due_at for n in incident.notifications.all()}
    # pilferage: police (any type) and insurer (pilferage); not customs (seal tampering only)
    assert found == {"police": _due(incident, 24), "insurer": _due(incident, 48)}
    assert {n.site_id for n in incident.notifications.all()} == {world["s1"].pk}


def test_a_new_incident_gets_the_required_notifications_through_the_api(client, world,
                                                                        deadlines):
    client.force_login(world["users"]["contributor__site"])
    payload = form(world, incident_type="seal_tampering", modus_operandi="seal_mismatch",
                   discovered_at="2026-11-21T06:10:00Z", occurred_at="2026-11-20T22:40:00Z")
    response = api_post(client, "/api/incidents/incidents/", payload)
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["id"])
    assert {n.recipient: n.due_at for n in incident.notifications.all()} == {
        "police": _due(incident, 24), "customs": _due(incident, 4)}
    assert response.json()["status"] == "reported"


def test_imported_incidents_get_their_notifications(admin_client, world, deadlines,
                                                    run_on_commit):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["title", "incident_type", "modus_operandi", "occurred_at", "site",
                     "severity", "location_type"])
    writer.writerow(["Curtain cut on trailer", "pilferage", "curtain_slashing",
                     "2026-10-02 03:00", "S1", "2", "parking_unsecured"])
    writer.writerow(["Fence cut", "intrusion", "fence_breach", "2026-10-05 01:00", "S2", "3",
                     "own_facility"])
    upload = SimpleUploadedFile("incidents.csv", buffer.getvalue().encode(),
                                content_type="text/csv")
    preview = admin_client.post("/incidents/incidents/import/", {"file": upload})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    with run_on_commit():
        admin_client.post("/incidents/incidents/import/",
                          {"token": preview.context["preview"].token})
    job = Job.objects.get(kind="import")
    job.refresh_from_db()
    assert job.status == "succeeded", job.result
    cut, fence = Incident.objects.order_by("occurred_at")
    assert set(cut.notifications.values_list("recipient", flat=True)) == {"police", "insurer"}
    assert set(fence.notifications.values_list("recipient", flat=True)) == {"police"}
    assert fence.notifications.get().site_id == world["s2"].pk


def test_an_incident_in_the_wrong_modus_operandi_is_refused_everywhere(client, world):
    client.force_login(world["users"]["security_manager__org"])
    bad = form(world, incident_type="cyber", modus_operandi="curtain_slashing")
    response = client.post("/incidents/incidents/add/", bad)
    assert response.status_code == 400
    assert "not a modus operandi of cyber incident" in response.content.decode()
    response = api_post(client, "/api/incidents/incidents/", bad)
    assert response.status_code == 400
    assert "modus_operandi" in response.json()["errors"]
    assert not Incident.objects.exists()


def test_where_it_happened_is_required(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = api_post(client, "/api/incidents/incidents/", form(world, site=None))
    assert response.status_code == 400
    assert "Say where it happened" in json.dumps(response.json())


# --- status workflow --------------------------------------------------------------------------
@pytest.fixture
def incident(world):
    return _setup(lambda: f.incident(world["org_a"], "Seal mismatch", site=world["s1"],
                                     incident_type="seal_tampering",
                                     modus_operandi="seal_mismatch"))


def test_the_status_moves_one_step_at_a_time(world, incident):
    officer = world["users"]["site_security_officer__site"]
    with pytest.raises(ValidationError, match="cannot become closed"):
        services.transition_incident(officer, incident, "closed")
    services.transition_incident(officer, incident, "triaged")
    assert incident.triaged_on is not None
    services.transition_incident(officer, incident, "under_investigation")
    investigation = Investigation.objects.get(incident=incident)
    assert investigation.lead == officer and investigation.site_id == world["s1"].pk
    with pytest.raises(ValidationError, match="investigation summary"):
        services.transition_incident(officer, incident, "closed")
    investigation.summary = "Wrong seal applied at loading."
    with actor_context(None, name="fixture"):
        investigation.save()
    services.transition_incident(officer, incident, "closed")
    incident.refresh_from_db()
    investigation.refresh_from_db()
    assert incident.status == "closed" and incident.closed_on is not None
    assert investigation.completed_on == incident.closed_on


def test_a_site_officer_cannot_move_another_sites_incident(world):
    other = _setup(lambda: f.incident(world["org_a"], "At S2", site=world["s2"]))
    with pytest.raises(PermissionDenied):
        services.transition_incident(world["users"]["site_security_officer__site"], other,
                                     "triaged")
    other.refresh_from_db()
    assert other.status == "reported"


def test_the_buttons_and_the_api_apply_the_same_rules(client, world, incident):
    client.force_login(world["users"]["site_security_officer__site"])
    url = f"/incidents/incidents/{incident.pk}/transition/"
    response = client.post(url, {"to": "closed"}, follow=True)
    assert "cannot become closed" in response.content.decode()
    client.post(url, {"to": "triaged"})
    incident.refresh_from_db()
    assert incident.status == "triaged"
    api = f"/api/incidents/incidents/{incident.pk}/transition/"
    response = api_post(client, api, {"to": "closed"})
    assert response.status_code == 400 and "cannot become closed" in json.dumps(response.json())
    response = api_post(client, api, {"to": "under_investigation", "version": 1})
    assert response.status_code == 409
    response = api_post(client, api, {"to": "under_investigation"})
    assert response.status_code == 200 and response.json()["status"] == "under_investigation"
    response = api_post(client, api, {"to": "closed"})
    assert response.status_code == 400 and "investigation summary" in json.dumps(response.json())
    # Somebody else's site: not found, not moved.
    other = _setup(lambda: f.incident(world["org_a"], "At S2", site=world["s2"]))
    assert api_post(client, f"/api/incidents/incidents/{other.pk}/transition/",
                    {"to": "triaged"}).status_code == 404
    assert client.post(f"/incidents/incidents/{other.pk}/transition/",
                       {"to": "triaged"}).status_code == 404
    # Viewers see no incidents at all.
    client.force_login(world["users"]["viewer__org"])
    assert api_post(client, api, {"to": "closed"}).status_code == 404


def test_the_status_cannot_be_written_through_the_record_endpoints(client, world, incident):
    client.force_login(world["users"]["security_manager__org"])
    response = client.patch(f"/api/incidents/incidents/{incident.pk}/",
                            data=json.dumps({"status": "closed", "version": incident.version}),
                            content_type="application/json")
    incident.refresh_from_db()
    assert response.status_code == 200 and incident.status == "reported"


def test_a_closed_incident_is_final_in_the_form_and_the_api(client, world, incident):
    manager = world["users"]["security_manager__org"]
    services.transition_incident(manager, incident, "triaged")
    services.transition_incident(manager, incident, "under_investigation")
    investigation = incident.investigations.get()
    investigation.summary = "Done."
    with actor_context(None, name="fixture"):
        investigation.save()
    services.transition_incident(manager, incident, "closed")
    incident.refresh_from_db()
    client.force_login(manager)
    response = client.patch(f"/api/incidents/incidents/{incident.pk}/",
                            data=json.dumps({"title": "Rewritten", "version": incident.version}),
                            content_type="application/json")
    assert response.status_code == 400 and "closed" in json.dumps(response.json())
    from chainward.incidents.registers import IncidentRegister
    from tests.support.matrix import form_data

    data = form_data(incident, IncidentRegister.form_fields, title="Rewritten")
    assert client.post(f"/incidents/incidents/{incident.pk}/edit/", data).status_code == 400
    incident.refresh_from_db()
    assert incident.title == "Seal mismatch"


# --- notifications ------------------------------------------------------------------------------
def test_notified_now_records_who_and_their_reference(client, world, incident):
    note = _setup(lambda: f.notification(incident, "police", due_at=f.ago(hours=2)))
    client.force_login(world["users"]["site_security_officer__site"])
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "overdue" in page and "Notified now" in page
    client.post(f"/incidents/notifications/{note.pk}/sent/",
                {"reference_number": "PK42-2026-118"})
    note.refresh_from_db()
    assert note.notified_by == world["users"]["site_security_officer__site"]
    assert note.reference_number == "PK42-2026-118" and not note.is_overdue
    response = api_post(client, f"/api/incidents/notifications/{note.pk}/notified/", {})
    assert response.status_code == 400 and "Already notified" in json.dumps(response.json())


def test_notified_through_the_api(client, world, incident):
    note = _setup(lambda: f.notification(incident, "customs", due_at=f.ago(hours=1)))
    client.force_login(world["users"]["contributor__site"])
    response = api_post(client, f"/api/incidents/notifications/{note.pk}/notified/",
                        {"reference_number": "ZA-7"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reference_number"] == "ZA-7" and body["is_overdue"] is False
    assert body["notified_by"] == world["users"]["contributor__site"].pk


def test_overdue_notifications_show_on_the_list_dashboard_and_my_work(client, world, incident):
    late = _setup(lambda: f.notification(incident, "police", due_at=f.ago(hours=3)))
    _setup(lambda: f.notification(incident, "insurer", due_at=f.ago(-2)))
    elsewhere = _setup(lambda: f.notification(
        f.incident(world["org_a"], "At S2", site=world["s2"]), "police", due_at=f.ago(1)))
    client.force_login(world["users"]["site_security_officer__site"])
    listed = client.get("/incidents/notifications/", {"overdue": "true"}).content.decode()
    assert late.get_absolute_url() in listed and elsewhere.get_absolute_url() not in listed
    home = client.get("/").content.decode()
    assert "Incident notifications overdue" in home and late.reference in home
    assert elsewhere.reference not in home
    work = client.get("/audits/my-work/").content.decode()
    assert "Incident notifications to send" in work and "Police — " in work
    api = client.get("/api/incidents/notifications/", {"overdue": "true"}).json()
    assert [row["id"] for row in api["results"]] == [late.pk]


def test_a_notification_without_a_deadline_takes_the_organisations(world, incident, deadlines):
    note = _setup(lambda: f.notification(incident, "customs"))  # seal tampering: 4 h
    start = incident.discovered_at or incident.occurred_at
    assert note.due_at == start + datetime.timedelta(hours=4)


# --- investigation ------------------------------------------------------------------------------
def _investigating(world, incident, user=None):
    user = user or world["users"]["site_security_officer__site"]
    services.transition_incident(user, incident, "triaged")
    services.transition_incident(user, incident, "under_investigation")
    return incident.investigations.get()


def test_the_root_cause_is_entered_as_five_whys_not_json(client, world, incident):
    investigation = _investigating(world, incident)
    client.force_login(world["users"]["site_security_officer__site"])
    url = f"/incidents/investigations/{investigation.pk}/edit/"
    page = client.get(url).content.decode()
    assert "Why 1?" in page and "root_cause" not in page
    data = {"incident": incident.pk, "summary": "The seal list was not checked.",
            "started_on": "2026-11-21", "version": investigation.version,
            "rc_method": "five_whys", "why_1": "Why was the seal wrong?",
            "answer_1": "The driver took seals from the wrong box.",
            "why_2": "Why were there two boxes?", "answer_2": "No seal register at the dock."}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    investigation.refresh_from_db()
    assert investigation.root_cause == {"method": "five_whys", "whys": [
        {"why": "Why was the seal wrong?", "answer": "The driver took seals from the wrong box."},
        {"why": "Why were there two boxes?", "answer": "No seal register at the dock."}]}
    bad = {**data, "version": investigation.version, "answer_2": ""}
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "Why number 2 needs both" in response.content.decode()


def test_an_investigation_opens_one_corrective_action_ui_and_api(client, world, incident):
    investigation = _investigating(world, incident)
    with actor_context(None, name="fixture"):
        investigation.summary = "Wrong seal box."
        investigation.root_cause = {"method": "cause_categories",
                                    "categories": {"process": "No seal register."}}
        investigation.save()
    client.force_login(world["users"]["site_security_officer__site"])
    response = client.post(f"/incidents/investigations/{investigation.pk}/corrective-action/")
    capa = CorrectiveAction.objects.get()
    assert response.status_code == 302 and response.url == capa.get_absolute_url()
    assert capa.source == "incident" and capa.site == world["s1"]
    assert capa.root_cause == investigation.root_cause
    assert capa.owner == world["users"]["site_security_officer__site"]
    investigation.refresh_from_db()
    assert investigation.corrective_action == capa
    response = api_post(client,
                        f"/api/incidents/investigations/{investigation.pk}/corrective-action/",
                        {})
    assert response.status_code == 400 and "already open" in json.dumps(response.json())
    assert CorrectiveAction.objects.count() == 1


def test_the_api_opens_the_corrective_action(client, world, incident):
    investigation = _investigating(world, incident, world["users"]["security_manager__org"])
    client.force_login(world["users"]["contributor__site"])
    url = f"/api/incidents/investigations/{investigation.pk}/corrective-action/"
    response = api_post(client, url, {})
    assert response.status_code == 400 and "summary" in response.json()["errors"]
    with actor_context(None, name="fixture"):
        investigation.summary = "Gate check skipped."
        investigation.save()
    response = api_post(client, url, {"title": "Seal register at every dock",
                                      "due_date": "2027-01-31"})
    assert response.status_code == 201, response.content
    capa = CorrectiveAction.objects.get(pk=response.json()["corrective_action"])
    assert capa.title == "Seal register at every dock" and str(capa.due_date) == "2027-01-31"


# --- records follow their incident --------------------------------------------------------------
def test_records_follow_a_moved_incident_out_of_a_site_officers_reach(client, world, incident):
    note = _setup(lambda: f.notification(incident, "police"))
    event = _setup(lambda: f.event(incident, "Guard calls the police"))
    officer = world["users"]["site_security_officer__site"]
    assert Notification.objects.restrict(officer, "view").filter(pk=note.pk).exists()
    client.force_login(world["users"]["security_manager__org"])
    response = client.patch(f"/api/incidents/incidents/{incident.pk}/",
                            data=json.dumps({"site": world["s2"].pk,
                                             "version": incident.version}),
                            content_type="application/json")
    assert response.status_code == 200, response.content
    note.refresh_from_db()
    event.refresh_from_db()
    assert note.site_id == event.site_id == world["s2"].pk
    client.force_login(officer)
    assert client.get(note.get_absolute_url()).status_code == 404
    assert client.get(event.get_absolute_url()).status_code == 404


def test_a_leg_incident_is_at_both_ends_of_the_leg(world):
    from chainward.supplychain.models import Leg

    with actor_context(None, name="fixture"):
        leg = Leg.objects.create(organisation=world["org_a"], from_site=world["s2"],
                                 to_site=world["s1"], mode="road")
        on_leg = f.incident(world["org_a"], "Rest stop theft", leg=leg,
                            location_type="parking_unsecured")
        note = f.notification(on_leg, "police")
    assert (on_leg.route_from_id, on_leg.route_to_id) == (world["s2"].pk, world["s1"].pk)
    officer = world["users"]["site_security_officer__site"]
    assert Incident.objects.restrict(officer, "view").filter(pk=on_leg.pk).exists()
    assert Notification.objects.restrict(officer, "change").filter(pk=note.pk).exists()
    # ...and the officer of S1 may record one there before it exists (the add check).
    from chainward.core.scope import allows

    assert allows(officer, "add", Incident(organisation=world["org_a"], leg=leg))


# --- evidence (the existing evidence machinery) ---------------------------------------------------
def test_a_site_officer_attaches_a_cctv_extract_to_the_investigation(client, world, incident):
    from chainward.documents.models import Evidence

    investigation = _investigating(world, incident)
    with actor_context(None, name="fixture"):
        extract = Evidence.objects.create(organisation=world["org_a"], kind="note",
                                          title="CCTV extract gate 2, 06:10-06:40",
                                          description="Kept on the NVR export share.")
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    response = client.post(f"/documents/attach/incidents/investigation/{investigation.pk}/",
                           {"evidence": extract.reference})
    assert response.status_code == 302
    page = client.get(investigation.get_absolute_url()).content.decode()
    assert "CCTV extract gate 2" in page
    # Read-only people cannot attach; people of another site do not find the investigation.
    client.force_login(world["users"]["internal_auditor__org"])
    assert "CCTV extract gate 2" in client.get(investigation.get_absolute_url()).content.decode()
    other = _setup(lambda: f.investigation(f.incident(world["org_a"], "S2", site=world["s2"])))
    client.force_login(officer)
    assert client.post(f"/documents/attach/incidents/investigation/{other.pk}/",
                       {"evidence": extract.reference}).status_code == 404


# --- severity on the organisation's matrix (item 1) ------------------------------------------
def test_severity_is_a_level_of_the_organisations_consequence_scale_form_and_api(client,
                                                                                 world):
    from chainward.risk.models import RiskMatrix

    with actor_context(None, name="fixture"):
        RiskMatrix.objects.create(organisation=world["org_a"], name="Three levels",
                                  consequence_levels=[{"value": 1, "name": "Low"},
                                                      {"value": 2, "name": "Medium"},
                                                      {"value": 3, "name": "High"}])
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/incidents/incidents/add/").content.decode()
    assert '<option value="3">3 — High</option>' in page and 'value="4"' not in page.split(
        'id="id_severity"')[1].split("</select>")[0]
    response = client.post("/incidents/incidents/add/", form(world, severity=4))
    assert response.status_code == 400
    response = api_post(client, "/api/incidents/incidents/", form(world, severity=4))
    assert response.status_code == 400
    assert "consequence scale: 1, 2, 3" in json.dumps(response.json(), ensure_ascii=False)
    assert not Incident.objects.exists()
    response = api_post(client, "/api/incidents/incidents/", form(world, severity=3))
    assert response.status_code == 201, response.content


# --- an investigation is the incident's only one, and final once the incident is closed ------
def test_an_archived_investigation_is_restored_not_duplicated_api_and_buttons(client, world,
                                                                              incident):
    client.force_login(world["users"]["security_manager__org"])
    services.transition_incident(world["users"]["security_manager__org"], incident, "triaged")
    response = api_post(client, "/api/incidents/investigations/", {
        "incident": incident.pk, "summary": "Opened early by hand.", "root_cause": {},
        "started_on": "2026-11-21"})
    assert response.status_code == 201, response.content
    early = response.json()["id"]
    assert api_post(client, f"/api/incidents/investigations/{early}/archive/",
                    {}).status_code == 200
    api = f"/api/incidents/incidents/{incident.pk}/transition/"
    response = api_post(client, api, {"to": "under_investigation"})
    assert response.status_code == 400, response.content
    assert "restore it first" in json.dumps(response.json()) and "archived" in json.dumps(
        response.json())
    response = client.post(f"/incidents/incidents/{incident.pk}/transition/",
                           {"to": "under_investigation"}, follow=True)
    assert "archived" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "triaged" and Investigation.objects.count() == 1
    assert api_post(client, f"/api/incidents/investigations/{early}/restore/",
                    {}).status_code == 200
    assert api_post(client, api, {"to": "under_investigation"}).status_code == 200
    assert Investigation.objects.get().pk == early


def test_a_closed_incidents_investigation_is_final_form_and_api(client, world, incident):
    manager = world["users"]["security_manager__org"]
    investigation = _investigating(world, incident, manager)
    with actor_context(None, name="fixture"):
        investigation.summary = "Seal box mix-up at the dock."
        investigation.save()
    services.transition_incident(manager, incident, "closed")
    investigation.refresh_from_db()
    client.force_login(manager)
    response = client.patch(f"/api/incidents/investigations/{investigation.pk}/",
                            data=json.dumps({"summary": "", "version": investigation.version}),
                            content_type="application/json")
    assert response.status_code == 400 and "closed" in json.dumps(response.json())
    from chainward.incidents.registers import InvestigationRegister
    from tests.support.matrix import form_data

    data = form_data(investigation, InvestigationRegister.form_fields, summary="")
    response = client.post(f"/incidents/investigations/{investigation.pk}/edit/", data)
    assert response.status_code == 400 and "closed" in response.content.decode()
    investigation.refresh_from_db()
    assert investigation.summary == "Seal box mix-up at the dock."
    # A corrective action may still be opened from it (the service, not an edit).
    capa = services.open_corrective_action(manager, investigation)
    investigation.refresh_from_db()
    assert investigation.corrective_action == capa


def test_a_deadline_for_the_type_wins_over_the_organisations_general_one(client, world):
    """Deadlines are configurable per organisation and incident type (item 2): police within
    24 h of any incident, but within 6 h of a hijacking; org B's rules never apply to org A."""
    org = world["org_a"]
    _setup(lambda: [f.rule(org, "police", 24), f.rule(org, "police", 6,
                                                      incident_type="hijacking"),
                    f.rule(world["org_b"], "customs", 1)])
    client.force_login(world["users"]["security_manager__org"])
    hijack = form(world, title="Hijacked at the lights", incident_type="hijacking",
                  modus_operandi="violent_stop", discovered_at="2026-11-21T06:10:00Z",
                  occurred_at="2026-11-20T22:40:00Z")
    response = api_post(client, "/api/incidents/incidents/", hijack)
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["id"])
    assert {n.recipient: n.due_at for n in incident.notifications.all()} == {
        "police": _due(incident, 6)}
    assert client.post("/incidents/incidents/add/", form(world)).status_code == 302
    theft = Incident.objects.get(title="Pilferage at the A2 rest stop")
    assert {n.recipient: n.due_at for n in theft.notifications.all()} == {
        "police": _due(theft, 24)}


def test_deadlines_from_the_rules_follow_a_corrected_discovery_time_on_every_path(
        client, world, deadlines):
    """The police must be told within 24 h of discovery: when the discovery time is corrected
    (form or API), the deadlines that came from the rules and are not met yet move with it; a
    deadline set by hand, and a notification already sent, stay where they are."""
    client.force_login(world["users"]["site_security_officer__site"])
    assert client.post("/incidents/incidents/add/", form(world)).status_code == 302
    incident = Incident.objects.get()
    police = incident.notifications.get(recipient="police")
    insurer = incident.notifications.get(recipient="insurer")
    first = incident.discovered_at
    assert police.due_at == first + datetime.timedelta(hours=24)
    # The insurer's deadline is agreed by hand; then the police notification is sent.
    agreed = first + datetime.timedelta(hours=72)
    client.force_login(world["users"]["security_manager__org"])
    response = client.patch(f"/api/incidents/notifications/{insurer.pk}/", json.dumps(
        {"due_at": agreed.isoformat(), "version": insurer.version}),
        content_type="application/json")
    assert response.status_code == 200, response.content

    # Form: discovered five hours earlier than first recorded.
    incident.refresh_from_db()
    earlier = "2026-11-21 01:10"
    response = client.post(f"/incidents/incidents/{incident.pk}/edit/",
                           form(world, discovered_at=earlier, version=incident.version))
    assert response.status_code == 302, response.content.decode()[:2000]
    incident.refresh_from_db()
    assert incident.discovered_at == first - datetime.timedelta(hours=5)
    police.refresh_from_db()
    insurer.refresh_from_db()
    assert police.due_at == incident.discovered_at + datetime.timedelta(hours=24)
    assert insurer.due_at == agreed  # the person's deadline stays

    # API: corrected again, after the police were told: a met deadline is history.
    services.record_notification(world["users"]["security_manager__org"], police)
    told = Notification.objects.get(pk=police.pk).due_at
    response = client.patch(f"/api/incidents/incidents/{incident.pk}/", json.dumps(
        {"discovered_at": "2026-11-21T04:00:00Z", "version": incident.version}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert Notification.objects.get(pk=police.pk).due_at == told
    assert Notification.objects.get(pk=insurer.pk).due_at == agreed


def test_a_moved_deadline_is_in_the_ledger(world, deadlines):
    """The incident's write path (save, then the register's after-save rules, as the form, API
    and import run them) moves the deadline with one ledger entry naming the new time."""
    user = world["users"]["security_manager__org"]
    incident = _setup(lambda: f.incident(world["org_a"], site=world["s1"],
                                         discovered_at=f.ago(1)))
    services.add_required_notifications(user, incident)
    police = incident.notifications.get(recipient="police")
    incident.discovered_at -= datetime.timedelta(hours=3)
    save_record(user, incident)
    get_register("incidents.incident").after_save(user, incident, False)
    police.refresh_from_db()
    assert police.due_at == incident.discovered_at + datetime.timedelta(hours=24)
    entry = LedgerEntry.objects.filter(object_type="incidents.notification",
                                       object_id=str(police.pk)).order_by("-seq").first()
    assert entry is not None and "due_at" in (entry.after or {})
