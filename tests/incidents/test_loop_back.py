"""ISO 28001 5.7 end to end: an incident at a site, recorded and triaged (through the API and
through the pages), marks the ratings of that site for review, prompts the re-assessment, and
appears in the next management-review pack; the pack counts only what the compiling person may
see."""

import datetime
import json

import pytest
from django.utils import timezone

from chainward.certification.models import ManagementReview
from chainward.certification.registers import ManagementReviewRegister
from chainward.incidents import services
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.risk.dashboard import reassessment_prompts
from chainward.risk.models import Rating, SecurityAssessment
from tests.risk import support as risk

from . import factories as f


@pytest.fixture
def assessed(world):
    """A completed assessment of S1 and S2 (ratings at each) and a draft re-assessment of S1
    with one rating, every rating reviewed."""
    risk.load_catalogues()
    manager = world["users"]["security_manager__org"]
    done = risk.assessment_at(world, "in", "Assessment 2026")
    with actor_context(None, name="fixture"):
        done.sites.add(world["s2"])
    theft = risk.threat(done, "TS-01")
    at_s1 = risk.rating(done, theft, site=world["s1"])
    at_s2 = risk.rating(done, theft, site=world["s2"])
    with actor_context(None, name="fixture"):
        done.status, done.completed_on = "completed", timezone.localdate() - \
            datetime.timedelta(days=30)
        done.save()
    draft = risk.assessment_at(world, "in", "Re-assessment 2027")
    draft_s1 = risk.rating(draft, risk.threat(draft, "TS-01"), site=world["s1"])
    with actor_context(None, name="fixture"):
        review = ManagementReview.objects.create(
            organisation=world["org_a"], title="Management review Q4", chair=manager,
            date=timezone.localdate() + datetime.timedelta(days=7))
    return {"completed": done, "at_s1": at_s1, "at_s2": at_s2, "draft_s1": draft_s1,
            "review": review}


def _api(client, method, url, payload=None):
    return getattr(client, method)(url, data=json.dumps(payload or {}),
                                   content_type="application/json")


def _incidents_section(snapshot):
    [section] = [s for s in snapshot["inputs"] if s["key"] == "incidents"]
    return section, {fig["key"]: fig["value"] for fig in section["figures"]}


def test_an_incident_at_a_site_marks_its_ratings_and_reaches_the_review_pack_via_the_api(
        client, world, assessed):
    officer = world["users"]["site_security_officer__site"]
    manager = world["users"]["security_manager__org"]
    client.force_login(officer)
    before = reassessment_prompts(manager, world["org_a"])
    response = _api(client, "post", "/api/incidents/incidents/", {
        "title": "Pilferage from a trailer in the yard", "incident_type": "pilferage",
        "modus_operandi": "forced_doors", "occurred_at": "2026-11-30T02:00:00Z",
        "site": world["s1"].pk, "location_type": "own_facility", "severity": 3,
        "loss_value": "12500.00", "currency": "EUR", "recovered_value": "2500.00"})
    assert response.status_code == 201, response.content
    incident_id = response.json()["id"]
    response = _api(client, "post", f"/api/incidents/incidents/{incident_id}/transition/",
                    {"to": "triaged"})
    assert response.status_code == 200, response.content
    body = response.json()
    # The ratings of S1 — in the completed assessment and in the draft — not the one at S2.
    marked = {assessed["at_s1"].pk, assessed["draft_s1"].pk}
    assert set(body["affected_ratings"]) == marked
    draft_rating, completed_rating = (Rating.objects.get(pk=assessed["draft_s1"].pk),
                                      Rating.objects.get(pk=assessed["at_s1"].pk))
    assert draft_rating.reviewed is False  # "to review" in the open assessment
    assert completed_rating.reviewed is True  # a completed assessment is a record
    entry = LedgerEntry.objects.filter(object_type="risk.rating",
                                       object_id=str(draft_rating.pk)).order_by("-seq").first()
    assert entry.actor_name == officer.email and "ISO 28001 5.7" in entry.reason
    # The re-assessment prompt names the incident (for those who see it).
    reference = body["reference"]
    after = reassessment_prompts(manager, world["org_a"])
    assert [p for p in after if p not in before] == [
        f"Security incident {reference} since {assessed['completed'].reference} was "
        "completed: the ratings of the targets they touched are marked for review."]
    assert not any(reference in p for p in reassessment_prompts(
        world["users"]["viewer__org"], world["org_a"]))
    # The incident's page lists the marked ratings.
    page = client.get(f"/incidents/incidents/{incident_id}/").content.decode()
    assert assessed["at_s1"].reference in page and assessed["draft_s1"].reference in page
    # The next management review: compiled by the security manager through the API.
    client.force_login(manager)
    review = assessed["review"]
    register = ManagementReviewRegister
    response = _api(client, "post",
                    f"/api/certification/{register.url_prefix}/{review.pk}/compile/", {})
    assert response.status_code == 200, response.content
    section, figures = _incidents_section(response.json()["snapshot"])
    assert section["available"] is True
    assert figures["incidents"] == 1 and figures["open"] == 1
    assert figures["value_lost"] == "10,000.00 EUR"
    assert figures["ratings_marked"] == 2
    assert [row["text"] for row in section["rows"]] == [
        f"{reference} Pilferage from a trailer in the yard"]


def test_the_same_loop_through_the_pages_and_closing(client, world, assessed):
    """Recorded with the form, moved with the buttons; closing marks again (nothing new)."""
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    response = client.post("/incidents/incidents/add/", {
        "title": "Fence cut behind dock 4", "incident_type": "intrusion",
        "modus_operandi": "fence_breach", "occurred_at": "2026-11-29 23:10",
        "site": world["s1"].pk, "location_type": "own_facility", "currency": "EUR",
        "people_involved": "unknown", "severity": 2, "classification": "restricted"})
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = services.Incident.objects.get()
    for step in ("triaged", "under_investigation"):
        client.post(f"/incidents/incidents/{incident.pk}/transition/", {"to": step})
    investigation = incident.investigations.get()
    with actor_context(None, name="fixture"):
        investigation.summary = "Fence sensor switched off during works."
        investigation.save()
    client.post(f"/incidents/incidents/{incident.pk}/transition/", {"to": "closed"})
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert set(incident.affected_ratings.values_list("pk", flat=True)) == {
        assessed["at_s1"].pk, assessed["draft_s1"].pk}
    manager = world["users"]["security_manager__org"]
    client.force_login(manager)
    client.post(f"/certification/reviews/{assessed['review'].pk}/compile/")
    assessed["review"].refresh_from_db()
    _, figures = _incidents_section(assessed["review"].snapshot)
    assert figures["incidents"] == 1 and figures["closed"] == 1 and figures["open"] == 0


def test_a_scenario_narrows_the_marked_ratings(world, assessed):
    with actor_context(None, name="fixture"):
        other = risk.threat(SecurityAssessment.objects.get(pk=assessed["draft_s1"].assessment_id),
                            "TS-02")
    other_rating = risk.rating(other.assessment, other, site=world["s1"])
    incident = f.incident(world["org_a"], "Hijack attempt", site=world["s1"],
                          incident_type="hijacking", modus_operandi="fake_police",
                          threat_scenario=risk.scenario("TS-02"))
    marked = services.affected_ratings(incident)
    assert marked == [other_rating]


def test_a_partner_incident_marks_the_partners_ratings_only(world, assessed):
    draft = SecurityAssessment.objects.get(pk=assessed["draft_s1"].assessment_id)
    partner_rating = risk.rating(draft, assessed["draft_s1"].threat, partner=world["carrier_a"])
    with actor_context(None, name="fixture"):
        incident = f.incident(world["org_a"], "Fictitious pickup", partner=world["carrier_a"],
                              incident_type="fictitious_pickup",
                              modus_operandi="identity_theft")
    assert services.affected_ratings(incident) == [partner_rating]
    # Partner-only incidents are seen by organisation-wide grants only.
    officer = world["users"]["site_security_officer__site"]
    assert not services.Incident.objects.restrict(officer, "view").filter(
        pk=incident.pk).exists()


def test_a_leg_incident_triaged_through_the_api_marks_the_legs_ratings(client, world,
                                                                        assessed):
    """Item 4 for a leg: the ratings of the leg (in the open re-assessment) are marked, not
    those of the sites at its ends; a site officer of one end may record and triage it."""
    leg = risk.leg(world, world["s2"], world["s1"])
    draft = SecurityAssessment.objects.get(pk=assessed["draft_s1"].assessment_id)
    on_leg = risk.rating(draft, assessed["draft_s1"].threat, leg=leg)
    client.force_login(world["users"]["site_security_officer__site"])
    response = _api(client, "post", "/api/incidents/incidents/", {
        "title": "Curtain slashed at a rest stop", "incident_type": "pilferage",
        "modus_operandi": "curtain_slashing", "occurred_at": "2026-11-28T03:00:00Z",
        "leg": leg.pk, "location_type": "parking_unsecured", "severity": 2})
    assert response.status_code == 201, response.content
    response = _api(client, "post",
                    f"/api/incidents/incidents/{response.json()['id']}/transition/",
                    {"to": "triaged"})
    assert response.status_code == 200, response.content
    assert response.json()["affected_ratings"] == [on_leg.pk]
    assert Rating.objects.get(pk=on_leg.pk).reviewed is False
    assert Rating.objects.get(pk=assessed["draft_s1"].pk).reviewed is True


def test_the_review_pack_counts_only_the_incidents_the_compiler_sees(world, assessed):
    from chainward.incidents.review_inputs import incidents as review_input

    with actor_context(None, name="fixture"):
        f.incident(world["org_a"], "At S1", site=world["s1"], loss_value=100)
        f.incident(world["org_a"], "At S2", site=world["s2"], loss_value=1000)
        f.incident(world["org_b"], "Elsewhere", site=world["s3"], loss_value=5)
    figures = {fig["key"]: fig["value"] for fig in review_input(
        world["org_a"], world["users"]["internal_auditor__site"])["figures"]}
    assert figures["incidents"] == 1 and figures["value_lost"] == "100.00 EUR"
    # A site-limited officer's view of the input: their site's incident only.
    officer = review_input(world["org_a"], world["users"]["site_security_officer__site"])
    assert [row["text"].split(" ", 1)[1] for row in officer["rows"]] == ["At S1"]
    figures = {fig["key"]: fig["value"] for fig in review_input(
        world["org_a"], world["users"]["security_manager__org"])["figures"]}
    assert figures["incidents"] == 2 and figures["value_lost"] == "1,100.00 EUR"
