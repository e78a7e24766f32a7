"""What the audits app feeds into the management-review pack (ISO 28000 9.3.2): audit results,
nonconformities and corrective actions, opportunities for improvement — counted since the last
management review, as the compiling person may see them."""

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from chainward.certification.inputs_builtin import ROWS, changes_since, figure, listing
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


def _nonconformity_row(finding):
    actions = ", ".join(f"{c.reference} ({c.get_status_display().lower()})"
                        for c in finding.corrective_actions.all()) or "no corrective action yet"
    return {"text": f"{finding.reference} {finding.get_grade_display()}",
            "url": finding.get_absolute_url(),
            "detail": f"{finding.audit.reference}: {finding.statement[:100]} — {actions}"}


def _action_row(today):
    def row(capa):
        if capa.status == CapaStatus.CLOSED:
            detail = (f"closed, verified effective on {capa.verified_on:%Y-%m-%d}"
                      + (f" by {capa.verified_by}" if capa.verified_by else ""))
        else:
            detail = (f"{capa.get_status_display()}, {capa.owner}, due {capa.due_date:%Y-%m-%d}"
                      + (" — overdue" if capa.due_date < today else ""))
        return {"text": str(capa), "url": capa.get_absolute_url(), "detail": detail}
    return row


@review_input("nonconformities", "Nonconformities and corrective actions", 52)
def nonconformities(organisation, user):
    """Figures, and the nonconformities and corrective actions behind them by reference:
    open ones whatever their age, closed ones since the last review (ISO 28000 9.3.2 d)."""
    since = changes_since(organisation, user)
    today = timezone.localdate()
    actions = visible(CorrectiveAction, user, organisation)
    pending = actions.exclude(status=CapaStatus.CLOSED)
    overdue = pending.filter(due_date__lt=today)
    closed = actions.filter(status=CapaStatus.CLOSED, verified_on__gte=since)
    # A nonconformity is open while a corrective action of it is open, or none was opened yet;
    # closed once it has corrective actions and all are closed (verified effective).
    ncs = visible(Finding, user, organisation).filter(grade__in=NONCONFORMITIES).annotate(
        has_open=Exists(pending.filter(finding=OuterRef("pk"))),
        has_any=Exists(actions.filter(finding=OuterRef("pk"))),
        last_closed=Subquery(actions.filter(finding=OuterRef("pk"), status=CapaStatus.CLOSED)
                             .order_by("-verified_on").values("verified_on")[:1]),
    ).select_related("audit").prefetch_related(
        Prefetch("corrective_actions", queryset=actions.order_by("reference")))
    open_ncs = ncs.filter(Q(has_open=True) | Q(has_any=False)).order_by("reference")
    closed_ncs = ncs.filter(has_open=False, has_any=True, last_closed__gte=since).order_by(
        "reference")
    return {
        "figures": [
            figure("raised", "Nonconformities raised",
                   visible(Finding, user, organisation).filter(
                       grade__in=NONCONFORMITIES, created_at__date__gte=since).count()),
            figure("open", "Corrective actions open", pending.count()),
            figure("overdue", "Open and overdue", overdue.count()),
            figure("closed", "Closed after effective verification", closed.count()),
            figure("reopened", "Reopened after an ineffective verification",
                   actions.filter(reopen_count__gt=0).count()),
        ],
        "lists": [
            listing("open_nonconformities", "Open nonconformities", open_ncs,
                    _nonconformity_row, empty="No open nonconformity."),
            listing("closed_nonconformities", f"Nonconformities closed since {since:%Y-%m-%d}",
                    closed_ncs, _nonconformity_row, empty="Nothing closed in the period."),
            listing("open_actions", "Open corrective actions",
                    pending.select_related("owner").order_by("due_date", "reference"),
                    _action_row(today), empty="No open corrective action."),
            listing("closed_actions", f"Corrective actions closed since {since:%Y-%m-%d}",
                    closed.select_related("verified_by").order_by("-verified_on", "reference"),
                    _action_row(today), empty="Nothing closed in the period."),
        ],
        "url": reverse("audits:correctiveaction_list"),
        "note": f"Nonconformities raised and actions closed since {since:%Y-%m-%d}; open "
                "ones whatever their age.",
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
