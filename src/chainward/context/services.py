"""Workflows of the context app: the compliance-evaluation schedule of the legal register
(ISO 28000 4.2.2, 9.1) and the life of a planned change (6.3).

Each takes the actor explicitly and writes through the ledgered path (`save_record` or
`update_records` for derived fields).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chainward.core import services as records
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event

from .choices import ChangeStatus
from .models import ComplianceEvaluation, Obligation, PlannedChange, add_months

# Which step may follow which (ISO 28000 6.3: approve before implementing, review after).
CHANGE_STEPS = {
    ChangeStatus.PROPOSED: (ChangeStatus.APPROVED, ChangeStatus.REJECTED),
    ChangeStatus.APPROVED: (ChangeStatus.IMPLEMENTED, ChangeStatus.REJECTED),
    ChangeStatus.IMPLEMENTED: (ChangeStatus.REVIEWED,),
    ChangeStatus.REVIEWED: (),
    ChangeStatus.REJECTED: (),
}


def schedule(obligation, last=None):
    """(last evaluation or None, next due date) of an obligation: the interval after its last
    evaluation; at once when it was never evaluated or the requirement changed since."""
    if last is None:
        last = obligation.evaluations.filter(archived=False).order_by(
            "-evaluated_on", "-pk").first()
    if last is None:
        due = timezone.localtime(obligation.created_at).date()
    else:
        due = add_months(last.evaluated_on, obligation.evaluation_interval_months)
    changed = obligation.law_changed_on
    if changed and (last is None or changed > last.evaluated_on):
        due = min(due, changed)
    return last, due


def refresh_obligation(user, obligation):
    """Write an obligation's last evaluation, result and next due date (derived fields; one
    ledger entry when they change). Run after every save of an obligation or an evaluation,
    from every path (the registers' after_save)."""
    last, due = schedule(obligation)
    values = {"last_evaluated_on": last.evaluated_on if last else None,
              "last_result": last.result if last else "", "next_evaluation_due": due}
    if all(getattr(obligation, name) == value for name, value in values.items()):
        return obligation
    records.update_records(user, Obligation.objects.filter(pk=obligation.pk),
                           reason="compliance evaluation schedule (ISO 28000 9.1)",
                           touch=False, **values)
    for name, value in values.items():
        setattr(obligation, name, value)
    return obligation


def due_q(on=None):
    """Q for "its compliance evaluation is due on `on` (today) or earlier"; an obligation not
    scheduled yet (never evaluated) is due."""
    on = on or timezone.localdate()
    return Q(next_evaluation_due__lte=on) | Q(next_evaluation_due__isnull=True)


def due_obligations(queryset, on=None):
    """Obligations not archived whose compliance evaluation is due."""
    return queryset.filter(due_q(on), archived=False)


def record_evaluation(user, obligation, **fields):
    """Record a compliance evaluation (the demo's and the tests' service path); the same rules
    as the form and the API (model clean, scope, the schedule refreshed)."""
    evaluation = ComplianceEvaluation(organisation_id=obligation.organisation_id,
                                      obligation=obligation, **fields)
    evaluation.full_clean()
    records.save_record(user, evaluation)
    return evaluation


def transition_change(user, change, to, *, on=None, review="", expected_version=None):
    """Move a planned change to its next status. Approving or rejecting needs the 'approve'
    right (security manager, top management), so the officer who proposed a change cannot
    approve it; implementing and the post-change review need 'change' (the review needs its
    text)."""
    if to not in ChangeStatus.values:
        raise ValidationError({"status": f"'{to}' is not a status of a planned change."})
    to = ChangeStatus(to)
    deciding = to in (ChangeStatus.APPROVED, ChangeStatus.REJECTED)
    right = "approve" if deciding else "change"
    if not PlannedChange.objects.restrict(user, right).filter(pk=change.pk).exists():
        raise PermissionDenied("Approving or rejecting a change needs the approve right "
                               "(security manager or top management)." if deciding else
                               "You may not change this planned change.")
    if to not in CHANGE_STEPS[ChangeStatus(change.status)]:
        raise ValidationError({"status": f"A {change.get_status_display().lower()} change "
                                         f"cannot become {to.label.lower()}."})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"status": "A step cannot be dated in the future."})
    if expected_version is not None and expected_version != change.version:
        current = PlannedChange.objects.get(pk=change.pk)
        raise records.Conflict(current, records.changes_since(current, expected_version))
    values = {"status": to}
    if to == ChangeStatus.APPROVED:
        values.update(approved_by=user, approved_on=on)
    elif to == ChangeStatus.IMPLEMENTED:
        values["implemented_on"] = on
    elif to == ChangeStatus.REVIEWED:
        text = review.strip() or change.post_change_review.strip()
        if not text:
            raise ValidationError({"post_change_review": "Write the post-change review: did "
                                                         "the change do what was planned, "
                                                         "and is security as intended?"})
        values.update(post_change_review=text, reviewed_on=on)
    with acting_as(user), transaction.atomic():
        # The right was checked above on the record in the user's scope; top management may
        # approve without holding 'change', so the step is written as a ledgered update.
        records.update_records(user, PlannedChange.objects.filter(pk=change.pk),
                               reason=f"planned change {to.label.lower()} (ISO 28000 6.3)",
                               **values)
        record_event("transition", obj=change, details={"to": str(to)})
    change.refresh_from_db()
    return change


# --- prompting for planned changes (ISO 28000 6.3) ------------------------------------------
PROMPT_DAYS = 90  # a site, leg or partner added in the last 90 days


def changes_to_record(user, organisation, today=None, limit=50):
    """(kind, record, add url) for every site, leg and partner the user may see that was added
    within PROMPT_DAYS and that no planned change names, and for every new holder of a key
    security role (a reorganisation; `reorganisations_to_record`): each should have gone
    through the management of change (ISO 28000 6.3). A fixed number of queries."""
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from chainward.supplychain.models import Leg, Partner, Site

    from .choices import ChangeKind
    from .models import PlannedChange

    today = today or timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=PROMPT_DAYS)
    named = PlannedChange.objects.filter(organisation=organisation, archived=False)
    add = reverse("context:plannedchange_add")
    found = []
    for model, kind, field in ((Site, ChangeKind.SITE, "site"),
                               (Partner, ChangeKind.PARTNER, "partner"),
                               (Leg, ChangeKind.LEG, "leg")):
        rows = (model.objects.restrict(user, "view")
                .filter(organisation=organisation, archived=False, created_at__gte=since)
                .exclude(pk__in=named.exclude(**{f"{field}__isnull": True}).values(field))
                .order_by("-created_at", "pk")[:limit])
        found += [(kind, row, f"{add}?{field}={row.pk}") for row in rows]
    found += reorganisations_to_record(user, organisation, today, limit)
    return found[:limit]


# Holders of these roles answer for the security management system (ISO 28000 5.3): a new one
# is a reorganisation of it.
KEY_ROLES = ("top_management", "security_manager", "deputy", "site_officer")


def reorganisations_to_record(user, organisation, today=None, limit=50):
    """(kind, appointment, add url) for every appointment the user may see to a key security
    role (top management, security manager and deputy, site security officer) that began within
    PROMPT_DAYS, unless a planned change of kind "reorganisation" is planned for no earlier
    than PROMPT_DAYS before it began (ISO 28000 6.3: a reorganisation prompts a change
    record). Two queries."""
    import datetime

    from django.urls import reverse

    from chainward.people.models import Appointment

    from .choices import ChangeKind

    today = today or timezone.localdate()
    window = datetime.timedelta(days=PROMPT_DAYS)
    planned = PlannedChange.objects.filter(
        organisation=organisation, archived=False, kind=ChangeKind.ORGANISATION).exclude(
        status=ChangeStatus.REJECTED).order_by("-planned_for").values_list(
        "planned_for", flat=True).first()
    appointments = (Appointment.objects.restrict(user, "view")
                    .filter(organisation=organisation, archived=False,
                            role__kind__in=KEY_ROLES, since__gt=today - window,
                            since__lte=today)
                    .select_related("person", "role").order_by("-since", "pk")[:limit])
    add = reverse("context:plannedchange_add")
    return [(ChangeKind.ORGANISATION, a, f"{add}?kind={ChangeKind.ORGANISATION}")
            for a in appointments if planned is None or planned < a.since - window]
