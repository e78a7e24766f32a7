"""People workflows and computations: copied sites kept in step, the competence matrix (ISO
28000 7.2: people × requirements, met / expiring / expired / missing), training due, and the
security roles left vacant or about to be (5.3).

The matrix is computed with a fixed number of queries whatever the number of people and
requirements: one page of people, their current appointments, the competences those roles
require, and one aggregate of their training records.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from chainward.context.models import add_months
from chainward.core import services as records

from .choices import COUNTS, Standing, TrainingResult
from .models import (
    Appointment,
    CompetenceRequirement,
    ConductAcknowledgement,
    Person,
    ScreeningRecord,
    SecurityRole,
    SessionAttendance,
    TrainingRecord,
)

EXPIRING_DAYS = 60  # a valid training that ends within 60 days is "expiring"
APPOINTMENT_WARNING_DAYS = 30  # an appointment that ends within 30 days is due


# --- copied sites ---------------------------------------------------------------------------
def sync_sites(user, obj):
    """After a person or a role moves site, their training records or appointments follow it
    (their copied site is the scope column; one ledger entry per moved record)."""
    followers = ((TrainingRecord, "person"), (ScreeningRecord, "person"),
                 (SessionAttendance, "person"), (ConductAcknowledgement, "person")) \
        if isinstance(obj, Person) else ((Appointment, "role"),)
    for model, parent in followers:
        stale = model.objects.filter(**{parent: obj})
        stale = stale.filter(site__isnull=False) if obj.site_id is None else \
            stale.exclude(site_id=obj.site_id)
        if stale.exists():
            records.update_records(user, stale, reason=f"{obj} moved site", touch=False,
                                   site_id=obj.site_id)


# --- training sessions: attendance writes the training records (ISO 28000 7.2) -------------
def training_expiry(course, requirement, held_on):
    """Until when a session of `course` shows `requirement`: the course's validity, else the
    competence's own, else for good (None)."""
    months = course.validity_months or requirement.validity_months
    return add_months(held_on, months) if months else None


TRAINED_FIELDS = ("person_id", "course", "provider", "completed_on", "duration_hours", "result",
                  "expires_on")


def train_attendee(user, attendance):
    """Bring the attendee's training records in step with their attendance of a session, as
    `user`: a pass (or an attendance without a test) gives one record per competence the course
    satisfies — the session's date, the result, valid until the date plus the course's validity
    — written once and updated when the attendance or the session changes; a fail writes none
    and turns the records it had written to failed. Every record goes through `save_record`
    (scope re-checked, ledgered), inside the caller's transaction.

    The attendance register's `after_save` calls it, so the form, the API, imports,
    `record_attendance` and the demo all reach this one rule."""
    session = attendance.session
    course = session.course
    existing = {r.requirement_id: r for r in TrainingRecord.objects.filter(
        attendance=attendance).select_related("requirement")}
    wanted = list(course.requirements.filter(archived=False).order_by("name", "pk")) \
        if attendance.result != TrainingResult.FAILED else \
        [r.requirement for r in existing.values()]
    written = []
    for requirement in wanted:
        record = existing.get(requirement.pk) or TrainingRecord(
            organisation=attendance.organisation, attendance=attendance,
            requirement=requirement)
        before = [getattr(record, name) for name in TRAINED_FIELDS]
        record.person = attendance.person
        record.course = f"{course.title} ({session.reference})"[:200]
        record.provider = session.given_by[:200]
        record.completed_on = session.held_on
        record.duration_hours = course.duration_hours
        record.result = attendance.result
        record.expires_on = training_expiry(course, requirement, session.held_on)
        if record.pk and before == [getattr(record, name) for name in TRAINED_FIELDS]:
            continue  # nothing changed: no new version, no ledger entry
        record.full_clean()
        written.append(records.save_record(user, record))
    return written


def follow_attendance_archive(user, attendance, archived):
    """The training records an attendance gave follow it when it is archived (withdrawn: the
    person no longer counts as trained by it) or restored (back, brought in step). Each
    through `set_archived` (scope re-checked, ledgered), inside the archiving transaction."""
    for record in TrainingRecord.objects.filter(attendance=attendance, archived=not archived):
        records.set_archived(user, record, archived)
    if not archived:
        train_attendee(user, attendance)


def retrain_session(user, session):
    """After a session's date, course or trainer changes, its attendees' records follow."""
    for attendance in SessionAttendance.objects.filter(session=session, archived=False) \
            .select_related("person", "session__course"):
        train_attendee(user, attendance)


def record_attendance(user, session, results):
    """Record who attended `session` and how, as `user`: `results` is [(person, result)]; an
    attendance already recorded for a person is changed, a new one added. One transaction;
    each attendance goes through `save_record`, whose register hook (`train_attendee`) writes
    the training records. Returns the attendance records."""
    with transaction.atomic():
        current = {a.person_id: a for a in SessionAttendance.objects.filter(session=session)}
        saved = []
        for person, result in results:
            attendance = current.get(person.pk) or SessionAttendance(
                organisation=session.organisation, session=session, person=person)
            if attendance.pk and attendance.result == result:
                saved.append(attendance)
                continue
            attendance.result = result
            try:
                attendance.full_clean()
                saved.append(records.save_record(user, attendance))
            except ValidationError as error:
                raise ValidationError(f"{person}: " + "; ".join(error.messages)) from None
            except PermissionDenied:
                raise PermissionDenied(
                    f"{person}: you may not record the attendance of people at "
                    f"{person.site or 'head office'}.") from None
    return saved


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


def cells_for(user, people, requirements, today=None, *, scoped=True):
    """The matrix rows of `people` (a list) over `requirements` (a list), within the user's
    scope (`scoped=False`: all of them — for a person's own reminders): required = needed by a
    role the person holds today."""
    today = today or timezone.localdate()
    ids = [p.pk for p in people]

    def source(model):
        return model.objects.restrict(user, "view") if scoped else model.objects.all()

    appointments = list(current_appointments(
        source(Appointment).filter(person_id__in=ids), today)
        .select_related("role").order_by("role__name", "pk"))
    through = SecurityRole.required_competences.through
    needs = {}
    for role_id, requirement_id in through.objects.filter(
            securityrole_id__in={a.role_id for a in appointments}).values_list(
            "securityrole_id", "competencerequirement_id"):
        needs.setdefault(role_id, set()).add(requirement_id)
    best = {(row["person_id"], row["requirement_id"]): row for row in
            source(TrainingRecord).filter(
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


REMINDER_DAYS = 30  # My work and the daily digest remind of training ending within 30 days


def training_reminders(user, organisation, today=None):
    """(person, requirement, standing, expires_on) to remind `user` of (ISO 28000 7.2): required
    competences expired, missing, or ending within REMINDER_DAYS — of the people whose training
    records the user keeps (the security manager, a site's officer: within their scope) and of
    the user's own staff record (whoever they are). Expired and missing first."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=REMINDER_DAYS)
    due = training_due(user, organisation, today) \
        if user.has_perm("people.change_trainingrecord") else []
    seen = {(person.pk, requirement.pk) for person, requirement, _, _ in due}
    own = list(current_people(Person.objects.filter(organisation=organisation, user=user),
                              today).select_related("site").order_by("full_name", "pk"))
    if own:
        for row in cells_for(user, own, requirements_of(organisation), today, scoped=False):
            for requirement, state, expires, required in row.cells:
                if required and state in (Standing.EXPIRING, Standing.EXPIRED,
                                          Standing.MISSING) and \
                        (row.person.pk, requirement.pk) not in seen:
                    due.append((row.person, requirement, state, expires))
    order = {Standing.EXPIRED: 0, Standing.MISSING: 1, Standing.EXPIRING: 2}
    return sorted([row for row in due if row[2] != Standing.EXPIRING or row[3] <= soon],
                  key=lambda row: (order[row[2]], row[0].full_name, row[1].name))


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


# --- personnel screening (C-TPAT 11.x, AEO 6.12) --------------------------------------------
SCREENING_WARNING_DAYS = 30  # a screening due again within 30 days is due


def may_see_screening(user, organisation):
    """Does `user` hold "view" on screening records in `organisation` (security manager, top
    management)? `has_perm` without an object answers for any organisation."""
    from chainward.core.scope import scope_map

    if user.is_superuser:
        return True
    return getattr(organisation, "pk", organisation) in (
        scope_map(user).get("people.screeningrecord:view") or {})


def screening_due(user, organisation, today=None):
    """(person, reason, due date) for every current person who holds a role that requires
    screening and has no screening, whose latest screening is due again within
    SCREENING_WARNING_DAYS, or whose latest result is "refer" — only for a user who may see
    screening records (the security manager, top management)."""
    if not may_see_screening(user, organisation):
        return []
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=SCREENING_WARNING_DAYS)
    visible = ScreeningRecord.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False)
    latest = {}
    for record in visible.order_by("person_id", "-checked_on", "-pk").values(
            "person_id", "checked_on", "next_due", "result"):
        latest.setdefault(record["person_id"], record)
    sensitive = set(current_appointments(Appointment.objects.restrict(user, "view").filter(
        organisation=organisation, role__screening_required=True), today)
        .values_list("person_id", flat=True))
    people = current_people(Person.objects.restrict(user, "view").filter(
        organisation=organisation, pk__in=sensitive | set(latest)), today)
    due = []
    for person in people.select_related("site").order_by("full_name", "pk"):
        record = latest.get(person.pk)
        if record is None:
            if person.pk in sensitive:
                due.append((person, "no screening on record", None))
        elif record["result"] == "refer":
            due.append((person, "referred to the security manager", record["checked_on"]))
        elif record["next_due"] and record["next_due"] <= soon:
            due.append((person, "screening due again", record["next_due"]))
    return due


def screening_past_retention(user, organisation, today=None):
    """Screening records (not yet archived) of people who left longer ago than the record's
    retention period: to be archived now (ISO 28000 7.5.3, data protection)."""
    today = today or timezone.localdate()
    candidates = ScreeningRecord.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False, person__left_on__isnull=False,
        person__left_on__lt=today).select_related("person")
    return [record for record in candidates.order_by("person__full_name", "pk")
            if record.erase_after is not None and record.erase_after < today]


# --- awareness campaigns (ISO 28000 7.3) ----------------------------------------------------
@dataclass
class SiteProgress:
    """One site's (or head office's) figures of a campaign."""

    name: str
    audience: int = 0
    acknowledged: int = 0
    no_account: int = 0

    @property
    def rate(self):
        return round(100 * self.acknowledged / self.audience) if self.audience else None


@dataclass
class Progress:
    """A campaign's completion: the approved version acknowledged, per site and overall."""

    campaign: object
    version: object = None  # the material's approved version, which people acknowledge
    sites: list = field(default_factory=list)
    pending_user_ids: set = field(default_factory=set)

    @property
    def audience(self):
        return sum(s.audience for s in self.sites)

    @property
    def acknowledged(self):
        return sum(s.acknowledged for s in self.sites)

    @property
    def rate(self):
        return round(100 * self.acknowledged / self.audience) if self.audience else None


def campaign_progress(campaigns, today=None):
    """Completion of each campaign (a list, same organisation), in a fixed number of queries:
    its audience is every current person (home site among the campaign's sites, when it names
    any) holding one of its roles today (anybody, when it names none); a person counts as done
    when their user account acknowledged the material's approved version through the documents'
    read-and-understood mechanism. The figures are counts, not names: whoever may see the
    campaign may see them."""
    from chainward.documents.choices import VersionStatus
    from chainward.documents.models import Acknowledgement, DocumentVersion

    today = today or timezone.localdate()
    if not campaigns:
        return []
    organisation_id = campaigns[0].organisation_id
    ids = [c.pk for c in campaigns]
    through_roles = type(campaigns[0]).audience_roles.through
    through_sites = type(campaigns[0]).sites.through
    roles_of, sites_of = {}, {}
    for campaign_id, role_id in through_roles.objects.filter(
            awarenesscampaign_id__in=ids).values_list("awarenesscampaign_id", "securityrole_id"):
        roles_of.setdefault(campaign_id, set()).add(role_id)
    for campaign_id, site_id in through_sites.objects.filter(
            awarenesscampaign_id__in=ids).values_list("awarenesscampaign_id", "site_id"):
        sites_of.setdefault(campaign_id, set()).add(site_id)
    versions = {}
    for version in DocumentVersion.objects.filter(
            document_id__in={c.material_id for c in campaigns},
            status=VersionStatus.APPROVED).order_by("document_id", "-number"):
        versions.setdefault(version.document_id, version)
    acknowledged = set(Acknowledgement.objects.filter(
        version_id__in=[v.pk for v in versions.values()]).values_list("version_id", "user_id"))
    people = list(current_people(Person.objects.filter(organisation_id=organisation_id), today)
                  .values_list("pk", "site_id", "site__name", "user_id"))
    held = {}
    for person_id, role_id in current_appointments(Appointment.objects.filter(
            organisation_id=organisation_id), today).values_list("person_id", "role_id"):
        held.setdefault(person_id, set()).add(role_id)
    result = []
    for campaign in campaigns:
        version = versions.get(campaign.material_id)
        roles, sites = roles_of.get(campaign.pk), sites_of.get(campaign.pk)
        progress, by_site = Progress(campaign, version), {}
        for person_id, site_id, site_name, user_id in people:
            if sites and site_id not in sites:
                continue
            if roles and not (held.get(person_id, set()) & roles):
                continue
            row = by_site.setdefault(site_id, SiteProgress(site_name or "Head office"))
            row.audience += 1
            if user_id is None:
                row.no_account += 1
            elif version is not None and (version.pk, user_id) in acknowledged:
                row.acknowledged += 1
            else:
                progress.pending_user_ids.add(user_id)
        progress.sites = sorted(by_site.values(), key=lambda s: (s.name != "Head office",
                                                                 s.name))
        result.append(progress)
    return result


def campaigns_owed(user, organisation, today=None):
    """Open campaigns (started, not archived) whose material `user` must still acknowledge:
    [(campaign, version)], earliest due first."""
    from .models import AwarenessCampaign

    today = today or timezone.localdate()
    if not Person.objects.filter(organisation=organisation, user=user).exists():
        return []
    campaigns = list(AwarenessCampaign.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False, starts_on__lte=today)
        .order_by("due_on", "pk"))
    return [(p.campaign, p.version) for p in campaign_progress(campaigns, today)
            if p.version is not None and user.pk in p.pending_user_ids]


# --- auditor competence (ISO 28000 9.2, 7.2) -------------------------------------------------
def auditor_competence_gaps(user, organisation, auditors, today=None):
    """(auditor account, what is lacking) for each auditor of an audit who lacks a competence
    the organisation's internal-auditor roles require: no staff record, or a required training
    missing or expired. Read within `user`'s scope: who may not see training records gets no
    warning (nor anybody's training)."""
    from .choices import RoleKind

    today = today or timezone.localdate()
    auditors = [a for a in dict.fromkeys(auditors) if a is not None]
    if not auditors or not user.has_perm("people.view_trainingrecord"):
        return []
    through = SecurityRole.required_competences.through
    required = list(CompetenceRequirement.objects.filter(
        organisation=organisation, archived=False, pk__in=through.objects.filter(
            securityrole__organisation=organisation, securityrole__archived=False,
            securityrole__kind=RoleKind.INTERNAL_AUDITOR).values("competencerequirement_id"))
        .order_by("name", "pk"))
    if not required:
        return []
    people = {p.user_id: p for p in current_people(Person.objects.restrict(user, "view").filter(
        organisation=organisation, user__in=auditors), today)}
    rows = {row.person.user_id: row for row in cells_for(user, list(people.values()), required,
                                                         today)}
    gaps = []
    for auditor in auditors:
        row = rows.get(auditor.pk)
        if row is None:
            gaps.append((auditor, "no staff record shows their auditor competence"))
            continue
        lacking = [f"{requirement.name} ({state or Standing.MISSING.label.lower()})"
                   for requirement, state, _, _ in row.cells
                   if state in ("", Standing.MISSING, Standing.EXPIRED)]
        if lacking:
            gaps.append((auditor, "lacks " + ", ".join(lacking)))
    return gaps


# --- the ISO 28001 assessment team's qualifications (5.3) -----------------------------------
@dataclass
class Qualification:
    """A team member's training records (as the reader may see them) and the competences the
    assessment-team roles require that none of them shows valid today."""

    records: list = field(default_factory=list)
    lacking: list = field(default_factory=list)  # (requirement, "missing" | "expired")


def qualifications_of(user, organisation, people, today=None):
    """{person id: Qualification} for `people` (ISO 28001 5.3 via ISO 28000 7.2), in three
    queries whatever their number; empty when the user may not see training records."""
    from .choices import RoleKind

    today = today or timezone.localdate()
    ids = [p.pk for p in people if p is not None]
    if not ids or not user.has_perm("people.view_trainingrecord"):
        return {}
    found = {pk: Qualification() for pk in ids}
    for record in TrainingRecord.objects.restrict(user, "view").filter(
            organisation=organisation, person_id__in=ids, archived=False).select_related(
            "requirement").order_by("requirement__name", "-completed_on", "-pk"):
        found[record.person_id].records.append(record)
    through = SecurityRole.required_competences.through
    required = CompetenceRequirement.objects.filter(
        organisation=organisation, archived=False, pk__in=through.objects.filter(
            securityrole__organisation=organisation, securityrole__archived=False,
            securityrole__kind=RoleKind.ASSESSOR).values("competencerequirement_id"))
    for requirement in required.order_by("name", "pk"):
        for qualification in found.values():
            shown = [r for r in qualification.records if r.requirement_id == requirement.pk
                     and r.result in COUNTS]
            if not shown:
                qualification.lacking.append((requirement, "missing"))
            elif all(r.is_expired for r in shown):
                qualification.lacking.append((requirement, "expired"))
    return found
