"""The ABC Logistics objectives demo, loaded from `demo.yaml`: three security objectives
(ISO 28000 6.2) with a year of monthly measurements — one on track, one at risk, one off track —
and the approved security plan generated from the demo's completed assessment.

`build_objectives_demo(organisation, admin_user)` saves every record through `save_record` as
`admin_user`, so each write lands in the ledger under that person. Objectives are found by
title: one that exists already is left alone, measurements included (its owner may have
recorded more since), so a second run writes nothing. Dates are relative to the day an
objective is created (see the data file).
"""

import calendar
import datetime
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from chainward.access.models import RoleAssignment
from chainward.core import roles, yamlfiles
from chainward.core import services as records

from .models import Measurement, SecurityObjective

DATA = Path(__file__).with_name("demo.yaml")


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


def _due(today, due):
    """The data file's due date: `{quarters_ahead: n}` or `end_of_year`."""
    if due == "end_of_year":
        return datetime.date(today.year, 12, 31)
    return _quarter_end(today, due["quarters_ahead"])


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
    for spec in yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))["objectives"]:
        objective = SecurityObjective.objects.filter(organisation=organisation,
                                                     title=spec["title"]).first()
        if objective is None:
            objective = _create(organisation, admin_user, owner, spec, today)
        objectives.append(objective)
    return objectives


def _create(organisation, actor, owner, spec, today):
    fields = {name: spec[name] for name in (
        "title", "description", "kpi_name", "unit", "direction", "planned_actions", "resources",
        "review_frequency")}
    objective = records.save_record(actor, SecurityObjective(
        organisation=organisation, owner=owner, due_date=_due(today, spec["due"]),
        baseline=Decimal(spec["baseline"]), target=Decimal(spec["target"]), **fields))
    for day, entry in zip(_months_before(today), spec["values"], strict=True):
        value, note = entry if isinstance(entry, list) else (entry, "")
        records.save_record(actor, Measurement(
            organisation=organisation, objective=objective, measured_on=day,
            value=Decimal(value), note=note))
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
