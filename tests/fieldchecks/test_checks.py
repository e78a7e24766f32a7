"""Check templates and check runs through every path that writes (service, pages, API,
import): the C-TPAT catalogue checklists copied into the organisation's templates, own
templates built item by item, answers checked against their item's rule, photos checked by
content and kept in the run's scope, the position only with consent, the completing rule, and
the incident or corrective action a failed critical item opens with the run linked to it."""

import csv
import io
import json
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chainward.audits.models import CorrectiveAction
from chainward.documents.services import evidence_of
from chainward.fieldchecks import services
from chainward.fieldchecks.models import CheckAnswer, CheckItem, CheckRun, CheckTemplate
from chainward.incidents.models import Incident
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.library import loader

from . import factories as f

CTPAT = Path(loader.__file__).parent.parent / "catalogs" / "ctpat-msc.yaml"
WHEN = f.ago(1).strftime("%Y-%m-%d %H:%M")


def fixture(func, *args, **kwargs):
    with actor_context(None, name="fixture"):
        return func(*args, **kwargs)


def api_post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def png(name="seal.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def trailer(world):
    """A 3-point template of organisation A: floor (critical), doors (critical, photo
    required), a non-critical temperature reading between 2 and 8 degrees."""
    org = world["org_a"]

    def build():
        template = f.template(org, "Reefer trailer check", on_critical_failure="incident",
                              incident_type="other")
        f.item(template, "Floor", order=1, critical=True)
        f.item(template, "Doors and locking bars", order=2, critical=True, photo_required=True)
        f.item(template, "Set temperature", order=3, answer_type="number", min_value=2,
               max_value=8)
        return template

    return fixture(build)


def items(template):
    return list(template.items.order_by("order"))


# --- templates --------------------------------------------------------------------------------
def test_the_17_point_catalogue_checklist_becomes_a_template_of_7_tractor_and_10_trailer_points(
        client, world):
    fixture(loader.load, CTPAT)
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/fieldchecks/catalogue/")
    assert page.status_code == 200
    entry = next(e for e, _, _ in page.context["rows"] if e.ref_id == "ctpat-tractor-trailer-17pt")
    response = client.post("/fieldchecks/catalogue/", {"entry": entry.pk})
    template = CheckTemplate.objects.get(organisation=world["org_a"])
    assert response.status_code == 302 and response.url == template.get_absolute_url()
    sections = list(template.items.order_by("order").values_list("section", flat=True))
    assert sections.count("Tractor") == 7 and sections.count("Trailer") == 10
    assert template.items.filter(critical=True, answer_type="pass_fail").count() == 17
    assert template.items.get(catalogue_ref="fuel_tanks").text == "Fuel tanks"
    client.post("/fieldchecks/catalogue/", {"entry": entry.pk})  # once only
    assert CheckTemplate.objects.count() == 1 and CheckItem.objects.count() == 17
    # Officers read the catalogue page but cannot copy a checklist (procedures are the
    # security manager's).
    client.force_login(world["users"]["site_security_officer__org"])
    assert client.post("/fieldchecks/catalogue/", {"entry": entry.pk}).status_code == 403


def test_an_own_template_is_built_item_by_item_without_json(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post("/fieldchecks/templates/add/", {
        "name": "Weekly CCTV test", "kind": "site", "on_critical_failure": "corrective_action",
        "incident_type": "other", "active": "on"})
    assert response.status_code == 302
    template = CheckTemplate.objects.get(name="Weekly CCTV test")
    add = client.get(f"/fieldchecks/items/add/?template={template.pk}")
    assert add.status_code == 200
    assert not [n for n, fld in add.context["form"].fields.items()
                if isinstance(fld, forms.JSONField)]
    good = {"template": template.pk, "section": "Cameras", "order": 1,
            "text": "Recording quality at gate 2", "answer_type": "choice",
            "options": "Good\nBlurred\nNo picture", "failing_options": "No picture",
            "critical": "on"}
    assert client.post("/fieldchecks/items/add/", good).status_code == 302
    # A failing option that is not an option is a field error, in the form and the API.
    bad = {**good, "failing_options": "Dark"}
    response = client.post("/fieldchecks/items/add/", bad)
    assert response.status_code == 400
    assert "Not among the options: Dark" in response.content.decode()
    response = api_post(client, "/api/fieldchecks/items/", bad)
    assert response.status_code == 400 and "failing_options" in response.json()["errors"]
    response = api_post(client, "/api/fieldchecks/items/", {
        **good, "answer_type": "number", "options": "", "failing_options": "",
        "text": "Days of recording kept", "min_value": "30", "max_value": "7"})
    assert response.status_code == 400 and "max_value" in response.json()["errors"]
    assert template.items.count() == 1


# --- runs -------------------------------------------------------------------------------------
def test_a_failed_critical_item_opens_an_incident_with_the_run_through_the_pages(
        client, world, trailer):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post("/fieldchecks/runs/add/", {
        "template": trailer.pk, "site": world["s1"].pk, "container_number": "DE-HH 4711",
        "seal_numbers": "ABC0000123", "shipment_reference": "SHP-77",
        "performed_at": WHEN})
    assert response.status_code == 302, response.content.decode()[:2000]
    run = CheckRun.objects.get()
    floor, doors, temperature = items(trailer)
    page = client.get(run.get_absolute_url())
    assert page.status_code == 200 and "Save and complete" in page.content.decode()
    data = {f"i{floor.pk}-outcome": "fail", f"i{floor.pk}-note": "Fresh welds in the floor",
            f"i{doors.pk}-outcome": "pass", f"i{doors.pk}-photo": png(),
            f"i{temperature.pk}-number": "5", "complete": "1"}
    client.post(f"/fieldchecks/runs/{run.pk}/answers/", data)
    run.refresh_from_db()
    assert run.status == "completed" and run.result == "critical"
    incident = run.incident
    assert incident.site == world["s1"] and incident.incident_type == "other"
    assert "Fresh welds in the floor" in incident.description
    assert incident.seal_numbers == "ABC0000123" and "DE-HH 4711" in incident.vehicles
    assert incident.timeline.get().description.startswith(f"Check run {run.reference}")
    manager = world["users"]["security_manager__org"]
    linked = evidence_of(manager, incident).get()
    assert linked.record == run
    assert CorrectiveAction.objects.count() == 0
    # A completed run is final: the page has no form, the edit and the API refuse.
    assert "Save and complete" not in client.get(run.get_absolute_url()).content.decode()
    response = client.post(f"{run.get_absolute_url()}edit/", {
        "template": trailer.pk, "site": world["s1"].pk, "container_number": "CHANGED",
        "performed_at": WHEN, "version": run.version})
    assert response.status_code == 400
    response = client.patch(f"/api/fieldchecks/runs/{run.pk}/",
                            data=json.dumps({"notes": "x", "version": run.version}),
                            content_type="application/json")
    assert response.status_code == 400
    response = api_post(client, f"/api/fieldchecks/runs/{run.pk}/answer/",
                        {"item": floor.pk, "outcome": "pass"})
    assert response.status_code == 400
    assert CheckAnswer.objects.get(item=floor).outcome == "fail"


def test_a_failed_critical_item_opens_a_corrective_action_through_the_api(
        client, world, trailer):
    fixture(lambda: setattr(trailer, "on_critical_failure", "corrective_action") or
            trailer.save())
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    response = api_post(client, "/api/fieldchecks/runs/", {
        "template": trailer.pk, "site": world["s1"].pk, "vehicle_registration": "HH-AB 123",
        "performed_at": f.ago(1).isoformat()})
    assert response.status_code == 201, response.content
    run = CheckRun.objects.get(pk=response.json()["id"])
    floor, doors, temperature = items(trailer)
    url = f"/api/fieldchecks/runs/{run.pk}/answer/"
    assert api_post(client, url, {"item": floor.pk, "outcome": "pass"}).status_code == 200
    # The doors need their photo: completing without it names the item.
    assert api_post(client, url, {"item": doors.pk, "outcome": "fail",
                                  "note": "Locking bar bent"}).status_code == 200
    assert api_post(client, url, {"item": temperature.pk, "number": "4"}).status_code == 200
    response = api_post(client, f"/api/fieldchecks/runs/{run.pk}/complete/", {})
    assert response.status_code == 400
    assert "Doors and locking bars" in json.dumps(response.json())
    response = client.post(url, {"item": doors.pk, "outcome": "fail",
                                 "note": "Locking bar bent", "photo": png("bar.png")})
    assert response.status_code == 200, response.content
    response = api_post(client, f"/api/fieldchecks/runs/{run.pk}/complete/", {})
    assert response.status_code == 200, response.content
    run.refresh_from_db()
    capa = run.corrective_action
    assert run.result == "critical" and run.incident is None
    assert capa.source == "inspection" and capa.site == world["s1"] and capa.owner == officer
    assert "Locking bar bent" in capa.description
    # A site-limited officer may not create organisation-wide evidence: the corrective action
    # names the run instead (decision recorded in services._link_evidence).
    assert run.reference in capa.description


def test_answers_follow_their_items_rule_and_only_critical_failures_open_anything(
        world, trailer):
    manager = world["users"]["security_manager__org"]
    run = fixture(f.run, trailer, world["s1"])
    floor, doors, temperature = items(trailer)
    services.set_answer(manager, run, floor, outcome="pass")
    services.set_answer(manager, run, doors, outcome="pass", photo=png())
    answer = services.set_answer(manager, run, temperature, number=9)
    assert answer.failed  # above the highest passing value (8)
    assert not services.set_answer(manager, run, temperature, number=8).failed
    answer = services.set_answer(manager, run, temperature, number=1.5)
    assert answer.failed
    with pytest.raises(ValidationError) as refused:
        services.set_answer(manager, run, floor, outcome="fail")  # a fail needs its note
    assert "note" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.set_answer(manager, run, floor, choice="Good")  # not a choice item
    services.complete_run(manager, run)
    assert run.result == "failed" and run.incident is None and run.corrective_action is None
    assert Incident.objects.count() == 0 and CorrectiveAction.objects.count() == 0


def test_a_photo_is_checked_by_content_and_served_only_within_the_runs_scope(
        client, world, trailer):
    manager = world["users"]["security_manager__org"]
    run = fixture(f.run, trailer, world["s1"])
    doors = items(trailer)[1]
    fake = SimpleUploadedFile("door.jpg", b"MZ\x90\x00 this is a program", "image/jpeg")
    with pytest.raises(ValidationError):
        services.set_answer(manager, run, doors, outcome="pass", photo=fake)
    text = SimpleUploadedFile("door.txt", b"just words", "text/plain")
    with pytest.raises(ValidationError) as refused:
        services.set_answer(manager, run, doors, outcome="pass", photo=text)
    assert "must be a PNG, JPEG, GIF or WebP image" in str(refused.value)
    client.force_login(manager)
    response = client.post(f"/api/fieldchecks/runs/{run.pk}/answer/", {
        "item": doors.pk, "outcome": "pass",
        "photo": SimpleUploadedFile("door.png", b"%PDF-1.4 not a png", "image/png")})
    assert response.status_code == 400
    assert not CheckAnswer.objects.exists()
    answer = services.set_answer(manager, run, doors, outcome="pass", photo=png("door.png"))
    assert answer.photo_type == "image/png" and len(answer.photo_sha256) == 64
    url = f"/fieldchecks/answers/{answer.pk}/photo/"
    client.force_login(world["users"]["site_security_officer__site"])
    assert client.get(url).status_code == 200
    other = fixture(f.run, trailer, world["s2"])
    other_answer = services.set_answer(manager, other, doors, outcome="pass", photo=png())
    assert client.get(f"/fieldchecks/answers/{other_answer.pk}/photo/").status_code == 404


def test_the_position_is_kept_only_with_consent_and_its_accuracy(client, world, trailer):
    client.force_login(world["users"]["site_security_officer__site"])
    data = {"template": trailer.pk, "site": world["s1"].pk, "performed_at": WHEN,
            "latitude": "53.5511", "longitude": "9.9937", "location_accuracy": "12"}
    response = client.post("/fieldchecks/runs/add/", data)
    assert response.status_code == 400
    assert "only with the inspector&#x27;s consent" in response.content.decode()
    response = api_post(client, "/api/fieldchecks/runs/", {
        **data, "performed_at": f.ago(1).isoformat(), "location_consent": True,
        "location_accuracy": None})
    assert response.status_code == 400 and "location_accuracy" in response.json()["errors"]
    response = client.post("/fieldchecks/runs/add/", {**data, "location_consent": "on"})
    assert response.status_code == 302
    run = CheckRun.objects.get()
    assert run.location_consent and str(run.location_accuracy) == "12.0"


def test_a_site_limited_officer_cannot_answer_a_run_at_another_site(world, trailer):
    run = fixture(f.run, trailer, world["s2"])
    officer = world["users"]["site_security_officer__site"]
    with pytest.raises(PermissionDenied):
        services.set_answer(officer, run, items(trailer)[0], outcome="pass")
    with pytest.raises(PermissionDenied):
        services.complete_run(officer, run)


def test_imported_runs_obey_the_same_rules(admin_client, world, trailer, run_on_commit):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["template", "site", "performed_at", "container_number", "latitude",
                     "longitude", "location_accuracy", "location_consent"])
    writer.writerow([trailer.name, "S1", WHEN, "MSKU 1234567", "", "", "", ""])
    writer.writerow([trailer.name, "S2", WHEN, "TGHU 7654321", "51.9", "4.1", "8", "false"])
    upload = SimpleUploadedFile("runs.csv", buffer.getvalue().encode(), content_type="text/csv")
    preview = admin_client.post("/fieldchecks/runs/import/", {"file": upload})
    assert preview.status_code == 400  # row 3 is refused, with the reason
    assert "only with the inspector&#x27;s consent" in preview.content.decode()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["template", "site", "performed_at", "container_number"])
    writer.writerow([trailer.name, "S1", WHEN, "MSKU 1234567"])
    upload = SimpleUploadedFile("runs.csv", buffer.getvalue().encode(), content_type="text/csv")
    preview = admin_client.post("/fieldchecks/runs/import/", {"file": upload})
    with run_on_commit():
        admin_client.post("/fieldchecks/runs/import/",
                          {"token": preview.context["preview"].token})
    assert Job.objects.get(kind="import").status == "succeeded"
    run = CheckRun.objects.get()
    assert run.status == "draft" and run.site == world["s1"]
