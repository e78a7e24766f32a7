"""People workflows and computations: copied sites kept in step, the competence matrix (ISO
28000 7.2: people × requirements, met / expiring / expired / missing), training due, and the
security roles left vacant or about to be (5.3).

The matrix is computed with a fixed number of queries whatever the number of people and
requirements: one page of people, their current appointments, the competences those roles
require, and one aggregate of their training records.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone

from chainward.core import services as records

from .choices import COUNTS, Standing
from .models import Appointment, CompetenceRequirement, Person, SecurityRole, TrainingRecord

EXPIRING_DAYS = 60  # a valid training that ends within 60 days is "expiring"
APPOINTMENT_WARNING_DAYS = 30  # an appointment that ends within 30 days is due


# --- copied sites ---------------------------------------------------------------------------
def sync_sites(user, obj):
    """After a person or a role moves site, their training records or appointments follow it
    (their copied site is the scope column; one ledger entry per moved record)."""
    model, parent = (TrainingRecord, "person") if isinstance(obj, Person) else \
        (Appointment, "role")
    stale = model.objects.filter(**{parent: obj})
    stale = stale.filter(site__isnull=False) if obj.site_id is None else \
        stale.exclude(site_id=obj.site_id)
    if stale.exists():
        records.update_records(user, stale, reason=f"{obj} moved site", touch=False,
                               site_id=obj.site_id)


# --- the competence matrix ------------------------------------------------------------------
def standing(expires_on, never_expires, today=None):
    """The standing of the best valid-looking record of a cell."""
    today = today or timezone.localdate()
    if never_expires or expires_on is None:
        return Standing.MET
    if expires_on < today:
        return Standing.EXPIRED
    if expires_on <= today + datetime.timedelta(days=EXPIRING_DAYS):
        return Standing.EXPIRING
    return Standing.MET


def current_appointments(queryset, today=None):
    """Appointments in force today, of people who have not left."""
    today = today or timezone.localdate()
    return queryset.filter(archived=False, since__lte=today).filter(
        Q(until__isnull=True) | Q(until__gte=today)).filter(
        Q(person__left_on__isnull=True) | Q(person__left_on__gte=today))


def current_people(queryset, today=None):
    """People who have not left."""
    today = today or timezone.localdate()
    return queryset.filter(archived=False).filter(Q(left_on__isnull=True) |
                                                  Q(left_on__gte=today))


@dataclass
class Row:
    """One person's row of the matrix: their roles and a cell per requirement."""

    person: Person
    roles: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # (requirement, standing or "", expires_on)


def cells_for(user, people, requirements, today=None):
    """The matrix rows of `people` (a list) over `requirements` (a list), within the user's
    scope: required = needed by a role the person holds today."""
    today = today or timezone.localdate()
    ids = [p.pk for p in people]
    appointments = list(current_appointments(
        Appointment.objects.restrict(user, "view").filter(person_id__in=ids), today)
        .select_related("role").order_by("role__name", "pk"))
    through = SecurityRole.required_competences.through
    needs = {}
    for role_id, requirement_id in through.objects.filter(
            securityrole_id__in={a.role_id for a in appointments}).values_list(
            "securityrole_id", "competencerequirement_id"):
        needs.setdefault(role_id, set()).add(requirement_id)
    best = {(row["person_id"], row["requirement_id"]): row for row in
            TrainingRecord.objects.restrict(user, "view").filter(
                person_id__in=ids, archived=False, result__in=COUNTS,
                completed_on__lte=today)
            .values("person_id", "requirement_id")
            .annotate(expires=Max("expires_on"),
                      open_ended=Count("pk", filter=Q(expires_on__isnull=True)))
            .order_by()}
    rows = {p.pk: Row(p) for p in people}
    required = {p.pk: set() for p in people}
    for appointment in appointments:
        rows[appointment.person_id].roles.append(appointment.role)
        required[appointment.person_id] |= needs.get(appointment.role_id, set())
    for person in people:
        for requirement in requirements:
            record = best.get((person.pk, requirement.pk))
            if record is not None:
                state = standing(record["expires"], record["open_ended"], today)
                cell = (requirement, state, None if record["open_ended"] else record["expires"])
            elif requirement.pk in required[person.pk]:
                cell = (requirement, Standing.MISSING, None)
            else:
                cell = (requirement, "", None)
            rows[person.pk].cells.append(cell + (requirement.pk in required[person.pk],))
    return [rows[p.pk] for p in people]


def requirements_of(organisation):
    """The organisation's competence requirements (the matrix's columns)."""
    return list(CompetenceRequirement.objects.filter(organisation=organisation,
                                                     archived=False).order_by("name", "pk"))


def training_due(user, organisation, today=None, limit=None):
    """(person, requirement, standing, expires_on) of every required competence that is
    expiring, expired or missing, for the current people the user may see."""
    people = list(current_people(Person.objects.restrict(user, "view").filter(
        organisation=organisation)).order_by("full_name", "pk"))
    due = []
    for row in cells_for(user, people, requirements_of(organisation), today):
        for requirement, state, expires, required in row.cells:
            if required and state in (Standing.EXPIRING, Standing.EXPIRED, Standing.MISSING):
                due.append((row.person, requirement, state, expires))
                if limit and len(due) >= limit:
                    return due
    return due


# --- roles: vacancies and expiring appointments ---------------------------------------------
def roles_due(user, organisation, today=None):
    """(role, reason) for every role with fewer current holders than it needs, or whose
    appointment ends within APPOINTMENT_WARNING_DAYS (ISO 28000 5.3)."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=APPOINTMENT_WARNING_DAYS)
    current = Q(appointments__archived=False, appointments__since__lte=today) & (
        Q(appointments__until__isnull=True) | Q(appointments__until__gte=today)) & (
        Q(appointments__person__left_on__isnull=True) |
        Q(appointments__person__left_on__gte=today))
    ending = current & Q(appointments__until__isnull=False, appointments__until__lte=soon)
    found = []
    for role in SecurityRole.objects.restrict(user, "view").filter(
            organisation=organisation, archived=False).annotate(
            holders=Count("appointments", filter=current, distinct=True),
            ending=Count("appointments", filter=ending, distinct=True)).order_by("name", "pk"):
        if role.holders < role.positions:
            missing = role.positions - role.holders
            found.append((role, f"vacant ({missing} of {role.positions} not filled)"))
        elif role.ending:
            found.append((role, f"appointment ends within {APPOINTMENT_WARNING_DAYS} days"))
    return found
