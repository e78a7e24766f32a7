"""The audits app's steps of the path to certification (chainward.core.path): internal audits
(ISO 28000 9.2) and continual improvement (ISO 28000 10: nonconformities corrected, actions
verified effective). Fixed queries, within the person's scope."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse

from chainward.core.path import Progress, path_step, plural
from chainward.core.querysets import visible

from .choices import CAPA_DONE, COMPLETED, AuditStatus, AuditType, CapaStatus, Grade
from .models import Audit, AuditProgramme, CorrectiveAction, Finding

YEAR = datetime.timedelta(days=365)


@path_step("internal_audits", needs="audits.view_audit")
def internal_audits(user, organisation, today):
    """An audit programme for the current period, an internal audit completed within twelve
    months, no corrective action overdue."""
    internal = visible(Audit, user, organisation).filter(audit_type=AuditType.INTERNAL)
    last = internal.filter(status__in=COMPLETED, actual_end__isnull=False).order_by(
        "-actual_end").first()
    planned = internal.filter(status=AuditStatus.PLANNED, planned_start__gte=today).order_by(
        "planned_start").first()
    programme = visible(AuditProgramme, user, organisation).filter(
        period_start__lte=today, period_end__gte=today).order_by("-period_start").first()
    overdue = CorrectiveAction.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False, due_date__lt=today).exclude(
        status__in=CAPA_DONE).count()
    progress = Progress()
    if programme is not None:
        progress.exists.append(f"Audit programme {programme.reference} “{programme.title}” "
                               f"({programme.period_start:%Y-%m-%d} to "
                               f"{programme.period_end:%Y-%m-%d}).")
    else:
        progress.missing.append("No audit programme for the current period.")
    if last is not None:
        progress.exists.append(f"Last internal audit {last.reference}, ended "
                               f"{last.actual_end:%Y-%m-%d}.")
    if last is None or last.actual_end < today - YEAR:
        progress.missing.append("No internal audit in the last 12 months.")
    if planned is not None:
        progress.exists.append(f"{planned.reference} planned from "
                               f"{planned.planned_start:%Y-%m-%d}.")
    if overdue:
        progress.missing.append(f"{plural(overdue, 'corrective action')} overdue.")
    if programme is None:
        progress.next_label = "Plan the audit programme"
        progress.next_url = reverse("audits:auditprogramme_add")
    elif (last is None or last.actual_end < today - YEAR) and planned is None:
        progress.next_label = "Plan an internal audit"
        progress.next_url = reverse("audits:audit_add") + f"?programme={programme.pk}"
    elif overdue:
        progress.next_label = "See the overdue corrective actions"
        progress.next_url = reverse("audits:correctiveaction_list") + "?overdue=true"
    else:
        target = planned or last
        progress.next_label, progress.next_url = (
            ("Prepare the planned audit", target.get_absolute_url()) if planned else
            ("Open the last audit report", target.get_absolute_url()) if target else
            ("Open the audits", reverse("audits:audit_list")))
    return progress


@path_step("improvement", needs="audits.view_correctiveaction")
def improvement(user, organisation, today):
    """Corrective actions closed after an effective verification; none left waiting for it."""
    counts = CorrectiveAction.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False).aggregate(
        open=Count("pk", filter=~Q(status__in=CAPA_DONE)),
        to_verify=Count("pk", filter=Q(status=CapaStatus.ACTIONS_DONE)),
        closed=Count("pk", filter=Q(status=CapaStatus.CLOSED, verified_on__gte=today - YEAR)))
    ideas = visible(Finding, user, organisation).filter(
        grade=Grade.OFI, created_at__date__gte=today - YEAR).count()
    progress = Progress()
    progress.exists.append(f"{plural(counts['closed'], 'corrective action')} closed after an "
                           "effective verification in the last 12 months.")
    if ideas:
        progress.exists.append(f"{plural(ideas, 'opportunity', 'opportunities')} for "
                               "improvement raised in the last 12 months.")
    if not counts["closed"] and not ideas:
        progress.missing.append("No improvement recorded in the last 12 months: no corrective "
                                "action verified effective, no opportunity for improvement.")
    if counts["to_verify"]:
        progress.missing.append(f"{plural(counts['to_verify'], 'corrective action')} awaiting "
                                "verification of effectiveness.")
    still_open = counts["open"] - counts["to_verify"]
    if still_open:
        progress.missing.append(f"{plural(still_open, 'corrective action')} still open.")
    progress.next_label = "Work on the corrective actions" if counts["open"] else \
        "See the corrective actions"
    progress.next_url = reverse("audits:correctiveaction_list") + (
        "?status=actions_done" if counts["to_verify"] else "")
    return progress
