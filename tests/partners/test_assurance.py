"""Issue 17 item 4 (ISO 28001 4.5): a partner risk score with its explanation, the review interval
and questionnaire depth it sets, on the partner page, in the list, in the API and in the
likelihood suggestion of ratings on the legs the partner carries; issue 17 item 3: expired
declarations in the list and on the page, and the ids of such partners for the map.

Every expected score below is added up by hand from the weights in the module docstring of
`partners.assurance` (criticality low/medium/high/critical 5/15/30/40; programme valid/none/
expired -15/0/+10; questionnaire returned +25, none +15, accepted +5 per flagged answer up to
+20; expired declaration +10; incidents +15 each up to +30; bands 0/25/50/75; review months
24/12/6/3, never longer than the supply-chain interval of 182/365/730 days).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chainward.ledger.context import actor_context
from chainward.partners.assurance import (
    Inputs,
    assess,
    assurance_of,
    expired_declaration_partner_ids,
    with_assurance,
)
from chainward.risk.likelihood import suggest_likelihood
from chainward.supplychain.models import Leg, Partner, ProgrammeStatus
from tests.core.test_query_budget import count_queries
from tests.incidents import factories as incidents
from tests.risk import support as risk

from . import factories as f


def inputs(**given):
    base = dict(criticality="medium", status="active", exempt=False, valid_programme=False,
                expired_programme=False, questionnaire="none", flagged=0,
                declaration_expired=False, incidents=0)
    return Inputs(**{**base, **given})


def explained(assurance):
    return [(x.name, x.finding, x.points) for x in assurance.factors]


# --- the rule, against sums done by hand ------------------------------------------------------
def test_a_critical_partner_with_an_expired_programme_returned_answers_and_an_incident():
    result = assess(inputs(criticality="critical", expired_programme=True,
                           questionnaire="returned", incidents=1))
    assert explained(result) == [
        ("criticality", "rated critical", 40),
        ("security programme", "its security programme status expired", 10),
        ("questionnaire", "the latest answers were returned, not accepted", 25),
        ("incidents", "1 security incident in the last 12 months", 15)]
    assert (result.score, result.band) == (90, "very high")
    # 3 months (91 days), shorter than the 182 days of a critical partner without programme.
    assert (result.interval_days, result.base_interval_days) == (91, 182)
    assert result.depth == "Security questionnaire with evidence, and a site visit or audit"
    assert result.likelihood_steps == 2


def test_flagged_answers_are_capped_and_an_expired_declaration_adds():
    result = assess(inputs(criticality="high", questionnaire="accepted", flagged=5,
                           declaration_expired=True))
    assert explained(result) == [
        ("criticality", "rated high", 30),
        ("security programme", "no security programme status", 0),
        ("questionnaire", "accepted, 5 answers flagged for follow-up", 20),
        ("declaration", "the accepted declaration has expired", 10),
        ("incidents", "0 security incidents in the last 12 months", 0)]
    assert (result.score, result.band, result.interval_days) == (60, "high", 182)
    assert result.depth == "Security questionnaire with evidence for every “yes”"
    assert (result.likelihood_steps, result.declaration_label) == (1, "expired")


@pytest.mark.parametrize(("given", "score", "band", "days", "depth"), [
    # 5 - 15 + 0 + 0 = -10, kept at 0: low; 24 months = the supply-chain 730 days.
    ({"criticality": "low", "valid_programme": True, "questionnaire": "accepted"}, 0, "low",
     730, "Signed security declaration"),
    # 15 + 0 + 15 + 0 = 30: medium; 12 months, shorter than 730 days.
    ({}, 30, "medium", 365, "Security questionnaire"),
    # 15 - 15 + 15 + 30 (3 incidents, capped) = 45: medium.
    ({"valid_programme": True, "incidents": 3}, 45, "medium", 365, "Security questionnaire"),
    # 40 + 0 + 15 + 30 = 85: very high, but 3 months.
    ({"criticality": "critical", "incidents": 2}, 85, "very high", 91,
     "Security questionnaire with evidence, and a site visit or audit"),
])
def test_scores_bands_intervals_and_depths(given, score, band, days, depth):
    result = assess(inputs(**given))
    assert (result.score, result.band, result.interval_days, result.depth) == (
        score, band, days, depth)


def test_exempt_and_unused_partners():
    exempt = assess(inputs(criticality="critical", exempt=True, incidents=2))
    assert (exempt.score, exempt.factors, exempt.interval_days, exempt.likelihood_steps) == (
        None, [], None, 0)
    suspended = assess(inputs(criticality="critical", status="suspended"))
    assert (suspended.score, suspended.interval_days) == (55, None)  # 40 + 15
    assert "Not in use" in suspended.interval_reason


# --- loading from the records -----------------------------------------------------------------
def _days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def _reviewed(req, status, *, valid_until=None, flagged=0):
    with actor_context(None, name="fixture"):
        for n in range(flagged):
            question = f.question(req.template, f"Flagged {n}?", order=10 + n)
            f.answer(req, question, value_yes=False, needs_follow_up=True)
        req.status, req.reviewed_at, req.valid_until = status, timezone.now(), valid_until
        req.save()
    return req


@pytest.fixture
def risky(world):
    """Nordic Trucking (org A): critical, an expired AEOS, a returned questionnaire after an
    accepted one that has expired (1 flagged answer), one incident of its own and one on a leg
    it carries in the last year, one older."""
    org, partner = world["org_a"], world["carrier_a"]
    with actor_context(None, name="fixture"):
        partner.criticality = "critical"
        partner.save()
        ProgrammeStatus.objects.create(organisation=org, partner=partner, programme="aeo_s",
                                       valid_until=_days(-10))
        leg = Leg.objects.create(organisation=org, from_site=world["s1"], to_site=world["s2"],
                                 mode="road", carrier=partner)
        incidents.incident(org, "Curtain slashed at a rest stop", partner=partner)
        incidents.incident(org, "Seal cut on the Hamburg run", leg=leg,
                           occurred_at=incidents.ago(100))
        incidents.incident(org, "Old theft", partner=partner, occurred_at=incidents.ago(400))
    template = f.template(org, "Carrier questionnaire", questions=1)
    first = f.request(org, "first", partner_obj=partner, template_obj=template)
    _reviewed(first, "accepted", valid_until=_days(-5), flagged=1)
    second = f.request(org, "second", partner_obj=partner, template_obj=template)
    _reviewed(second, "returned")
    return {"partner": partner, "leg": leg}


# 40 + 10 + 25 + 10 (declaration expired) + 30 (2 incidents) = 115, kept at 100.
RISKY_FACTORS = [
    ("criticality", "rated critical", 40),
    ("security programme", "its security programme status expired", 10),
    ("questionnaire", "the latest answers were returned, not accepted", 25),
    ("declaration", "the accepted declaration has expired", 10),
    ("incidents", "2 security incidents in the last 12 months", 30)]


def test_the_loader_reads_every_factor_from_the_records(risky):
    listed = with_assurance(Partner.objects.filter(pk=risky["partner"].pk)).get()
    result = assurance_of(listed)
    assert explained(result) == RISKY_FACTORS
    assert (result.score, result.band, result.declaration_expired) == (100, "very high", True)
    # A partner loaded without the annotations gets the same in one query.
    fresh = Partner.objects.get(pk=risky["partner"].pk)
    with CaptureQueriesContext(connection) as queries:
        assert assurance_of(fresh) == result
    assert len(queries) == 1


def test_accepted_answers_count_their_flagged_answers(world):
    org = world["org_a"]
    partner = f.partner(org, "Flagged Freight", criticality="high")
    _reviewed(f.request(org, "one", partner_obj=partner), "accepted", valid_until=_days(200),
              flagged=2)
    result = assurance_of(Partner.objects.get(pk=partner.pk))
    # 30 + 0 + 10 (2 flagged) + 0 = 40: medium; 12 months.
    assert ("questionnaire", "accepted, 2 answers flagged for follow-up", 10) in explained(result)
    assert (result.score, result.band, result.interval_days) == (40, "medium", 365)


# --- page, list, API ----------------------------------------------------------------------------
def test_the_partner_page_and_list_explain_the_score(client, world, risky):
    client.force_login(world["users"]["site_security_officer__site"])
    page = client.get(risky["partner"].get_absolute_url()).content.decode()
    start = page.index('id="assurance"')
    card = page[start:page.index("</section>", start)]
    assert "risk score 100 (very high)" in card and 'id="declaration-expired"' in card
    for name, finding, points in RISKY_FACTORS:
        assert f"<td>{name.capitalize()}</td><td>{finding}</td>" \
               f"<td class=\"text-end\">+{points}</td>" in card
    assert "Every 91 days for a very high risk score, shorter than the 182 days" in card
    listing = client.get("/supplychain/partners/").content.decode()
    row = listing[listing.index(">Nordic Trucking<"):]
    row = row[:row.index("</tr>")]
    assert "100 (very high)" in row and "expired" in row


def test_the_api_gives_the_score_with_its_factors(client, world, risky):
    client.force_login(world["users"]["viewer__org"])
    body = client.get(f"/api/supplychain/partners/{risky['partner'].pk}/").json()
    assert body["assurance"]["score"] == 100 and body["assurance"]["band"] == "very high"
    assert [(x["factor"], x["finding"], x["points"]) for x in body["assurance"]["factors"]] \
        == RISKY_FACTORS
    assert (body["assurance"]["review_interval_days"],
            body["assurance"]["declaration_expired"]) == (91, True)


# --- the likelihood of ratings on the partner's legs -----------------------------------------
def _leg_and_site_ratings(world, leg):
    risk.load_catalogues()
    assessment = risk.assessment_at(world, "in", "Leg assessment")
    threat = risk.threat(assessment, "TS-01")
    return (risk.rating(assessment, threat, leg=leg, likelihood=2),
            risk.rating(assessment, threat, site=world["s1"], likelihood=2))


def test_the_score_raises_the_likelihood_of_ratings_on_its_legs(world, risky):
    on_leg, at_site = _leg_and_site_ratings(world, risky["leg"])
    manager = world["users"]["security_manager__org"]
    suggestion = suggest_likelihood(manager, on_leg)
    # Very high → one level above the middle of the 5-level scale: 4 (Likely); no incident of
    # this scenario at this leg, so the partner alone sets it.
    assert (suggestion.minimum, suggestion.minimum_name, suggestion.below) == (
        4, "4 (Likely)", True)
    partner = risky["partner"]
    assert suggestion.explanation == (
        f"Nordic Trucking ({partner.reference}), which carries the rated leg, has a partner "
        "risk score of 100 (very high) from its partner assurance (ISO 28001 4.5) → at least "
        "4 (Likely). Partner rule: a partner with a high risk score → at least the middle of "
        "the likelihood scale; very high → one level above the middle.")
    assert suggest_likelihood(manager, at_site) is None  # a site: no partner


def test_the_rating_api_and_form_give_the_partner_factor(client, world, risky):
    on_leg, _ = _leg_and_site_ratings(world, risky["leg"])
    suggestion = suggest_likelihood(world["users"]["security_manager__org"], on_leg)
    client.force_login(world["users"]["security_manager__org"])
    body = client.get(f"/api/risk/register/{on_leg.pk}/likelihood-suggestion/").json()
    assert (body["minimum"], body["below"], body["occurrences"]) == (4, True, [])
    assert body["explanation"] == suggestion.explanation
    form = client.get(f"{on_leg.get_absolute_url()}edit/").content.decode()
    assert "which carries the rated leg, has a partner risk score of 100" in form
    # The rating page says the same, with no empty sentence about incidents.
    page = client.get(on_leg.get_absolute_url()).content.decode()
    assert "which carries the rated leg, has a partner risk score of 100 (very high)" in page
    assert "security incidents realising" not in page


def test_a_medium_score_does_not_raise_the_likelihood(world):
    risk.load_catalogues()
    with actor_context(None, name="fixture"):
        leg = Leg.objects.create(organisation=world["org_a"], from_site=world["s1"],
                                 to_site=world["s2"], mode="road", carrier=world["carrier_a"])
    assessment = risk.assessment_at(world, "in", "Leg assessment")
    rating = risk.rating(assessment, risk.threat(assessment, "TS-01"), leg=leg)
    # Medium criticality, nothing else: 15 + 0 + 15 + 0 = 30, medium.
    assert assurance_of(world["carrier_a"]).band == "medium"
    assert suggest_likelihood(world["users"]["security_manager__org"], rating) is None


# --- expired declarations for the map -----------------------------------------------------------
def test_expired_declaration_partner_ids_in_one_query_within_scope(world):
    org = world["org_a"]
    expired = f.partner(org, "Expired Carrier")
    valid = f.partner(org, "Valid Carrier")
    archived = f.partner(org, "Archived Carrier")
    renewed = f.partner(org, "Renewed Carrier")
    for partner, until in ((expired, -1), (valid, 30), (archived, -1), (renewed, -40),
                           (renewed, 300)):
        _reviewed(f.request(org, partner.name, partner_obj=partner), "accepted",
                  valid_until=_days(until))
    with actor_context(None, name="fixture"):
        archived.archived = True
        archived.save()
        foreign = f.partner(world["org_b"], "Foreign Carrier")
    _reviewed(f.request(world["org_b"], "foreign", partner_obj=foreign), "accepted",
              valid_until=_days(-1))
    officer = world["users"]["site_security_officer__site"]
    officer.has_perm("supplychain.view_partner")  # the role assignments, loaded once a request
    with CaptureQueriesContext(connection) as queries:
        ids = expired_declaration_partner_ids(officer, org)
    assert (ids, len(queries)) == ({expired.pk}, 1), [q["sql"][:200] for q in queries]
    assert expired_declaration_partner_ids(world["foreign"]) == {foreign.pk}


# --- query budget -------------------------------------------------------------------------------
def test_the_partner_list_and_api_with_scores_cost_the_same_at_10_and_200(client, world):
    org = world["org_a"]
    client.force_login(world["users"]["security_manager__org"])
    template = f.template(org, "Budget", questions=1)

    def fill(upto):
        while Partner.objects.filter(organisation=org).count() < upto:
            n = Partner.objects.filter(organisation=org).count()
            partner = f.partner(org, f"Budget partner {n}", criticality="high")
            if n % 3 == 0:
                _reviewed(f.request(org, f"r{n}", partner_obj=partner, template_obj=template),
                          "accepted", valid_until=_days(-1 if n % 2 else 100))
            if n % 4 == 0:
                with actor_context(None, name="fixture"):
                    incidents.incident(org, f"Incident {n}", partner=partner)

    urls = ("/supplychain/partners/?per_page=250", "/api/supplychain/partners/?limit=250")
    fill(10)
    small = [count_queries(client, url) for url in urls]
    fill(200)
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 partners {small}, at 200 {large}"
    assert "expired" in client.get(urls[0]).content.decode()


# --- the supply-chain map ---------------------------------------------------------------------
def test_the_map_marks_partners_whose_declaration_expired(client, world, risky):
    """Issue 17 item 3: an expired declaration shows on the map like an expired programme —
    the legs the partner carries dashed and titled with what expired, the partner listed."""
    org = world["org_a"]
    declared_only = f.partner(org, "Baltic Haulage")
    _reviewed(f.request(org, "baltic", partner_obj=declared_only), "accepted",
              valid_until=_days(-1))
    with actor_context(None, name="fixture"):
        Leg.objects.create(organisation=org, from_site=world["s2"], to_site=world["s1"],
                           mode="road", carrier=declared_only)
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/supplychain/map/").content.decode()
    assert "· declaration expired (carrier)</title>" in page  # Baltic Haulage's leg
    # Nordic Trucking: its AEOS and its declaration both expired.
    assert "· programme expired and declaration expired (carrier)</title>" in page
    legend = page.split('id="expired-declarations"')[1].split("</p>")[0]
    assert "Baltic Haulage" in legend and "Nordic Trucking" in legend
    programmes = page.split('id="expired-programmes"')[1].split("</p>")[0]
    assert "Nordic Trucking" in programmes and "Baltic Haulage" not in programmes
