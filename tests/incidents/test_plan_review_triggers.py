"""ISO 28001 5.7, issue 14 item 4: an incident triaged or closed at a site, leg or partner a
security plan covers marks the plan for review — on the plan's page and through the API, after
an incident recorded and moved through the pages or through the API; incidents merely reported,
elsewhere, or from before the plan's latest version do not; each reader sees only the incidents
they may see.

The plan here covers S1 (its site), the S1→S2 leg (assessment scope) and Nordic Trucking (a
rating); S2 is not covered."""

import json

import pytest

from chainward.incidents import services
from chainward.incidents.models import Incident
from chainward.ledger.context import actor_context
from chainward.plans import security_plan
from chainward.plans.review_triggers import review_triggers
from chainward.supplychain.models import Leg
from tests.plans.test_security_plan import completed_assessment
from tests.risk import support

from . import factories as f


@pytest.fixture
def plan(world):
    support.load_catalogues()
    assessment = completed_assessment(world, sites=("s1",))
    version = security_plan.generate_version(world["users"]["security_manager__org"],
                                             assessment)
    return version.plan


def _api(client, url, payload=None):
    return client.post(url, data=json.dumps(payload or {}), content_type="application/json")


def _state(client, plan):
    response = client.get(f"/api/plans/security-plans/{plan.pk}/review-triggers/")
    assert response.status_code == 200, response.content
    return response.json()


def test_an_incident_triaged_through_the_api_marks_the_plan_for_review(client, world, plan):
    officer = world["users"]["site_security_officer__site"]  # S1
    manager = world["users"]["security_manager__org"]
    client.force_login(officer)
    assert _state(client, plan)["due"] is False
    response = _api(client, "/api/incidents/incidents/", {
        "title": "Curtain slashed in the yard", "incident_type": "pilferage",
        "modus_operandi": "curtain_slashing", "occurred_at": "2026-11-30T02:00:00Z",
        "site": world["s1"].pk, "location_type": "own_facility", "severity": 3})
    assert response.status_code == 201, response.content
    reference, pk = response.json()["reference"], response.json()["id"]
    assert _state(client, plan)["due"] is False  # reported only: not yet triaged
    response = _api(client, f"/api/incidents/incidents/{pk}/transition/", {"to": "triaged"})
    assert response.status_code == 200, response.content
    state = _state(client, plan)
    assert state["due"] is True and len(state["triggers"]) == 1
    assert state["triggers"][0].startswith(f"Security incident {reference} triaged or closed "
                                           "at a site, leg or partner this plan covers")
    client.force_login(manager)
    assert _state(client, plan)["triggers"] == state["triggers"]
    # The same answer as the service the page uses.
    assert review_triggers(manager, plan) == state["triggers"]


def test_the_pages_record_close_and_show_the_trigger(client, world, plan):
    manager = world["users"]["security_manager__org"]
    client.force_login(manager)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "no trigger since v1" in page
    response = client.post("/incidents/incidents/add/", {
        "title": "Fictitious pickup with a cloned carrier identity",
        "incident_type": "fictitious_pickup", "modus_operandi": "identity_theft",
        "occurred_at": "2026-11-29 23:10", "partner": world["carrier_a"].pk,
        "location_type": "own_facility", "location": "Gate 2", "currency": "EUR",
        "people_involved": "unknown", "severity": 2, "classification": "restricted"})
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    for step in ("triaged", "under_investigation"):
        client.post(f"/incidents/incidents/{incident.pk}/transition/", {"to": step})
    with actor_context(None, name="fixture"):
        investigation = incident.investigations.get()
        investigation.summary = "The driver's papers were forged; the call-back caught it."
        investigation.save()
    client.post(f"/incidents/incidents/{incident.pk}/transition/", {"to": "closed"})
    incident.refresh_from_db()
    assert incident.status == "closed"
    page = client.get(plan.get_absolute_url()).content.decode()
    start = page.index('id="plan-review-triggers"')
    section = page[start:page.index("</div>", start)]
    assert "due" in section and f"Security incident {incident.reference} triaged" in section
    # Partner incidents are seen by organisation-wide grants only: the S1 officer reads the
    # plan without the trigger (nor the incident's reference).
    client.force_login(world["users"]["site_security_officer__site"])
    page = client.get(plan.get_absolute_url()).content.decode()
    assert incident.reference not in page and "no trigger since v1" in page


def test_only_triaged_or_closed_incidents_at_what_the_plan_covers_count(world, plan):
    org, manager = world["org_a"], world["users"]["security_manager__org"]
    leg = Leg.objects.get(organisation=org, from_site=world["s1"], to_site=world["s2"])
    with actor_context(None, name="fixture"):
        at_s2 = f.incident(org, "At S2 (not covered)", site=world["s2"])
        reported = f.incident(org, "At S1, only reported", site=world["s1"])
        on_leg = f.incident(org, "On the S1-S2 leg", leg=leg)
        elsewhere = f.incident(world["org_b"], "Other organisation", site=world["s3"])
    for incident in (at_s2, on_leg):
        services.transition_incident(manager, incident, "triaged")
    with actor_context(None, name="fixture"):  # triaged in the other organisation
        elsewhere.status, elsewhere.triaged_on = "triaged", elsewhere.occurred_at.date().today()
        elsewhere.save()
    found = list(services.incidents_for_plan_review(
        manager, plan, plan.versions.get().generated_at))
    assert found == [on_leg]
    assert reported not in found


def test_a_version_generated_after_the_incident_is_not_marked(world):
    """The triggers count from the latest version: an incident triaged before the plan's
    version was generated is in it already."""
    support.load_catalogues()
    manager = world["users"]["security_manager__org"]
    assessment = completed_assessment(world, sites=("s1",))
    with actor_context(None, name="fixture"):
        before = f.incident(world["org_a"], "Before the plan", site=world["s1"])
    services.transition_incident(manager, before, "triaged")
    plan = security_plan.generate_version(manager, assessment).plan
    assert review_triggers(manager, plan) == []
    with actor_context(None, name="fixture"):
        after = f.incident(world["org_a"], "After the plan", site=world["s1"])
    services.transition_incident(manager, after, "triaged")
    [line] = review_triggers(manager, plan)
    assert after.reference in line and before.reference not in line
