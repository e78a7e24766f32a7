"""ISO 28001 5.3 — an assessment is complete only when every applicable threat scenario has been
rated against every in-scope target it can affect, or that scenario × target pair is marked "not
credible here" with a reason. The rule lives in `services.complete_assessment`: the UI button,
the API action and the service itself all refuse, naming each missing pair.

The scope of the fixture, written out by hand:
  sites S1, S2 · leg S1 → S2 · partner Nordic Trucking · processes "Transport management
  system" (organisation-wide) and "Dock scheduling" (runs at S2); "Bremen gate app" runs only at
  Bremen, which is not in the scope, so it is not a target.
  TS-02 pilferage affects nodes; TS-03 hijacking legs; TS-17 cyber attack processes; TS-22 money
  laundering partners (threats.yaml `targets`).
"""

import json

import pytest
from django.core.exceptions import ValidationError

from chainward.core.services import save_record
from chainward.ledger.context import actor_context
from chainward.risk import services
from chainward.risk.models import NotCredible, Rating, ThreatApplicability
from chainward.supplychain.models import Site
from tests.support.bulk import fixture_writes

from .support import assessment_at, leg, load_catalogues, not_credible, process, threat
from .test_workflow import consider_all, ready_rating

NEITHER = "neither rated nor marked not credible."
TS02 = "TS-02 Pilferage (partial theft from packages or units)"
TS03 = "TS-03 Cargo or truck hijacking (violent, in transit)"
TS17 = ("TS-17 Cyber attack on IT (ransomware, business email compromise / payment diversion, "
        "data breach)")
TS22 = "TS-22 Trade-based money laundering / terrorism financing"


@pytest.fixture
def scoped(world):
    load_catalogues()
    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="t"):
        bremen = Site.objects.create(organisation=world["org_a"], name="Bremen depot",
                                     code="S4", kind="warehouse", country="DE")
    route = leg(world, world["s1"], world["s2"])
    assessment = assessment_at(world, "in", "Completeness")
    assessment.sites.set([world["s1"], world["s2"]])
    assessment.legs.set([route])
    assessment.partners.set([world["carrier_a"]])
    consider_all(assessment)
    return {
        "manager": manager, "assessment": assessment, "leg": route, "bremen": bremen,
        "tms": process(world["org_a"], "Transport management system", manager),
        "docks": process(world["org_a"], "Dock scheduling", manager, sites=[world["s2"]],
                         kind="process"),
        "gate_app": process(world["org_a"], "Bremen gate app", manager, sites=[bremen]),
        "ts02": threat(assessment, "TS-02"), "ts03": threat(assessment, "TS-03"),
        "ts17": threat(assessment, "TS-17"), "ts22": threat(assessment, "TS-22"),
    }


def pair_lines(problems):
    return sorted(p for p in problems if p.endswith(NEITHER))


def cover_all_but(world, s, *, leave=()):
    """Rate or dismiss every pair of the fixture except the ones named in `leave`."""
    manager, a = s["manager"], s["assessment"]
    pairs = {
        "ts02@s1": lambda: ready_rating(a, s["ts02"], world["s1"], manager),
        "ts02@s2": lambda: ready_rating(a, s["ts02"], world["s2"], manager),
        "ts03@leg": lambda: not_credible(a, s["ts03"], leg=s["leg"],
                                         reason="Two-hour daylight shuttle inside the port"),
        "ts17@tms": lambda: ready_rating(a, s["ts17"], None, manager, process=s["tms"]),
        "ts17@docks": lambda: ready_rating(a, s["ts17"], None, manager, process=s["docks"]),
        "ts22@carrier": lambda: ready_rating(a, s["ts22"], None, manager,
                                             partner=world["carrier_a"]),
    }
    for key, make in pairs.items():
        if key not in leave:
            make()


def test_completion_names_every_pair_neither_rated_nor_marked_not_credible(world, scoped):
    cover_all_but(world, scoped, leave=("ts02@s2", "ts17@docks", "ts22@carrier"))
    with pytest.raises(services.CompletionRefused) as refused:
        services.complete_assessment(scoped["manager"], scoped["assessment"])
    assert pair_lines(refused.value.problems) == [
        f"{TS02} @ site S2: {NEITHER}",
        f"{TS17} @ process Dock scheduling: {NEITHER}",
        f"{TS22} @ partner Nordic Trucking: {NEITHER}",
    ]
    scoped["assessment"].refresh_from_db()
    assert scoped["assessment"].status == "draft"


def test_a_scenario_is_paired_only_with_the_target_kinds_it_can_affect(world, scoped):
    # Nothing rated: each scenario is named with its own kinds only — pilferage at the two
    # sites, hijacking on the leg, the cyber attack at the two in-scope processes (not the
    # Bremen app: Bremen is outside the scope), money laundering at the partner.
    problems = pair_lines(services.completion_problems(scoped["assessment"]))
    leg_label = f"leg {scoped['leg'].reference}"
    assert problems == sorted([
        f"{TS02} @ site S1: {NEITHER}", f"{TS02} @ site S2: {NEITHER}",
        f"{TS03} @ {leg_label}: {NEITHER}",
        f"{TS17} @ process Dock scheduling: {NEITHER}",
        f"{TS17} @ process Transport management system: {NEITHER}",
        f"{TS22} @ partner Nordic Trucking: {NEITHER}",
    ])


def test_an_own_scenario_without_target_kinds_is_paired_with_every_kind(world, scoped):
    cover_all_but(world, scoped)
    with actor_context(None, name="t"):
        drone = ThreatApplicability.objects.create(
            organisation=world["org_a"], assessment=scoped["assessment"],
            custom_scenario="Drone over the yard", custom_categories=["UA"], applicable=True)
    problems = pair_lines(services.completion_problems(scoped["assessment"]))
    assert problems == sorted(f"Drone over the yard @ {label}: {NEITHER}" for label in (
        "site S1", "site S2", f"leg {scoped['leg'].reference}", "partner Nordic Trucking",
        "process Transport management system", "process Dock scheduling"))
    # A scenario judged not applicable is paired with nothing.
    with fixture_writes(ThreatApplicability):
        ThreatApplicability.objects.filter(pk=drone.pk).update(
            applicable=False, justification="No drones near these sites")
    assert pair_lines(services.completion_problems(scoped["assessment"])) == []


def test_archived_ratings_and_marks_do_not_cover_a_pair(world, scoped):
    cover_all_but(world, scoped)
    assert pair_lines(services.completion_problems(scoped["assessment"])) == []
    with fixture_writes(Rating, NotCredible):
        Rating.objects.filter(process=scoped["tms"]).update(archived=True)
        NotCredible.objects.filter(leg=scoped["leg"]).update(archived=True)
    assert pair_lines(services.completion_problems(scoped["assessment"])) == [
        f"{TS03} @ leg {scoped['leg'].reference}: {NEITHER}",
        f"{TS17} @ process Transport management system: {NEITHER}"]


def test_a_covered_assessment_completes(world, scoped):
    cover_all_but(world, scoped)
    services.complete_assessment(scoped["manager"], scoped["assessment"])
    scoped["assessment"].refresh_from_db()
    assert scoped["assessment"].status == "completed"


def test_the_ui_button_and_the_api_refuse_naming_the_pair(client, world, scoped):
    cover_all_but(world, scoped, leave=("ts17@docks",))
    assessment = scoped["assessment"]
    missing = f"{TS17} @ process Dock scheduling: {NEITHER}"
    client.force_login(scoped["manager"])
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Dock scheduling: neither rated nor marked not credible" in \
        page.split('id="completion-problems"')[1]
    response = client.post(f"/risk/assessments/{assessment.pk}/complete/", follow=True)
    page = response.content.decode()
    assert "cannot be completed yet" in page
    assert "Dock scheduling: neither rated nor marked not credible" in page
    response = client.post(f"/api/risk/assessments/{assessment.pk}/complete/")
    assert response.status_code == 400
    assert missing in response.json()["problems"]
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    # Marked not credible through the API, with its reason: now it completes.
    response = client.post("/api/risk/not-credible/", data=json.dumps({
        "assessment": assessment.pk, "threat": scoped["ts17"].pk,
        "process": scoped["docks"].pk,
        "reason": "Dock scheduling is a paper board at S2; no IT system to attack."}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    response = client.post(f"/api/risk/assessments/{assessment.pk}/complete/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"


# --- the "not credible here" record ------------------------------------------------------------
def test_not_credible_needs_a_reason_on_every_path(client, world, scoped):
    assessment, manager = scoped["assessment"], scoped["manager"]
    client.force_login(manager)
    form = {"assessment": assessment.pk, "threat": scoped["ts02"].pk, "site": world["s2"].pk,
            "reason": "   "}
    response = client.post("/risk/not-credible/add/", form)
    assert response.status_code == 400 and "Say why" in response.content.decode()
    response = client.post("/api/risk/not-credible/", data=json.dumps(form),
                           content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    with pytest.raises(ValidationError, match="Say why"):
        save_record(manager, NotCredible(organisation=world["org_a"], assessment=assessment,
                                         threat=scoped["ts02"], site=world["s2"], reason=""))
    assert not NotCredible.objects.exists()
    response = client.post("/risk/not-credible/add/", {
        **form, "reason": "S2 handles sealed containers only; nothing is broken down."})
    assert response.status_code == 302
    marked = NotCredible.objects.get()
    assert marked.created_by == manager
    page = client.get(marked.get_absolute_url()).content.decode()
    assert "sealed containers only" in page and "site S2" in page


def test_a_pair_is_either_rated_or_not_credible_never_both(client, world, scoped):
    assessment, manager = scoped["assessment"], scoped["manager"]
    rated = ready_rating(assessment, scoped["ts02"], world["s1"], manager)
    client.force_login(manager)
    form = {"assessment": assessment.pk, "threat": scoped["ts02"].pk, "site": world["s1"].pk,
            "reason": "Nothing to steal"}
    response = client.post("/risk/not-credible/add/", form)
    assert response.status_code == 400
    assert f"already rated ({rated.reference})" in response.content.decode()
    response = client.post("/api/risk/not-credible/", data=json.dumps(form),
                           content_type="application/json")
    assert response.status_code == 400 and rated.reference in response.content.decode()
    assert not NotCredible.objects.exists()
    # The other way round: a pair marked not credible is not rated (service, UI, API).
    marked = not_credible(assessment, scoped["ts02"], site=world["s2"])
    with pytest.raises(ValidationError, match=f"marked not credible \\({marked.reference}\\)"):
        save_record(manager, Rating(organisation=world["org_a"], assessment=assessment,
                                    threat=scoped["ts02"], site=world["s2"], likelihood=2,
                                    consequences={"economic": 2}))
    response = client.post("/api/risk/register/", data=json.dumps({
        "assessment": assessment.pk, "threat": scoped["ts02"].pk, "site": world["s2"].pk,
        "likelihood": 2, "consequences": {"economic": 2}}), content_type="application/json")
    assert response.status_code == 400 and marked.reference in response.content.decode()
    response = client.post("/risk/register/add/", {
        "assessment": assessment.pk, "threat": scoped["ts02"].pk, "site": world["s2"].pk,
        "likelihood": 2, "consequence_economic": "2", "reviewed": "on"})
    assert response.status_code == 400 and marked.reference in response.content.decode()
    assert Rating.objects.filter(site=world["s2"]).count() == 0


def test_only_an_applicable_scenario_of_the_assessment_is_marked(client, world, scoped):
    assessment, manager = scoped["assessment"], scoped["manager"]
    with actor_context(None, name="t"):
        ruled_out = ThreatApplicability.objects.create(
            organisation=world["org_a"], assessment=assessment,
            custom_scenario="Piracy", custom_categories=["CI"], applicable=False,
            justification="No sea legs")
    client.force_login(manager)
    response = client.post("/risk/not-credible/add/", {
        "assessment": assessment.pk, "threat": ruled_out.pk, "site": world["s1"].pk,
        "reason": "x"})
    assert response.status_code == 400 and "judged not applicable" in response.content.decode()
    other = assessment_at(world, "out", "Other assessment")
    response = client.post("/risk/not-credible/add/", {
        "assessment": assessment.pk, "threat": threat(other, "TS-02").pk,
        "site": world["s1"].pk, "reason": "x"})
    assert response.status_code == 400
    assert "considered in this assessment" in response.content.decode()
    assert not NotCredible.objects.exists()
