"""What the audits app feeds into the management-review pack (ISO 28000 9.3.2): audit results,
nonconformities and corrective actions, opportunities for improvement — counted since the last
management review, as the compiling person may see them."""

from django.urls import reverse
from django.utils import timezone

from chainward.certification.inputs_builtin import ROWS, changes_since, figure
from chainward.certification.review_inputs import review_input
from chainward.core.querysets import visible

from .choices import COMPLETED, NONCONFORMITIES, CapaStatus, Grade
from .models import Audit, CorrectiveAction, Finding


@review_input("audits", "Audit results", 50)
def audit_results(organisation, user):
    since = changes_since(organisation, user)
    audits = visible(Audit, user, organisation).filter(status__in=COMPLETED,
                                                        actual_end__gte=since)
    findings = visible(Finding, user, organisation).filter(audit__in=audits.values("pk"))
    return {
        "figures": [
            figure("completed", "Audits completed", audits.count()),
            figure("major", "Major nonconformities", findings.filter(grade=Grade.MAJOR).count()),
            figure("minor", "Minor nonconformities", findings.filter(grade=Grade.MINOR).count()),
            figure("observations", "Observations",
                   findings.filter(grade=Grade.OBSERVATION).count()),
            figure("good_practice", "Good practice",
                   findings.filter(grade=Grade.GOOD_PRACTICE).count()),
        ],
        "rows": [{"text": f"{a.reference} {a.title}", "url": a.get_absolute_url(),
                  "detail": f"{a.get_audit_type_display()}, ended "
                            f"{a.actual_end:%Y-%m-%d}" if a.actual_end else
                            a.get_audit_type_display()}
                 for a in audits.order_by("-actual_end")[:ROWS]],
        "url": reverse("audits:audit_list"),
        "note": f"Audits reported or closed since {since:%Y-%m-%d} and their findings.",
    }


@review_input("nonconformities", "Nonconformities and corrective actions", 52)
def nonconformities(organisation, user):
    since = changes_since(organisation, user)
    today = timezone.localdate()
    actions = visible(CorrectiveAction, user, organisation)
    pending = actions.exclude(status=CapaStatus.CLOSED)
    overdue = pending.filter(due_date__lt=today)
    return {
        "figures": [
            figure("raised", "Nonconformities raised",
                   visible(Finding, user, organisation).filter(
                       grade__in=NONCONFORMITIES, created_at__date__gte=since).count()),
            figure("open", "Corrective actions open", pending.count()),
            figure("overdue", "Open and overdue", overdue.count()),
            figure("closed", "Closed after effective verification",
                   actions.filter(status=CapaStatus.CLOSED, verified_on__gte=since).count()),
            figure("reopened", "Reopened after an ineffective verification",
                   actions.filter(reopen_count__gt=0).count()),
        ],
        "rows": [{"text": f"{c.reference} {c.title}", "url": c.get_absolute_url(),
                  "detail": f"{c.get_status_display()}, {c.owner}"
                            + (f", due {c.due_date:%Y-%m-%d}" if c.due_date else "")
                            + (" — overdue" if c.due_date and c.due_date < today else "")}
                 for c in pending.select_related("owner").order_by("due_date")[:ROWS]],
        "url": reverse("audits:correctiveaction_list"),
        "note": f"Nonconformities raised and actions closed since {since:%Y-%m-%d}; open "
                "actions whatever their age.",
    }


@review_input("improvement", "Opportunities for improvement", 90)
def improvement(organisation, user):
    since = changes_since(organisation, user)
    ideas = visible(Finding, user, organisation).filter(
        grade__in=(Grade.OFI, Grade.OBSERVATION), created_at__date__gte=since).select_related(
        "audit")
    return {
        "figures": [
            figure("ofi", "Opportunities for improvement", ideas.filter(grade=Grade.OFI).count()),
            figure("observations", "Observations", ideas.filter(
                grade=Grade.OBSERVATION).count()),
        ],
        "rows": [{"text": f"{f.reference} {f.statement[:120]}", "url": f.get_absolute_url(),
                  "detail": f"{f.get_grade_display()} from {f.audit.reference}"}
                 for f in ideas.order_by("-created_at")[:ROWS]],
        "url": reverse("audits:finding_list"),
        "note": f"Raised by audits since {since:%Y-%m-%d}.",
    }
