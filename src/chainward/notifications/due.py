"""My work (and so the daily digest) for what falls due in apps that had it on a dashboard card
only (issue 17 item 5): countermeasures, document reviews, evidence, audits, certification
milestones and certificates, management reviews and their actions.

A card counts what the organisation has overdue; a person's digest must say what is theirs to
do. So each section lists what the person owns (countermeasures, documents, review actions),
leads (audits) or may act on (evidence, milestones, certificates, the management review), always
through `restrict` (their scope), overdue or due within DUE_SOON_DAYS. The sections live here,
beside the digest, because those apps declared no My work section of their own; each is one or
two queries whatever the number of rows.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from chainward.audits.services import my_work_section

DUE_SOON_DAYS = 30
ROWS = 50


def _row(obj, label, due, status, where="", today=None):
    today = today or timezone.localdate()
    return {"url": obj.get_absolute_url(), "label": label, "due": due,
            "overdue": due is not None and due < today, "status": status, "where": where}


def _soon():
    return timezone.localdate() + datetime.timedelta(days=DUE_SOON_DAYS)


@my_work_section
def my_countermeasures(request):
    """ISO 28000 8.2: countermeasures the person owns, not implemented, due soon or overdue."""
    from chainward.risk.choices import DONE
    from chainward.risk.models import Countermeasure

    if not request.user.has_perm("risk.view_countermeasure"):
        return None
    rows = (Countermeasure.objects.restrict(request.user, "view")
            .filter(organisation=request.organisation, owner=request.user, archived=False,
                    due_date__lte=_soon()).exclude(status__in=DONE)
            .order_by("due_date", "pk")[:ROWS])
    return {"title": "My countermeasures due", "anchor": "countermeasures", "rows": [
        _row(c, f"{c.reference} {c.title}", c.due_date, c.get_status_display()) for c in rows],
        "empty": "No countermeasure of yours falls due."}


@my_work_section
def my_document_reviews(request):
    """ISO 28000 7.5.2: approved documents the person owns whose review date is near or past."""
    from chainward.core.versioning import VersionStatus
    from chainward.documents.models import DocumentVersion

    if not request.user.has_perm("documents.view_documentversion"):
        return None
    soon = _soon()
    versions = (DocumentVersion.objects.restrict(request.user, "view")
                .filter(organisation=request.organisation, status=VersionStatus.APPROVED,
                        document__owner=request.user, document__archived=False)
                .select_related("document").order_by("approved_at", "pk"))
    due = sorted((v for v in versions if v.next_review and v.next_review <= soon),
                 key=lambda v: (v.next_review, v.pk))[:ROWS]
    return {"title": "My documents due for review", "anchor": "document-reviews", "rows": [
        _row(v, f"{v.document} v{v.number}", v.next_review,
             "review overdue" if v.review_overdue else "review due",
             v.document.get_doc_type_display()) for v in due],
        "empty": "No document of yours is due for review."}


@my_work_section
def evidence_to_renew(request):
    """Evidence expiring or expired, for the people who may renew it."""
    from chainward.documents.models import Evidence

    if not request.user.has_perm("documents.change_evidence"):
        return None
    rows = (Evidence.objects.restrict(request.user, "change")
            .filter(organisation=request.organisation, archived=False,
                    valid_until__lte=_soon()).order_by("valid_until", "pk")[:ROWS])
    today = timezone.localdate()
    return {"title": "Evidence to renew", "anchor": "evidence", "rows": [
        _row(e, f"{e.reference} {e.title}", e.valid_until,
             "expired" if e.valid_until < today else "expires", e.get_kind_display())
        for e in rows],
        "empty": "No evidence needs renewing."}


@my_work_section
def my_audits(request):
    """ISO 28000 9.2: planned audits the person leads, starting soon (or late to start)."""
    from chainward.audits.choices import AuditStatus
    from chainward.audits.models import Audit

    if not request.user.has_perm("audits.view_audit"):
        return None
    rows = (Audit.objects.restrict(request.user, "view")
            .filter(organisation=request.organisation, archived=False,
                    lead_auditor=request.user, status=AuditStatus.PLANNED,
                    planned_start__lte=_soon()).order_by("planned_start", "pk")[:ROWS])
    return {"title": "Audits I lead, due to start", "anchor": "audits", "rows": [
        _row(a, f"{a.reference} {a.title}", a.planned_start, "planned") for a in rows],
        "empty": "No audit of yours is due to start."}


@my_work_section
def certification_due(request):
    """Certification milestones due soon or overdue, and certificates to renew (within the
    dashboard's six months), for the people who may record them."""
    from chainward.certification.choices import CertificateStatus
    from chainward.certification.dashboard import EXPIRY_MONTHS_DAYS
    from chainward.certification.models import Certificate, CycleMilestone

    user, org = request.user, request.organisation
    rows = []
    today = timezone.localdate()
    if user.has_perm("certification.change_cyclemilestone"):
        milestones = (CycleMilestone.objects.restrict(user, "change")
                      .filter(organisation=org, archived=False, done_on__isnull=True,
                              certificate__archived=False, due_date__lte=_soon())
                      .select_related("certificate__framework").order_by("due_date", "pk")[:ROWS])
        rows += [_row(m, f"{m.get_kind_display()} — {m.certificate}", m.due_date,
                      "milestone", m.certificate.number, today) for m in milestones]
    if user.has_perm("certification.change_certificate"):
        expiring = (Certificate.objects.restrict(user, "change")
                    .filter(organisation=org, archived=False, status=CertificateStatus.ACTIVE,
                            expires_on__lte=today + datetime.timedelta(
                                days=EXPIRY_MONTHS_DAYS)).select_related("framework")
                    .order_by("expires_on", "pk")[:ROWS])
        rows += [_row(c, f"{c} — plan the recertification", c.expires_on,
                      "certificate expires", c.number, today) for c in expiring]
    if not rows and not user.has_perm("certification.change_cyclemilestone"):
        return None
    rows.sort(key=lambda r: r["due"])
    return {"title": "Certification milestones and certificates", "anchor": "certification",
            "rows": rows[:ROWS], "empty": "No certification milestone is due."}


@my_work_section
def management_review_due(request):
    """ISO 28000 9.3: actions of management reviews the person owns (due soon or overdue), and
    — for those who may record one — a management review when none was held in 12 months."""
    from chainward.certification.choices import ActionStatus, ReviewStatus
    from chainward.certification.models import ManagementReview, ReviewAction

    user, org = request.user, request.organisation
    if not user.has_perm("certification.view_reviewaction"):
        return None
    today = timezone.localdate()
    actions = (ReviewAction.objects.restrict(user, "view")
               .filter(organisation=org, archived=False, owner=user,
                       status=ActionStatus.OPEN, due_date__lte=_soon())
               .select_related("review").order_by("due_date", "pk")[:ROWS])
    rows = [_row(a, a.description[:100], a.due_date, "open", str(a.review), today)
            for a in actions]
    if user.has_perm("certification.add_managementreview"):
        held = (ManagementReview.objects.restrict(user, "view")
                .filter(organisation=org, archived=False,
                        status__in=(ReviewStatus.HELD, ReviewStatus.MINUTES_APPROVED))
                .order_by("-date").first())
        if held is None or held.date < today - datetime.timedelta(days=365):
            rows.insert(0, {
                "url": reverse("certification:managementreview_list"),
                "label": "Hold a management review (none in the last 12 months)",
                "due": held.date + datetime.timedelta(days=365) if held else None,
                "overdue": True, "status": "due",
                "where": f"last held {held.date:%Y-%m-%d}" if held else "none recorded"})
    return {"title": "Management review", "anchor": "management-review", "rows": rows,
            "empty": "No management-review action of yours is due."}
