"""The seal register through every path that writes (service, pages, API, import): stock
received as numbered ranges, the life cycle in one service (issued, affixed, verified at
arrival, removed, broken, lost, destroyed), a wrong number or a broken seal at arrival opens
an incident at the arrival site, a seal's whole life on its page, reconciliation per site."""

import csv
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.access.models import Role, RoleAssignment, User
from chainward.fieldchecks import services
from chainward.fieldchecks.models import Seal, SealBatch, SealEvent
from chainward.incidents.models import Incident
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg

from . import factories as f

TODAY = f.ago(0).date().isoformat()


def fixture(func, *args, **kwargs):
    with actor_context(None, name="fixture"):
        return func(*args, **kwargs)


def api_post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def leg(world):
    return fixture(Leg.objects.create, organisation=world["org_a"], from_site=world["s1"],
                   to_site=world["s2"], mode="road")


@pytest.fixture
def arrival_officer(world):
    """A site security officer of S2 only (the arrival site of the leg)."""
    def build():
        user = User.objects.create_user("gate.s2@a.example", "x" * 20, full_name="Gate S2")
        assignment = RoleAssignment.objects.create(
            organisation=world["org_a"], user=user, all_sites=False,
            role=Role.objects.get(name="Site security officer"))
        assignment.sites.add(world["s2"])
        return user

    return fixture(build)


def receive(world, first=100, last=102, site="s1"):
    user = world["users"]["security_manager__org"]
    batch = SealBatch(organisation=world["org_a"], site=world[site], prefix="ABC",
                      first_number=first, last_number=last, digits=7)
    batch.full_clean()
    from chainward.core.services import save_record

    return save_record(user, batch)


def affix(world, leg, number="ABC0000100", container="MSKU 1234567"):
    officer = world["users"]["site_security_officer__site"]
    seal = Seal.objects.get(number=number)
    services.record_seal_event(officer, seal, "issued", issued_to=officer)
    services.record_seal_event(officer, seal, "affixed", container_number=container,
                               shipment_reference="SHP-1", leg=leg)
    seal.refresh_from_db()
    return seal


# --- stock ------------------------------------------------------------------------------------
def test_stock_received_through_the_form_puts_each_numbered_seal_in_stock(client, world):
    client.force_login(world["users"]["site_security_officer__site"])
    data = {"site": world["s1"].pk, "prefix": "ABC", "first_number": 100, "last_number": 102,
            "digits": 7, "seal_class": "H", "seal_type": "bolt", "received_on": TODAY}
    response = client.post("/fieldchecks/seal-stock/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Seal.objects.order_by("number").values_list("number", "status", "site")) == [
        ("ABC0000100", "in_stock", world["s1"].pk), ("ABC0000101", "in_stock", world["s1"].pk),
        ("ABC0000102", "in_stock", world["s1"].pk)]
    assert SealEvent.objects.filter(kind="received").count() == 3
    # An overlapping range is refused whole, in the form and the API.
    overlap = {**data, "first_number": 102, "last_number": 104}
    response = client.post("/fieldchecks/seal-stock/add/", overlap)
    assert response.status_code == 400
    assert "Already in the register: ABC0000102" in response.content.decode()
    response = api_post(client, "/api/fieldchecks/seal-stock/", overlap)
    assert response.status_code == 400
    assert Seal.objects.count() == 3 and SealBatch.objects.count() == 1
    response = api_post(client, "/api/fieldchecks/seal-stock/",
                        {**data, "first_number": 1, "last_number": 5000})
    assert response.status_code == 400 and "last_number" in response.json()["errors"]
    # Its numbers cannot change once the seals exist.
    batch = SealBatch.objects.get()
    response = client.post(f"/fieldchecks/seal-stock/{batch.pk}/edit/",
                           {**data, "last_number": 110, "version": batch.version})
    assert response.status_code == 400 and Seal.objects.count() == 3


def test_imported_stock_puts_its_seals_in_stock(admin_client, world, run_on_commit):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["site", "prefix", "first_number", "last_number", "seal_class"])
    writer.writerow(["S2", "XYZ", "1", "4", "H"])
    upload = SimpleUploadedFile("seals.csv", buffer.getvalue().encode(), content_type="text/csv")
    preview = admin_client.post("/fieldchecks/seal-stock/import/", {"file": upload})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    with run_on_commit():
        admin_client.post("/fieldchecks/seal-stock/import/",
                          {"token": preview.context["preview"].token})
    assert Job.objects.get(kind="import").status == "succeeded"
    assert sorted(Seal.objects.filter(site=world["s2"]).values_list("number", flat=True)) == [
        "XYZ0000001", "XYZ0000002", "XYZ0000003", "XYZ0000004"]


# --- life cycle -------------------------------------------------------------------------------
def test_a_seal_moves_only_along_its_life_cycle(client, world, leg):
    receive(world)
    officer = world["users"]["site_security_officer__site"]
    seal = Seal.objects.get(number="ABC0000101")
    with pytest.raises(ValidationError) as refused:
        services.record_seal_event(officer, seal, "verified", number_read="ABC0000101",
                                   view_ok=True, tug_ok=True, twist_ok=True, intact=True)
    assert "in stock cannot be verified at arrival" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        services.record_seal_event(officer, seal, "affixed", leg=leg)
    assert "container_number" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.record_seal_event(officer, seal, "lost")
    assert "reason" in refused.value.message_dict
    services.record_seal_event(officer, seal, "lost", reason="Dropped in the yard")
    seal.refresh_from_db()
    assert seal.status == "lost"
    with pytest.raises(ValidationError):
        services.record_seal_event(officer, seal, "affixed", container_number="X")
    # The status is read-only elsewhere: a PATCH leaves it where the service put it.
    client.force_login(world["users"]["security_manager__org"])
    response = client.patch(f"/api/fieldchecks/seals/{seal.pk}/",
                            data=json.dumps({"status": "in_stock", "notes": "found?",
                                             "version": seal.version}),
                            content_type="application/json")
    assert response.status_code == 200
    seal.refresh_from_db()
    assert seal.status == "lost" and seal.notes == "found?"
    # A site-limited officer cannot move a seal held at another site.
    receive(world, 200, 200, site="s2")
    other = Seal.objects.get(number="ABC0000200")
    with pytest.raises(PermissionDenied):
        services.record_seal_event(officer, other, "destroyed", reason="Damaged")


def test_a_seal_verified_with_a_different_number_at_the_next_site_opens_an_incident_ui(
        client, world, leg, arrival_officer):
    receive(world)
    client.force_login(world["users"]["site_security_officer__site"])
    seal = Seal.objects.get(number="ABC0000100")
    officer = world["users"]["site_security_officer__site"]
    response = client.post(f"/fieldchecks/seals/{seal.pk}/event/", {
        "kind": "issued", "issued_to": officer.pk})
    assert response.status_code == 302
    response = client.post(f"/fieldchecks/seals/{seal.pk}/event/", {
        "kind": "affixed", "container_number": "MSKU 1234567", "shipment_reference": "SHP-1",
        "leg": leg.pk})
    seal.refresh_from_db()
    assert seal.status == "affixed" and seal.destination == world["s2"]
    # At S2, the gate officer (who sees only S2) reads another number on the container.
    client.force_login(arrival_officer)
    page = client.get("/fieldchecks/seals/verify/")
    assert page.status_code == 200
    response = client.post("/fieldchecks/seals/verify/", {
        "site": world["s2"].pk, "container_number": "msku 1234567",
        "number_read": "ABC0000777", "view_ok": "yes", "tug_ok": "yes", "twist_ok": "yes",
        "intact": "yes"})
    assert response.status_code == 302
    seal.refresh_from_db()
    assert seal.status == "discrepancy"
    incident = Incident.objects.get()
    assert incident.site == world["s2"] and incident.leg == leg
    assert incident.incident_type == "seal_tampering" and \
        incident.modus_operandi == "seal_mismatch"
    assert incident.seal_numbers == "ABC0000100, ABC0000777"
    assert incident.vehicles == "MSKU 1234567" and incident.shipment_references == "SHP-1"
    event = seal.events.get(kind="verified")
    assert event.incident == incident and event.number_matches is False
    # The seal's whole life is on its page, for the arrival officer too.
    page = client.get(seal.get_absolute_url()).content.decode()
    for words in ("Received into stock", "Issued", "Affixed", "Verified at arrival",
                  "does not match", incident.reference):
        assert words in page


def test_a_seal_verified_with_a_different_number_opens_an_incident_api(
        client, world, leg, arrival_officer):
    receive(world)
    seal = affix(world, leg)
    client.force_login(arrival_officer)
    body = {"site": world["s2"].pk, "container_number": "MSKU 1234567",
            "number_read": "ABC0000999", "view_ok": True, "tug_ok": True, "twist_ok": True,
            "intact": True}
    response = api_post(client, "/api/fieldchecks/seals/verify/",
                        {**body, "container_number": "NOPE 0000000"})
    assert response.status_code == 400 and "container_number" in json.dumps(response.json())
    response = api_post(client, "/api/fieldchecks/seals/verify/", body)
    assert response.status_code == 201, response.content
    incident = Incident.objects.get()
    assert response.json()["incident"] == incident.pk
    assert response.json()["status"] == "discrepancy"
    assert incident.site == world["s2"] and "ABC0000999" in incident.seal_numbers
    # The per-seal action takes the same rule: a discrepancy cannot be verified again.
    response = api_post(client, f"/api/fieldchecks/seals/{seal.pk}/event/",
                        {"kind": "verified", **body})
    assert response.status_code == 400


def test_a_broken_seal_at_arrival_opens_an_incident_and_a_sound_one_does_not(
        world, leg, arrival_officer):
    receive(world)
    affix(world, leg, "ABC0000100", "CONT-A")
    affix(world, leg, "ABC0000101", "CONT-B")
    good = services.verify_on_arrival(
        arrival_officer, site=world["s2"], container_number="CONT-A", number_read="abc0000100",
        view_ok=True, tug_ok=True, twist_ok=True, intact=True)
    assert good.seal.status == "verified" and good.incident is None
    broken = services.verify_on_arrival(
        arrival_officer, site=world["s2"], container_number="CONT-B", number_read="ABC0000101",
        view_ok=True, tug_ok=False, twist_ok=True, intact=False, reason="Bolt cut")
    assert broken.seal.status == "discrepancy"
    assert broken.incident.modus_operandi == "seal_broken"
    assert Incident.objects.count() == 1


def test_reconciliation_counts_the_stock_of_the_sites_a_person_may_see(client, world, leg):
    receive(world)  # 3 at S1
    receive(world, 300, 301, site="s2")  # 2 at S2
    affix(world, leg)
    officer = world["users"]["site_security_officer__site"]
    services.record_seal_event(officer, Seal.objects.get(number="ABC0000102"), "destroyed",
                               reason="Damaged in delivery")
    client.force_login(world["users"]["security_manager__org"])
    sites = dict(client.get("/fieldchecks/seals/reconciliation/").context["sites"])
    s1, s2 = sites[world["s1"].pk], sites[world["s2"].pk]
    assert (s1["total"], s1["counts"]["in_stock"], s1["counts"]["affixed"],
            s1["counts"]["destroyed"]) == (3, 1, 1, 1)
    assert (s2["total"], s2["counts"]["in_stock"]) == (2, 2)
    client.force_login(officer)
    sites = dict(client.get("/fieldchecks/seals/reconciliation/").context["sites"])
    assert list(sites) == [world["s1"].pk]
