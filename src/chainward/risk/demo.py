"""The ABC Logistics security assessment demo (ISO 28001 5.2-5.6).

One COMPLETED assessment of the demo's sites, legs and main partners: the default matrix, a
team of three with confidentiality undertakings, existing measures, every threat scenario
considered (some not applicable, with a reason), about three dozen ratings — acceptable,
treated with countermeasures in every status (one overdue), and three risks above the appetite
(High or Critical) accepted by the managing director, who holds the Top management role the
matrix names for those levels (the lead assessor is the administrator, not her).

Idempotent: when the assessment exists (found by title) nothing is written. Everything is saved
through `save_record`, accepted through `services.accept_risk` and completed through
`services.complete_assessment`, so the acceptance and completion rules hold for the demo too.
"""

import datetime

from django.utils import timezone

from chainward.access.models import User
from chainward.core.services import save_record
from chainward.library.models import CatalogEntry
from chainward.supplychain.models import Leg, Partner, Site

from . import services
from .choices import CountermeasureStatus, Decision
from .models import (
    AssessmentMember,
    Countermeasure,
    ExistingMeasure,
    Rating,
    SecurityAssessment,
    ThreatApplicability,
)

DOMAIN = "abc-logistics.example"
CATEGORIES = ("life", "economic", "environment", "reputation", "disruption", "legal")
NOT_APPLICABLE = {
    "TS-12": "Explosive-device screening of air cargo is governed by our regulated-agent "
             "security programme (EU 2015/1998) at the Frankfurt air-cargo warehouse and "
             "assessed there; road, rail and sea legs carry sealed, pre-loaded units only.",
    "TS-21": "We handle no agricultural goods, and inbound wood packaging from outside the EU "
             "is checked for ISPM 15 marks by the customs broker at the port of entry.",
    "TS-26": "Arson and civil unrest are handled as site-disruption hazards in the business "
             "continuity plan (ISO 22301); perimeter intrusion is rated with the theft "
             "scenarios at every site.",
}
# (title, type, status, due in days (None: no date), cost)
COUNTERMEASURES = (
    ("TAPA PSR secure parking for high-value road legs", "physical",
     CountermeasureStatus.VERIFIED, -120, 18000),
    ("GPS tracking with geofence alerts on all road legs", "information",
     CountermeasureStatus.IMPLEMENTED, -30, 42000),
    ("ISO 17712 high-security seals and seal register", "procedural",
     CountermeasureStatus.VERIFIED, -200, 6500),
    ("Badge access and visitor escort at warehouse docks", "access_control",
     CountermeasureStatus.IMPLEMENTED, -60, 24000),
    ("Background screening of warehouse and driver staff", "personnel",
     CountermeasureStatus.IN_PROGRESS, 45, 12000),
    ("CCTV coverage of loading docks with 30-day retention", "physical",
     CountermeasureStatus.IN_PROGRESS, -14, 35000),  # overdue
    ("Carrier security requirements and annual carrier audits", "partner",
     CountermeasureStatus.PLANNED, 120, 8000),
    ("Security-awareness training for seasonal staff", "training",
     CountermeasureStatus.PLANNED, 75, 4000),
    ("Multi-factor authentication for the shipment-data portal", "information",
     CountermeasureStatus.IN_PROGRESS, 30, 9000),
)
EXISTING = (
    ("access_control", "Perimeter fence, gatehouse with ID check and visitor log."),
    ("physical", "CCTV at gates and docks, monitored from the control room."),
    ("procedural", "Seal checks (VVTT) at loading and on arrival."),
)


def _person(local, fallback):
    return User.objects.filter(email=f"{local}@{DOMAIN}").first() or fallback


def _spread(index, low, high):
    """A deterministic value in [low, high] for the index (varied, reproducible ratings)."""
    return low + (index * 7 + 3) % (high - low + 1)


def build_risk_demo(organisation, admin):
    """Create (or reuse) the demo's risk records; return {label: count} for the summary."""
    title = f"ABC Logistics supply-chain security assessment {timezone.localdate().year}"
    existing = SecurityAssessment.objects.filter(organisation=organisation, title=title).first()
    if existing is not None:
        return {"security assessments": 0, "risk ratings": 0, "countermeasures": 0,
                "risk acceptances": 0}
    if not CatalogEntry.objects.filter(kind="threat_scenario").exists():
        return {"security assessments": 0}
    manager = _person("m.weber", admin)
    director = _person("h.brandt", admin)  # Top management (supplychain.demo.PEOPLE)
    team = [(admin, "Lead assessor", "ISO 28000 lead auditor; 10 years supply-chain security"),
            (_person("j.petersen", admin), "Site expert Hamburg",
             "Site security officer Hamburg; TAPA FSR trained"),
            (_person("a.nowak", admin), "Site expert Poland",
             "Site security officer Poznań and Stryków; AEO coordinator")]
    matrix = services.default_matrix(organisation, admin)
    sites = list(Site.objects.filter(organisation=organisation, archived=False).order_by("pk"))
    legs = list(Leg.objects.filter(organisation=organisation, archived=False).order_by("pk"))
    partners = list(Partner.objects.filter(organisation=organisation, archived=False)
                    .order_by("pk")[:4])
    today = timezone.localdate()

    assessment = save_record(admin, SecurityAssessment(
        organisation=organisation, title=title, matrix=matrix, assessor=admin,
        processes="Warehousing, cross-docking, road, sea and air transport legs, "
                  "carrier and subcontractor management, shipment-data handling.",
        method="Site visits at every node, interviews with site security officers and "
               "carriers, incident records of the last three years, TAPA IIS and Europol "
               "cargo-crime reports."))
    assessment.sites.set(sites)
    assessment.legs.set(legs)
    assessment.partners.set(partners)
    for user, role, qualifications in team:
        if not assessment.members.filter(user=user).exists():
            save_record(admin, AssessmentMember(
                organisation=organisation, assessment=assessment, user=user,
                role_in_team=role, qualifications=qualifications,
                undertaking_signed_on=today - datetime.timedelta(days=40)))
    for index, site in enumerate(sites):
        kind, text = EXISTING[index % len(EXISTING)]
        save_record(admin, ExistingMeasure(organisation=organisation, assessment=assessment,
                                           site=site, measure_type=kind, description=text))

    scenarios = list(CatalogEntry.objects.filter(kind="threat_scenario", retired=False)
                     .order_by("order"))
    threats = {}
    for scenario in scenarios:
        reason = NOT_APPLICABLE.get(scenario.ref_id, "")
        threats[scenario.ref_id] = save_record(admin, ThreatApplicability(
            organisation=organisation, assessment=assessment, scenario=scenario,
            applicable=not reason, justification=reason))

    measures = []
    for title_, kind, status, due, cost in COUNTERMEASURES:
        measure = save_record(admin, Countermeasure(
            organisation=organisation, title=title_, measure_type=kind, status=status,
            owner=manager, due_date=today + datetime.timedelta(days=due), cost=cost,
            effectiveness_review="Checked in the quarterly security review: no incident "
                                 "since implementation." if status == "verified" else "",
            reviewed_on=today - datetime.timedelta(days=20) if status == "verified" else None))
        measures.append(measure)

    # Targets per scenario kind: nodes, legs and partners, in turn.
    applicable = [s for s in scenarios if s.ref_id not in NOT_APPLICABLE]
    targets = []
    for index, scenario in enumerate(applicable):
        kinds = scenario.data.get("targets") or ["node"]
        if "node" in kinds and sites:
            targets.append((scenario, {"site": sites[index % len(sites)]}))
        if "leg" in kinds and legs:
            targets.append((scenario, {"leg": legs[index % len(legs)]}))
        if "partner" in kinds and partners:
            targets.append((scenario, {"partner": partners[index % len(partners)]}))
    targets = targets[:36]
    accepted = 0
    ratings = []
    for index, (scenario, target) in enumerate(targets):
        likelihood = _spread(index, 1, 5)
        consequences = {CATEGORIES[(index + k) % 6]: _spread(index + k * 3, 1, 5)
                        for k in range(3)}
        rating = Rating(organisation=organisation, assessment=assessment,
                        threat=threats[scenario.ref_id], likelihood=likelihood,
                        consequences=consequences, owner=manager, **target,
                        notes="Existing measures considered: see the inventory.")
        rating.compute_levels(matrix)
        linked = []
        if not rating.above_appetite:
            rating.decision = Decision.ACCEPTABLE
        elif accepted < 3 and rating.inherent_rank >= 3:
            # Accepted above the appetite: treatment costs more than the risk, for now.
            rating.decision = Decision.ACCEPT
            rating.residual_likelihood = max(likelihood - 1, 1)
            rating.residual_consequence = rating.consequence
            rating.compute_levels(matrix)
            if not rating.above_appetite:
                rating.decision = Decision.TREAT
            else:
                accepted += 1
        else:
            rating.decision = Decision.TREAT
        if rating.decision == Decision.TREAT:
            rating.residual_likelihood = 1
            rating.residual_consequence = max(rating.consequence - 1, 1)
            linked = [measures[index % len(measures)], measures[(index + 3) % len(measures)]]
        save_record(admin, rating)
        if linked:
            rating.countermeasures.set(linked)
        ratings.append(rating)

    acceptances = 0
    for number, rating in enumerate(r for r in ratings if r.decision == Decision.ACCEPT):
        services.accept_risk(
            director, rating,
            justification="Residual risk accepted by top management: further treatment is "
                          "disproportionate to the exposure; monitored monthly by the "
                          "security manager.",
            conditions="Re-rate after any incident on this target.",
            valid_until=today + datetime.timedelta(days=(60, 180, 365)[number % 3]))
        acceptances += 1
    services.complete_assessment(admin, assessment)
    return {"security assessments": 1, "risk ratings": len(ratings),
            "countermeasures": len(measures), "risk acceptances": acceptances}


