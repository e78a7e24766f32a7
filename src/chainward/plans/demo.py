"""The ABC Logistics objectives demo: three security objectives (ISO 28000 6.2) with a year of
monthly measurements — one on track, one at risk, one off track.

`build_objectives_demo(organisation, admin_user)` saves every record through `save_record` as
`admin_user`, so each write lands in the ledger under that person. Objectives are found by
title: one that exists already is left alone, measurements included (its owner may have
recorded more since), so a second run writes nothing. Dates are relative to the day an
objective is created: measurements at the end of each of the 12 full months before it, due
dates at quarter ends after it, chosen so that the statuses below hold whenever the demo runs.
"""

import calendar
import datetime
from decimal import Decimal

from django.utils import timezone

from chainward.access.models import RoleAssignment
from chainward.core import roles
from chainward.core import services as records

from .choices import Direction, ReviewFrequency
from .models import Measurement, SecurityObjective


def _quarter_end(today, quarters_ahead):
    """The last day of the quarter `quarters_ahead` after the one `today` is in."""
    index = today.year * 4 + (today.month - 1) // 3 + quarters_ahead
    year, quarter = divmod(index, 4)
    return _month_end(year, quarter * 3 + 3)


def _month_end(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _months_before(today, count=12):
    """Month ends of the `count` full months before `today`'s month, oldest first."""
    index = today.year * 12 + today.month - 1
    return [_month_end((index - n) // 12, (index - n) % 12 + 1) for n in range(count, 0, -1)]


# title -> objective fields, due date from today, monthly values (oldest first) and notes.
OBJECTIVES = {
    # On track: not met yet, falling about 0.016 a month; the line reaches 0.40 in time.
    "Reduce cargo-theft incidents per 1,000 shipments": {
        "description": "Theft of or from cargo (full loads, pallets, parcels) per 1,000 "
                       "shipments handled, all sites and subcontracted road legs. The "
                       "last risk assessment rated theft of parked loads and pilferage at "
                       "cross-docks among the highest supply-chain security risks.",
        "kpi_name": "Cargo-theft incidents per 1,000 shipments (rolling month)",
        "unit": "per 1,000",
        "direction": Direction.LOWER_IS_BETTER,
        "baseline": Decimal("0.62"),
        "target": Decimal("0.40"),
        "due": lambda today: _quarter_end(today, 2),
        "planned_actions": "1. Secure-parking only (TAPA PSR) for high-value loads on road "
                           "legs over 4 hours — transport planning, from next month.\n"
                           "2. Two-driver rule and GPS geofence alerts on the Stryków–"
                           "Rudná lane — fleet management, this quarter.\n"
                           "3. Monthly theft review with the three largest carriers — "
                           "security manager, every month.",
        "resources": "EUR 45,000 for secure-parking fees and telematics licences; 0.2 FTE "
                     "analyst in the security office.",
        "review_frequency": ReviewFrequency.MONTHLY,
        "values": ("0.62", "0.60", "0.63", "0.57", "0.55", "0.56", "0.52", "0.51", "0.49",
                   "0.50", "0.47", "0.45"),
        "notes": {2: "Two trailer thefts at an unsecured rest area on the A2.",
                  6: "First month with secure parking for high-value loads."},
    },
    # At risk: improving by about 0.13 points a month, too slowly to reach 99 % in time.
    "Seal-verification compliance at hand-offs ≥ 99 %": {
        "description": "Share of custody hand-offs (gate out, carrier pick-up, cross-dock "
                       "transfer) where the ISO 17712 seal number was checked with the VVTT "
                       "method and recorded before the hand-off was signed.",
        "kpi_name": "Hand-offs with a recorded seal verification",
        "unit": "%",
        "direction": Direction.HIGHER_IS_BETTER,
        "baseline": Decimal("96.5"),
        "target": Decimal("99.0"),
        "due": lambda today: _quarter_end(today, 1),
        "planned_actions": "1. Seal check made a mandatory step in the yard app, hand-off "
                           "blocked until recorded — IT, next quarter.\n"
                           "2. Refresher on SOP-SEC-04 for all gate staff — site security "
                           "officers, within two months.\n"
                           "3. Weekly spot audits of ten hand-offs per site — site security "
                           "officers, ongoing.",
        "resources": "Yard-app change (about 20 developer days); two hours of training per "
                     "gate employee.",
        "review_frequency": ReviewFrequency.MONTHLY,
        "values": ("96.4", "96.6", "96.5", "96.9", "97.0", "97.1", "97.3", "97.2", "97.5",
                   "97.6", "97.7", "97.8"),
        "notes": {8: "Stryków cross-dock still records seals on paper."},
    },
    # Off track: completion is sliding (new seasonal staff untrained), target 100 % by Q4.
    "Security-awareness training completion 100 % by Q4": {
        "description": "Share of employees and long-term temporary staff with the annual "
                       "security-awareness module (threats, reporting, access control, seals) "
                       "completed in the last 12 months.",
        "kpi_name": "Staff with current security-awareness training",
        "unit": "%",
        "direction": Direction.HIGHER_IS_BETTER,
        "baseline": Decimal("78.0"),
        "target": Decimal("100.0"),
        "due": lambda today: datetime.date(today.year, 12, 31),
        "planned_actions": "1. Training at induction before the first shift, temporary staff "
                           "included — HR with the staffing agencies, now.\n"
                           "2. Polish sites move from paper lists to the LMS — site security "
                           "officers Poznań and Stryków, this quarter.\n"
                           "3. Monthly overdue list to line managers — HR, every month.",
        "resources": "LMS licences for 150 temporary staff; tablets at two gatehouses.",
        "review_frequency": ReviewFrequency.QUARTERLY,
        "values": ("81.0", "83.0", "80.0", "79.0", "80.0", "78.0", "77.0", "78.0", "76.0",
                   "75.0", "76.0", "74.0"),
        "notes": {5: "Peak-season hiring: 120 temporary staff started.",
                  11: "Polish sites still report from paper lists."},
    },
}


def objective_owner(organisation, fallback):
    """The organisation's security manager (whole organisation), or `fallback`."""
    assignment = RoleAssignment.objects.filter(
        organisation=organisation, archived=False, all_sites=True,
        role__name=roles.SECURITY_MANAGER).select_related("user").order_by("pk").first()
    return assignment.user if assignment else fallback


def build_objectives_demo(organisation, admin_user):
    """Create the three demo objectives and their measurements; return the objectives."""
    today = timezone.localdate()
    owner = objective_owner(organisation, admin_user)
    objectives = []
    for title, spec in OBJECTIVES.items():
        objective = SecurityObjective.objects.filter(organisation=organisation,
                                                     title=title).first()
        if objective is None:
            objective = _create(organisation, admin_user, owner, title, spec, today)
        objectives.append(objective)
    return objectives


def _create(organisation, actor, owner, title, spec, today):
    fields = {name: spec[name] for name in (
        "description", "kpi_name", "unit", "direction", "baseline", "target",
        "planned_actions", "resources", "review_frequency")}
    objective = records.save_record(actor, SecurityObjective(
        organisation=organisation, title=title, owner=owner, due_date=spec["due"](today),
        **fields))
    for index, (day, value) in enumerate(zip(_months_before(today), spec["values"],
                                             strict=True)):
        records.save_record(actor, Measurement(
            organisation=organisation, objective=objective, measured_on=day,
            value=Decimal(value), note=spec["notes"].get(index, "")))
    return objective


def build_security_plan_demo(organisation, admin_user):
    """An approved security plan from the demo's completed assessment (written by the security
    manager, approved by the administrator); left alone once it exists. Returns the number of
    plans created (0 or 1)."""
    from chainward.risk.choices import AssessmentStatus
    from chainward.risk.models import SecurityAssessment

    from .models import SecurityPlan
    from .security_plan import approve_version, generate_version, submit_version

    assessment = SecurityAssessment.objects.filter(
        organisation=organisation, status=AssessmentStatus.COMPLETED,
        archived=False).order_by("-completed_on", "-pk").first()
    if assessment is None or SecurityPlan.objects.filter(assessment=assessment).exists():
        return 0
    author = objective_owner(organisation, admin_user)
    if author == admin_user:
        return 0  # nobody else could approve it: leave the plan to be written by hand
    version = generate_version(author, assessment,
                               change_summary="First plan from the annual assessment.")
    submit_version(author, version)
    approve_version(admin_user, version)
    return 1
