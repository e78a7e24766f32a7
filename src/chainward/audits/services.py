"""Audit and corrective-action workflows (ISO 28000 9.2, 10.2).

Each is atomic, takes the actor explicitly, goes through `save_record` (so the ledger sees
it) and writes a domain event for what is more than a field change.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chainward.access.models import RoleAssignment, User
from chainward.core import roles
from chainward.core import services as records
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event
from chainward.library.models import CatalogEntry, EntryKind, Requirement

from .choices import (
    AUDIT_TRANSITIONS,
    CAPA_DONE,
    CAPA_TRANSITIONS,
    COMPLETED,
    NONCONFORMITIES,
    AuditStatus,
    CapaSource,
    CapaStatus,
)
from .models import Audit, ChecklistItem, CorrectiveAction

IMPARTIALITY = "ISO 28000 9.2: auditors must be objective and impartial"


# --- independence ------------------------------------------------------------------------------
def independence_problems(organisation_id, auditors, site_ids, responsible_ids=()):
    """Why the given auditors may not audit these sites / this scope: {user id: reason}.

    "Responsible" means, concretely: holding a current Site security officer assignment over
    one of the audited sites (or over the whole organisation), or being named among the
    people responsible for the audited scope. One query whatever the team size.
    """
    auditors = [a for a in auditors if a is not None]
    if not auditors:
        return {}
    problems = {}
    responsible_ids = set(responsible_ids)
    for auditor in auditors:
        if auditor.pk in responsible_ids:
            problems[auditor.pk] = (f"{auditor.email} is responsible for the audited scope and "
                                    f"cannot audit it ({IMPARTIALITY}).")
    site_ids = set(site_ids)
    if site_ids:
        today = timezone.localdate()
        officers = (RoleAssignment.objects
                    .filter(organisation_id=organisation_id, archived=False,
                            role__name=roles.SITE_SECURITY_OFFICER,
                            user__in=[a.pk for a in auditors])
                    .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
                    .prefetch_related("sites"))
        by_user = {a.pk: a for a in auditors}
        for assignment in officers:
            if assignment.all_sites:
                clash = "every site of the organisation"
            else:
                names = sorted(s.name for s in assignment.sites.all() if s.pk in site_ids)
                clash = ", ".join(names)
            if clash and assignment.user_id not in problems:
                auditor = by_user[assignment.user_id]
                problems[auditor.pk] = (f"{auditor.email} is site security officer of {clash} "
                                        f"and cannot audit it ({IMPARTIALITY}).")
    return problems


def assert_independent(audit):
    """Refuse (ValidationError on lead_auditor / team) an audit whose team is not independent
    of its scope, as stored with its many-to-many values.

    The one place of the rule: `save_record` runs it after every save of an audit from every
    path (the audit register's `after_save`: UI, API create and PATCH, demo), and
    `transition_audit` goes through `save_record`, so a team that lost its independence since
    planning cannot move on. Forms and serializers only show the refusal.
    """
    lead, team = audit.lead_auditor, list(audit.team.all())
    problems = independence_problems(
        audit.organisation_id, [lead, *team], set(audit.sites.values_list("pk", flat=True)),
        set(audit.responsible_persons.values_list("pk", flat=True)))
    errors = {}
    if lead is not None and lead.pk in problems:
        errors["lead_auditor"] = [problems[lead.pk]]
    team_errors = [problems[m.pk] for m in team if m.pk in problems and
                   (lead is None or m.pk != lead.pk)]
    if team_errors:
        errors["team"] = team_errors
    if errors:
        raise ValidationError(errors)


# --- audits ------------------------------------------------------------------------------------
def transition_audit(user, audit, to_status, *, expected_version=None):
    """planned → in progress → reported → closed, nothing else; dates filled in on the way."""
    if not Audit.objects.restrict(user, "change").filter(pk=audit.pk).exists():
        raise PermissionDenied("You may not change this audit.")
    allowed = AUDIT_TRANSITIONS.get(audit.status, ())
    if to_status not in allowed:
        label = AuditStatus(to_status).label if to_status in AuditStatus.values else to_status
        raise ValidationError({"status": f"An audit that is {audit.get_status_display().lower()}"
                                         f" cannot become {label.lower()}."})
    today = timezone.localdate()
    if to_status == AuditStatus.IN_PROGRESS and audit.actual_start is None:
        audit.actual_start = today
    if to_status == AuditStatus.REPORTED:
        if not audit.conclusion.strip():
            raise ValidationError({"conclusion": "Write the audit conclusion before reporting."})
        if audit.actual_end is None:
            audit.actual_end = today
    before = audit.status
    with acting_as(user), transaction.atomic():
        audit.status = to_status
        records.save_record(user, audit, expected_version=expected_version)
        record_event("transition", obj=audit, details={"from": before, "to": to_status})
    return audit


def assessable_requirements(audit):
    """The requirements in scope: the chosen subset, else every assessable one of the criteria."""
    chosen = audit.requirements.filter(retired=False)
    if chosen.exists():
        return chosen.order_by("framework", "order")
    return Requirement.objects.filter(framework__in=audit.criteria.all(), assessable=True,
                                      retired=False).order_by("framework", "order")


def checklist_templates():
    """Checklist templates of the catalogue (e.g. the C-TPAT 17-point inspection)."""
    return CatalogEntry.objects.filter(kind=EntryKind.CHECKLIST_TEMPLATE, retired=False)


def generate_checklist(user, audit, *, template=None):
    """Add checklist questions from the requirements in scope, or from a checklist template.

    Idempotent: a requirement (or a template question) already on the checklist is skipped.
    Returns the number of items added.
    """
    if not Audit.objects.restrict(user, "change").filter(pk=audit.pk).exists():
        raise PermissionDenied("You may not change this audit.")
    if audit.status in COMPLETED:
        raise ValidationError(f"The audit is {audit.get_status_display().lower()}: its checklist "
                              "was the basis of the report; questions are added before or "
                              "during the audit.")
    existing = list(audit.checklist.values_list("requirement_id", "question", "order"))
    have_requirements = {r for r, _, _ in existing if r}
    have_questions = {q for _, q, _ in existing}
    order = max((o for _, _, o in existing), default=0)
    rows = []
    if template is not None:
        name = template.name
        for item in template.data.get("items") or []:
            group = item.get("group")
            question = f"{name}: {item['text']}" + (f" ({group})" if group else "")
            if question not in have_questions:
                rows.append((None, question))
    else:
        for requirement in assessable_requirements(audit):
            if requirement.pk in have_requirements:
                continue
            question = f"{requirement.ref_id} {requirement.title}"
            if requirement.paraphrase:
                question += f" — {requirement.paraphrase}"
            rows.append((requirement, question))
    with acting_as(user), transaction.atomic():
        for requirement, question in rows:
            order += 1
            records.save_record(user, ChecklistItem(
                organisation=audit.organisation, audit=audit, requirement=requirement,
                question=question, order=order))
        if rows:
            record_event("generate_checklist", obj=audit, details={
                "items": len(rows), "template": template.urn if template else None})
    return len(rows)


def set_checklist_result(user, item, *, result, notes, samples, expected_version=None):
    """Record one checklist answer (the inline row editor)."""
    if item.audit.status == AuditStatus.CLOSED:
        raise ValidationError("The audit is closed; its checklist is final.")
    item.result, item.notes, item.samples = result, notes, samples
    item.full_clean(exclude=["audit", "requirement", "organisation"])
    return records.save_record(user, item, expected_version=expected_version)


# --- findings → corrective actions --------------------------------------------------------------
def open_corrective_action_for(finding):
    """A major or minor nonconformity opens exactly one corrective action (ISO 28000 10.2).

    Called after every save of a finding (UI, API, import, demo) in the saver's transaction and
    actor context; it does nothing for other grades or when the finding already has one.
    """
    if finding.grade not in NONCONFORMITIES or finding.archived:
        return None
    if CorrectiveAction.objects.filter(finding=finding).exists():
        return None
    audit = finding.audit
    site = finding.site
    if site is None:
        sites = list(audit.sites.all()[:2])
        site = sites[0] if len(sites) == 1 else None
    days = 30 if finding.grade == "major" else 90
    owner = (audit.responsible_persons.first() or audit.lead_auditor or finding.updated_by
             or finding.created_by or _security_manager(finding.organisation_id))
    if owner is None:
        return None  # nobody to own it yet: an empty organisation; never a crash
    action = CorrectiveAction(
        organisation_id=finding.organisation_id, source=CapaSource.AUDIT_FINDING,
        finding=finding, title=f"Correct {finding.reference}: {finding.statement[:150]}",
        description=finding.statement, site=site, owner=owner,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
        created_by=finding.updated_by, updated_by=finding.updated_by)
    action.save()
    announce_owner(finding.updated_by, action)
    return action


def announce_owner(user, capa):
    """ISO 28000 10.2: the owner of an open corrective action is told it is theirs, once per
    owner, through the notification service (in the app, and by e-mail unless they opted out).
    Called by the corrective action's register on every save and by the finding rule above."""
    if capa.status in CAPA_DONE:
        return None
    from chainward.notifications.services import notify_corrective_action_owner

    return notify_corrective_action_owner(capa, actor=user)


def _security_manager(organisation_id):
    """The organisation's first organisation-wide security manager (or administrator)."""
    assignment = (RoleAssignment.objects
                  .filter(organisation_id=organisation_id, archived=False, all_sites=True,
                          role__name__in=(roles.SECURITY_MANAGER, roles.ADMINISTRATOR),
                          user__is_active=True)
                  .select_related("user").order_by("-role__name", "pk").first())
    return assignment.user if assignment else None


# --- corrective actions -----------------------------------------------------------------------
def _can_change(user, capa):
    if not CorrectiveAction.objects.restrict(user, "change").filter(pk=capa.pk).exists():
        raise PermissionDenied("You may not change this corrective action.")


def advance_corrective_action(user, capa, to_status, *, expected_version=None):
    """Move a corrective action one step with the status buttons; each step needs its content."""
    _can_change(user, capa)
    if to_status not in CAPA_TRANSITIONS.get(capa.status, ()):
        label = CapaStatus(to_status).label if to_status in CapaStatus.values else to_status
        raise ValidationError({"status": f"A corrective action that is "
                                         f"{capa.get_status_display().lower()} cannot move to "
                                         f"{label.lower()}."})
    if to_status == CapaStatus.CONTAINMENT and not capa.containment_action.strip():
        raise ValidationError({"containment_action": "Describe the immediate action first."})
    if to_status == CapaStatus.ROOT_CAUSE_ANALYSED and not capa.root_cause:
        raise ValidationError({"root_cause": "Record the root-cause analysis first."})
    steps = list(capa.steps.filter(archived=False))
    if to_status == CapaStatus.ACTIONS_PLANNED and not steps:
        raise ValidationError({"status": "Plan at least one action (step) first."})
    if to_status == CapaStatus.ACTIONS_DONE and any(s.done_on is None for s in steps):
        raise ValidationError({"status": "Every step must be done first."})
    before = capa.status
    with acting_as(user), transaction.atomic():
        if to_status == CapaStatus.CONTAINMENT and capa.containment_on is None:
            capa.containment_on = timezone.localdate()
        capa.status = to_status
        records.save_record(user, capa, expected_version=expected_version)
        record_event("transition", obj=capa, details={"from": before, "to": to_status})
    return capa


def verify_corrective_action(user, capa, *, effective, notes="", expected_version=None):
    """ISO 28000 10.2 — review whether the actions worked (done by someone other than the owner).

    That the verifier is not the owner is Chainward's rule, not a requirement of the clause.

    Effective: closed, with verifier, date and notes. Ineffective: back to actions planned, the
    reopen count goes up and the ledger keeps the failed verification.
    """
    if not CorrectiveAction.objects.restrict(user, "verify").filter(pk=capa.pk).exists():
        raise PermissionDenied("You may not verify corrective actions here; ask an "
                               "administrator, the security manager or an internal auditor.")
    if capa.owner_id == user.pk:
        raise PermissionDenied("The owner of a corrective action cannot verify its "
                               "effectiveness; ask another authorised person (Chainward's "
                               "rule for the ISO 28000 10.2 effectiveness review).")
    if capa.status != CapaStatus.ACTIONS_DONE:
        raise ValidationError({"status": "Only a corrective action whose actions are all done "
                                         "can be verified; it is "
                                         f"{capa.get_status_display().lower()}."})
    steps = list(capa.steps.filter(archived=False))
    if not steps or any(s.done_on is None for s in steps):
        raise ValidationError({"status": "Every step must be done before verification."})
    if not effective and not notes.strip():
        raise ValidationError({"verification_notes": "Say why the actions were not effective."})
    with acting_as(user), transaction.atomic():
        capa.verification_notes = notes
        if effective:
            capa.status = CapaStatus.CLOSED
            capa.verified_by, capa.verified_on = user, timezone.localdate()
        else:
            capa.status = CapaStatus.ACTIONS_PLANNED
            capa.reopen_count += 1
            capa.verified_by, capa.verified_on = None, None
        records.save_record(user, capa, expected_version=expected_version)
        record_event("verify", obj=capa, details={"effective": bool(effective), "notes": notes,
                                                  "reopen_count": capa.reopen_count})
    return capa


# --- overdue and "my work" -------------------------------------------------------------------
def overdue_corrective_actions(queryset, today=None):
    """Corrective actions past their due date and not closed."""
    today = today or timezone.localdate()
    return queryset.filter(archived=False, due_date__lt=today).exclude(status__in=CAPA_DONE)


def overdue_steps(queryset, today=None):
    """Steps past their due date and not done (of corrective actions still open)."""
    today = today or timezone.localdate()
    return queryset.filter(archived=False, done_on__isnull=True, due_date__lt=today,
                           corrective_action__archived=False).exclude(
        corrective_action__status__in=CAPA_DONE)


def upcoming_audits(queryset, days=30, today=None):
    """Planned audits starting within `days` days (or already due to start)."""
    today = today or timezone.localdate()
    return queryset.filter(archived=False, status=AuditStatus.PLANNED,
                           planned_start__lte=today + datetime.timedelta(days=days))


_my_work = []


def my_work_section(func):
    """Register `func(request) -> dict(title, rows, empty) | None` as a section of My work."""
    _my_work.append(func)
    return func


def my_work(request):
    """Every section of the user's My work page."""
    return [s for s in (func(request) for func in _my_work) if s is not None]


def people_of(organisation):
    """Active people with a role in the organisation."""
    return User.objects.filter(role_assignments__organisation=organisation,
                               role_assignments__archived=False, is_active=True).distinct()

