"""The contact directory used by the notifications log (issue 14 items 2 and 8, ISO 28000 7.4):
a notification takes the directory's contact that reaches its recipient — the incident's site's
before the organisation's — on every path that creates one (form, API, the deadlines), and a
contact chosen by hand must reach the recipient and belong to the incident's site or to the
whole organisation (form and API alike)."""

import json

import pytest

from chainward.incidents.models import Incident, Notification
from chainward.ledger.context import actor_context

from . import factories as f


@pytest.fixture
def directory(world):
    """Police at S1, at S2 and for the whole organisation; the organisation's insurer; a
    customs office at S1; org B's police. Deadlines: police 24 h, insurer 48 h (pilferage)."""
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        found = {
            "police_s1": f.contact(org, "Polizeikommissariat 42", site=world["s1"],
                                   phone="+49 40 4286"),
            "police_s2": f.contact(org, "Politie Rotterdam", site=world["s2"]),
            "police_org": f.contact(org, "Police emergency line", phone="112"),
            "insurer": f.contact(org, "Hanseatic Cargo Insurance", kind="insurer",
                                 phone="+49 40 471"),
            "customs_s1": f.contact(org, "Zollamt Billbrook", kind="customs", site=world["s1"]),
            "foreign": f.contact(world["org_b"], "Police of org B"),
        }
        f.rule(org, "police", 24)
        f.rule(org, "insurer", 48, incident_type="pilferage")
    return found


def _post(client, url, payload, method="post"):
    return getattr(client, method)(url, data=json.dumps(payload),
                                   content_type="application/json")


def test_the_form_fills_the_required_notifications_with_the_sites_contacts(client, world,
                                                                          directory):
    client.force_login(world["users"]["site_security_officer__site"])
    response = client.post("/incidents/incidents/add/", {
        "title": "Curtain cut in the yard", "incident_type": "pilferage",
        "modus_operandi": "curtain_slashing", "occurred_at": "2026-11-20 22:40",
        "site": world["s1"].pk, "location_type": "own_facility", "currency": "EUR",
        "people_involved": "unknown", "severity": 3, "classification": "restricted"})
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    contacts = {n.recipient: n.contact for n in incident.notifications.all()}
    # S1's police before the organisation's line; the organisation's insurer (none at S1).
    assert contacts == {"police": directory["police_s1"], "insurer": directory["insurer"]}
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Polizeikommissariat 42 · +49 40 4286" in page


def test_the_api_fills_the_organisations_contact_where_the_site_has_none(client, world,
                                                                        directory):
    client.force_login(world["users"]["security_manager__org"])
    response = _post(client, "/api/incidents/incidents/", {
        "title": "Fictitious pickup with our carrier's name", "incident_type": "fictitious_pickup",
        "modus_operandi": "identity_theft", "occurred_at": "2026-11-20T10:00:00Z",
        "partner": world["carrier_a"].pk, "location_type": "other", "severity": 3})
    assert response.status_code == 201, response.content
    [police] = Notification.objects.filter(incident_id=response.json()["id"])
    # A partner-only incident is at no site: the organisation's police line, never a site's.
    assert police.recipient == "police" and police.contact == directory["police_org"]
    # A notification added by hand without a contact takes one too; a recipient the directory
    # cannot reach (a business partner) stays without.
    response = _post(client, "/api/incidents/notifications/", {
        "incident": police.incident_id, "recipient": "insurer"})
    assert response.status_code == 201, response.content
    assert response.json()["contact"] == directory["insurer"].pk
    response = _post(client, "/api/incidents/notifications/", {
        "incident": police.incident_id, "recipient": "partner"})
    assert response.status_code == 201 and response.json()["contact"] is None


def test_a_contact_chosen_by_hand_must_reach_the_recipient_form_and_api(client, world,
                                                                       directory):
    with actor_context(None, name="fixture"):
        incident = f.incident(world["org_a"], "Seal mismatch", site=world["s1"],
                              incident_type="seal_tampering", modus_operandi="seal_mismatch")
    client.force_login(world["users"]["security_manager__org"])
    # The insurer does not reach customs; S2's police is not where it happened.
    wrong = [(directory["insurer"], "does not reach the customs"),
             (directory["police_s2"], "where this incident did not happen")]
    for contact, message in wrong:
        recipient = "customs" if contact.kind == "insurer" else "police"
        response = _post(client, "/api/incidents/notifications/", {
            "incident": incident.pk, "recipient": recipient, "contact": contact.pk})
        assert response.status_code == 400, response.content
        assert message in json.dumps(response.json(), ensure_ascii=False)
        response = client.post("/incidents/notifications/add/", {
            "incident": incident.pk, "recipient": recipient, "contact": contact.pk})
        assert response.status_code == 400
        assert message in response.content.decode()
    # Another organisation's contact is not even offered.
    response = _post(client, "/api/incidents/notifications/", {
        "incident": incident.pk, "recipient": "police", "contact": directory["foreign"].pk})
    assert response.status_code == 400
    assert not Notification.objects.filter(incident=incident).exists()
    # The right ones are taken as given (customs at S1, by the form; the police line, by API).
    response = client.post("/incidents/notifications/add/", {
        "incident": incident.pk, "recipient": "customs", "contact": directory["customs_s1"].pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = _post(client, "/api/incidents/notifications/", {
        "incident": incident.pk, "recipient": "police", "contact": directory["police_org"].pk})
    assert response.status_code == 201, response.content
    assert {n.recipient: n.contact for n in incident.notifications.all()} == {
        "customs": directory["customs_s1"], "police": directory["police_org"]}


def test_an_incident_on_a_leg_takes_the_organisations_contact_not_an_ends(client, world,
                                                                         directory):
    from chainward.supplychain.models import Leg

    with actor_context(None, name="fixture"):
        leg = Leg.objects.create(organisation=world["org_a"], from_site=world["s2"],
                                 to_site=world["s1"], mode="road")
    client.force_login(world["users"]["site_security_officer__site"])  # S1, an end of the leg
    response = client.post("/incidents/incidents/add/", {
        "title": "Curtain cut at a rest stop", "incident_type": "pilferage",
        "modus_operandi": "curtain_slashing", "occurred_at": "2026-11-20 22:40", "leg": leg.pk,
        "location_type": "parking_unsecured", "currency": "EUR", "people_involved": "unknown",
        "severity": 3, "classification": "restricted"})
    assert response.status_code == 302, response.content.decode()[:2000]
    police = Notification.objects.get(recipient="police")
    assert police.contact == directory["police_org"]
    # Chosen by hand, the police of an end of the leg are accepted (where it was found).
    response = client.post(f"/incidents/notifications/{police.pk}/edit/", {
        "incident": police.incident_id, "recipient": "police", "contact":
        directory["police_s1"].pk, "version": police.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    police.refresh_from_db()
    assert police.contact == directory["police_s1"]
