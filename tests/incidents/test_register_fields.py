"""Issue 14 items 1 and 3, field by field: the register offers the issue's vocabulary (written
out here by hand from the issue, not read from the code), records every field the issue names
through the API and the form (restricted by default), and an investigation records its
timeline, the countermeasures that failed, the ratings realised and the lessons learned."""

import json

import pytest

from chainward.incidents.choices import (
    ContactKind,
    IncidentStatus,
    IncidentType,
    PeopleInvolved,
    Recipient,
)
from chainward.incidents.exercises.models import ExerciseType
from chainward.incidents.models import Incident, TimelineEntry
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg
from tests.risk import support as risk

from . import factories as f

# Issue 14 item 1, in its order.
ISSUE_TYPES = [
    "Cargo theft — full load",
    "Cargo theft — pilferage",
    "Theft from vehicle",
    "Hijacking",
    "Fictitious pickup / fraudulent carrier",
    "Seal or container tampering",
    "Smuggling / contraband / drugs found",
    "Stowaways / unauthorised persons",
    "Unauthorised access / intrusion",
    "Cyber incident affecting operations",
    "Violence / threat to staff",
    "Loss of security-sensitive information",
    "Near miss",
    "Other",
]
# Item 2: who must be told (the register may know more, e.g. internal management).
ISSUE_RECIPIENTS = {
    "Police",
    "Customs",
    "C-TPAT supply-chain security specialist",
    "AEO customs authority",
    "Insurer",
    "Cargo owner / customer",
    "Business partner",
    "TAPA incident information service",
}
# Item 8: the directory's kinds.
ISSUE_CONTACT_KINDS = {
    "Police",
    "Customs",
    "Port authority",
    "Insurer",
    "CBP / C-TPAT",
    "AEO customs authority",
    "Internal on-call",
}


def test_the_register_speaks_the_issues_vocabulary():
    assert [str(label) for label in IncidentType.labels] == ISSUE_TYPES
    assert ISSUE_RECIPIENTS <= {str(label) for label in Recipient.labels}
    assert ISSUE_CONTACT_KINDS <= {str(label) for label in ContactKind.labels}
    assert list(IncidentStatus.values) == ["reported", "triaged", "under_investigation", "closed"]
    assert {"internal", "partner", "unknown"} <= set(PeopleInvolved.values)
    assert list(ExerciseType.values) == ["tabletop", "drill", "full_scale"]


@pytest.fixture
def places(world):
    risk.load_catalogues()
    with actor_context(None, name="fixture"):
        leg = Leg.objects.create(
            organisation=world["org_a"], from_site=world["s2"], to_site=world["s1"], mode="road"
        )
    return {"leg": leg, "scenario": risk.scenario("TS-01")}


def _every_field(world, places):
    """Every field item 1 names (classification left out: restricted by default)."""
    return {
        "title": "Full trailer taken from the A7 rest stop",
        "incident_type": "theft_full_load",
        "modus_operandi": "trailer_stolen",
        "modus_operandi_detail": "Kingpin lock cut, trailer hooked to another tractor",
        "description": "The driver found the trailer gone after his rest.",
        "occurred_at": "2026-11-20T01:30:00Z",
        "discovered_at": "2026-11-20T05:45:00Z",
        "site": world["s1"].pk,
        "leg": places["leg"].pk,
        "partner": world["carrier_a"].pk,
        "location_type": "parking_unsecured",
        "location": "A7 rest stop Stuckenborstel",
        "country": "DE",
        "latitude": "53.123456",
        "longitude": "9.654321",
        "goods_category": world["goods_a"].pk,
        "quantity": "33 pallets",
        "loss_value": "184000.00",
        "currency": "USD",
        "recovered_value": "12000.00",
        "shipment_references": "SHP-4471, CMR 0099812",
        "seal_numbers": "DE-4471002",
        "vehicles": "Tractor HH-CW 402, trailer HH-CW 77",
        "people_involved": "partner",
        "severity": 4,
        "threat_scenario": places["scenario"].pk,
    }


def _stored(incident):
    return {
        "title": incident.title,
        "incident_type": incident.incident_type,
        "modus_operandi": incident.modus_operandi,
        "modus_operandi_detail": incident.modus_operandi_detail,
        "description": incident.description,
        "occurred_at": incident.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "discovered_at": incident.discovered_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "site": incident.site_id,
        "leg": incident.leg_id,
        "partner": incident.partner_id,
        "location_type": incident.location_type,
        "location": incident.location,
        "country": incident.country.code,
        "latitude": str(incident.latitude),
        "longitude": str(incident.longitude),
        "goods_category": incident.goods_category_id,
        "quantity": incident.quantity,
        "loss_value": str(incident.loss_value),
        "currency": incident.currency,
        "recovered_value": str(incident.recovered_value),
        "shipment_references": incident.shipment_references,
        "seal_numbers": incident.seal_numbers,
        "vehicles": incident.vehicles,
        "people_involved": incident.people_involved,
        "severity": incident.severity,
        "threat_scenario": incident.threat_scenario_id,
    }


def test_every_field_of_item_1_is_recorded_through_the_api(client, world, places):
    client.force_login(world["users"]["site_security_officer__site"])
    payload = _every_field(world, places)
    response = client.post(
        "/api/incidents/incidents/", data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["id"])
    assert _stored(incident) == payload
    assert (incident.classification, incident.status) == ("restricted", "reported")
    assert incident.net_loss == 172000
    body = client.get(f"/api/incidents/incidents/{incident.pk}/").json()
    assert body["classification"] == "restricted" and body["currency"] == "USD"
    assert body["modus_operandi_label"] == "Trailer or container stolen"


def test_every_field_of_item_1_is_recorded_through_the_form(client, world, places):
    client.force_login(world["users"]["site_security_officer__site"])
    add = client.get("/incidents/incidents/add/").content.decode()
    # Restricted is what the form offers first (the classification's default).
    assert '<option value="restricted" selected>' in add
    data = {
        **_every_field(world, places),
        "occurred_at": "2026-11-20 01:30",
        "discovered_at": "2026-11-20 05:45",
        "classification": "restricted",
    }
    response = client.post("/incidents/incidents/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    stored = _stored(incident)
    assert {k: v for k, v in stored.items() if not k.endswith("ed_at")} == {
        k: v for k, v in _every_field(world, places).items() if not k.endswith("ed_at")
    }
    page = client.get(incident.get_absolute_url()).content.decode()
    for shown in ("DE-4471002", "Tractor HH-CW 402", "SHP-4471", "33 pallets", "USD"):
        assert shown in page, shown


def test_an_investigation_records_timeline_failed_countermeasures_ratings_and_lessons(
    client, world
):
    """Item 3 through the API (the form writes the same register fields): the timeline of
    events, the countermeasures that failed or were missing, the ratings the incident realised
    and the lessons learned, shown on the incident's and the investigation's pages."""
    risk.load_catalogues()
    assessment = risk.assessment_at(world, "in")
    rating = risk.rating(assessment, risk.threat(assessment), site=world["s1"])
    fence = risk.countermeasure_at(world, "in")
    foreign = risk.countermeasure_at(world, "foreign")
    with actor_context(None, name="fixture"):
        incident = f.incident(
            world["org_a"],
            "Fence cut behind dock 4",
            site=world["s1"],
            incident_type="intrusion",
            modus_operandi="fence_breach",
        )
        investigation = f.investigation(incident)
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)

    def api(method, url, payload):
        return getattr(client, method)(
            url, data=json.dumps(payload), content_type="application/json"
        )

    response = api(
        "post",
        "/api/incidents/timeline/",
        {
            "incident": incident.pk,
            "at": "2026-11-29T23:10:00Z",
            "description": "Fence alarm silenced by the night shift",
        },
    )
    assert response.status_code == 201, response.content
    url = f"/api/incidents/investigations/{investigation.pk}/"
    # Another organisation's countermeasure is refused with a field error, not a 500.
    version = client.get(url).json()["version"]
    response = api("patch", url, {"failed_countermeasures": [foreign.pk], "version": version})
    assert response.status_code == 400
    assert "failed_countermeasures" in response.json()["errors"]
    response = api(
        "patch",
        url,
        {
            "summary": "The fence sensor was off during works.",
            "failed_countermeasures": [fence.pk],
            "realised_ratings": [rating.pk],
            "lessons_learned": "Works permits must name the alarm zones they switch off.",
            "version": version,
        },
    )
    assert response.status_code == 200, response.content
    investigation.refresh_from_db()
    assert list(investigation.failed_countermeasures.all()) == [fence]
    assert list(investigation.realised_ratings.all()) == [rating]
    assert investigation.lessons_learned.startswith("Works permits")
    [event] = TimelineEntry.objects.filter(incident=incident)
    assert event.site_id == world["s1"].pk  # placed where its incident is (scope path)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Fence alarm silenced by the night shift" in page
    page = client.get(investigation.get_absolute_url()).content.decode()
    for shown in (fence.title, rating.reference, "Works permits must name"):
        assert shown in page, shown
