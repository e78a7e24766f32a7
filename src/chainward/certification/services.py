"""Management-review and certification workflows: compile the review pack, hold the review,
approve the minutes, plan the three-year certification cycle."""

import calendar
import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chainward.core import services as records
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event

from . import review_inputs
from .choices import MilestoneKind, ReviewStatus
from .models import CycleMilestone

log = logging.getLogger(__name__)


def _may_change(user, obj):
    if not type(obj).objects.restrict(user, "change").filter(pk=obj.pk).exists():
        raise PermissionDenied(f"You may not change this {obj._meta.verbose_name}.")


def scope_label(user, organisation):
    """How far the user's view reaches, in words (stored with snapshots and packs)."""
    from chainward.access.models import RoleAssignment

    assignments = RoleAssignment.objects.filter(user=user, organisation=organisation,
                                                archived=False).prefetch_related("sites")
    if user.is_superuser or any(a.all_sites for a in assignments):
        return "whole organisation"
    sites = sorted({s.code or s.name for a in assignments for s in a.sites.all()})
    return "sites " + ", ".join(sites) if sites else "no sites"


def compile_inputs(organisation, user):
    """Run every registered review input; placeholders for the topics nobody covers yet."""
    sections = []
    for item in review_inputs.registered_inputs():
        try:
            data = item.func(organisation, user)
            entry = {"key": item.key, "title": item.title, "order": item.order,
                     "available": True, **data}
        except Exception as exc:  # noqa: BLE001 - one broken input must not sink the pack
            log.exception("review input %s failed", item.key)
            entry = {"key": item.key, "title": item.title, "order": item.order,
                     "available": True, "error": f"This input failed: {exc}"}
        sections.append(entry)
    for key, title, order in review_inputs.placeholders():
        sections.append({"key": key, "title": title, "order": order, "available": False,
                         "note": "Not yet available in this installation."})
    return sorted(sections, key=lambda s: (s["order"], s["key"]))


def compile_pack(user, review):
    """Compile the review pack from the registers, as `user` sees them, into the snapshot.

    The snapshot records when, by whom and with which scope it was compiled; pages and PDFs
    show it as stored. Compiling again (before the meeting) replaces it.

    Refused (PermissionDenied, with the reason):
    - once the review is held or its minutes approved: the pack is what management saw;
    - when the meeting date is already past: a pack compiled after the meeting is not what
      management reviewed. If the meeting was postponed, move its date first (editing the
      review), then compile.
    A pack may be compiled on the meeting day itself or any day before it.
    """
    _may_change(user, review)
    if review.status in (ReviewStatus.HELD, ReviewStatus.MINUTES_APPROVED):
        raise PermissionDenied("The review was held: its pack is what management saw and "
                               "cannot be compiled again.")
    today = timezone.localdate()
    if review.date < today:
        raise PermissionDenied(
            f"The meeting date ({review.date:%Y-%m-%d}) is past: a pack compiled now would not "
            "be what management reviewed. If the meeting was postponed, change its date "
            "first.")
    now = timezone.now()
    review.snapshot = {
        "compiled_at": now.isoformat(), "compiled_by": user.email,
        "compiled_by_name": str(user),
        "scope": scope_label(user, review.organisation),
        "inputs": compile_inputs(review.organisation, user),
    }
    review.compiled_at, review.compiled_by = now, user
    review.status = ReviewStatus.PACK_COMPILED
    with acting_as(user), transaction.atomic():
        records.save_record(user, review)
        record_event("compile", obj=review, details={
            "inputs": [s["key"] for s in review.snapshot["inputs"] if s["available"]]})
    return review


def mark_held(user, review):
    """The meeting took place: record the review as held.

    Refused (PermissionDenied, with the reason) unless the pack was compiled, the meeting date
    is today or past (a meeting in the future has not taken place yet) and the meeting was not
    before the pack was compiled (management cannot have reviewed a pack that did not exist).
    """
    _may_change(user, review)
    if review.status != ReviewStatus.PACK_COMPILED:
        raise PermissionDenied("Compile the review pack before recording the meeting as held.")
    today = timezone.localdate()
    if review.date > today:
        raise PermissionDenied(
            f"The meeting date ({review.date:%Y-%m-%d}) is in the future: record the review as "
            "held on or after the meeting day, or change the date if it was brought forward.")
    if review.compiled_at and review.date < timezone.localdate(review.compiled_at):
        raise PermissionDenied(
            f"The meeting date ({review.date:%Y-%m-%d}) is before the pack was compiled "
            f"({timezone.localdate(review.compiled_at):%Y-%m-%d}): correct the date.")
    review.status = ReviewStatus.HELD
    return records.save_record(user, review)


def approve_minutes(user, review):
    """The chair (or a manager) approves the minutes and decisions."""
    _may_change(user, review)
    if review.status != ReviewStatus.HELD:
        raise PermissionDenied("Only the minutes of a held review can be approved.")
    if not review.decisions.strip():
        raise ValidationError({"decisions": "Record the decisions before approving."})
    review.status = ReviewStatus.MINUTES_APPROVED
    review.minutes_approved_by, review.minutes_approved_at = user, timezone.now()
    return records.save_record(user, review)


# --- Certification cycle -----------------------------------------------------------------------
STAGE2_AFTER_STAGE1 = datetime.timedelta(days=42)  # six weeks to close stage 1 concerns
DECISION_AFTER_STAGE2 = datetime.timedelta(days=28)  # report + independent review
RECERTIFY_MONTHS_BEFORE_EXPIRY = 3  # the recertification audit ends well before expiry
VALIDITY_YEARS = 3


def add_months(day, months):
    """The same day `months` later (or earlier), clipped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_dates(*, stage1=None, decision=None, expires=None):
    """Due dates of the six milestones (standards.md §3, ISO/IEC 17021-1 logic).

    From a stage 1 date: stage 2 six weeks later, the decision four weeks after stage 2.
    From a decision (a certificate already issued): stage 2 and stage 1 backwards the same way.
    Surveillance 1 at the latest 12 months after the decision, surveillance 2 at 24 months;
    the certificate is valid three years (to the day before) and the recertification audit is
    due three months before it expires.
    """
    if decision is None:
        if stage1 is None:
            raise ValueError("Give the stage 1 date or the certification decision date.")
        stage2 = stage1 + STAGE2_AFTER_STAGE1
        decision = stage2 + DECISION_AFTER_STAGE2
    else:
        stage2 = decision - DECISION_AFTER_STAGE2
        stage1 = stage1 or stage2 - STAGE2_AFTER_STAGE1
    expires = expires or add_months(decision, 12 * VALIDITY_YEARS) - datetime.timedelta(days=1)
    return {
        MilestoneKind.STAGE1: stage1,
        MilestoneKind.STAGE2: stage2,
        MilestoneKind.DECISION: decision,
        MilestoneKind.SURVEILLANCE1: add_months(decision, 12),
        MilestoneKind.SURVEILLANCE2: add_months(decision, 24),
        MilestoneKind.RECERTIFICATION: add_months(expires, -RECERTIFY_MONTHS_BEFORE_EXPIRY),
    }


def plan_cycle(user, certificate, start=None):
    """Create the missing milestones of the certificate's three-year cycle.

    A certificate with an issue date is planned from that decision date (and its expiry);
    otherwise `start` is the stage 1 date. Existing milestones are left alone. Returns every
    milestone of the certificate, in order.
    """
    _may_change(user, certificate)
    if certificate.issued_on:
        dates = cycle_dates(decision=certificate.issued_on, expires=certificate.expires_on)
    elif start is not None:
        dates = cycle_dates(stage1=start)
    else:
        raise ValidationError({"start": "Give the stage 1 date (the certificate is not "
                                        "issued yet)."})
    have = set(certificate.milestones.values_list("kind", flat=True))
    with acting_as(user), transaction.atomic():
        for kind, due in dates.items():
            if kind not in have:
                records.save_record(user, CycleMilestone(
                    organisation=certificate.organisation, certificate=certificate, kind=kind,
                    due_date=due))
    return sorted(certificate.milestones.all(), key=lambda m: m.step)
