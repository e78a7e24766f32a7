"""What the audits app gives the auditor's evidence pack (ISO 28000 9.2, 10): the audit
programme, each completed audit's report, and the corrective-action log — each as the
producer may see it."""

from django.db.models import Count, Q
from django.utils import timezone

from chainward.certification.pack import PackEntry, pack_section
from chainward.core.exports import xlsx_bytes
from chainward.core.querysets import visible

from .choices import COMPLETED, CapaStatus
from .models import Audit, AuditProgramme, CorrectiveAction


@pack_section("audit_programme", "Internal audit programme and reports (ISO 28000 9.2)",
              order=70)
def audit_programme(organisation, user, pack):
    programmes = list(visible(AuditProgramme, user, organisation).prefetch_related(
        "frameworks", "sites").order_by("-period_start"))
    audits = list(visible(Audit, user, organisation).select_related(
        "programme", "lead_auditor", "partner").prefetch_related("sites", "team", "criteria")
        .annotate(major=Count("findings", filter=Q(findings__grade="major",
                                                    findings__archived=False)),
                  minor=Count("findings", filter=Q(findings__grade="minor",
                                                    findings__archived=False)),
                  other=Count("findings", filter=~Q(findings__grade__in=("major", "minor"))
                              & Q(findings__archived=False)))
        .order_by("planned_start"))
    entries = []
    if programmes or audits:
        path = pack.render_pdf("audits/audit-programme.pdf", "audits/pack_programme.html",
                               {"programmes": programmes, "audits": audits,
                                "organisation": organisation})
        entries.append(PackEntry("Audit programme: planned and completed audits", path=path,
                                 note=f"{len(programmes)} programme(s), {len(audits)} audit(s)"))
    else:
        entries.append(PackEntry("Audit programme", note="No audit programme recorded."))
    for audit in audits:
        if audit.status not in COMPLETED:
            continue
        findings = list(audit.findings.filter(archived=False).select_related(
            "requirement", "site").prefetch_related("corrective_actions").order_by("grade"))
        checklist = list(audit.checklist.filter(archived=False).select_related(
            "requirement").order_by("order"))
        path = pack.render_pdf(f"audits/{audit.reference}-report.pdf", "audits/pack_report.html",
                               {"audit": audit, "findings": findings, "checklist": checklist,
                                "organisation": organisation})
        entries.append(PackEntry(
            f"{audit.reference} {audit.title} — audit report", path=path,
            note=f"{audit.get_audit_type_display()}, {audit.get_status_display().lower()}; "
                 f"{audit.major} major, {audit.minor} minor, {audit.other} other finding(s)"))
    return entries


CAPA_HEADER = ("Reference", "Title", "Source", "Finding", "Site", "Owner", "Due", "Status",
               "Containment", "Root cause", "Verified by", "Verified on", "Reopened")


def _root_cause_text(root_cause):
    if not root_cause:
        return ""
    if root_cause.get("method") == "five_whys":
        return " / ".join(f"{w.get('why', '')}: {w.get('answer', '')}"
                          for w in root_cause.get("whys", []))
    return " / ".join(f"{k}: {v}" for k, v in (root_cause.get("categories") or {}).items() if v)


@pack_section("corrective_actions", "Nonconformities and corrective-action log (ISO 28000 10.2)",
              order=75)
def corrective_actions(organisation, user, pack):
    rows = list(visible(CorrectiveAction, user, organisation).select_related(
        "finding__audit", "site", "owner", "verified_by").order_by("reference"))
    today = timezone.localdate()
    table = [[c.reference, c.title, c.get_source_display(),
              f"{c.finding.reference} ({c.finding.get_grade_display()})" if c.finding_id else "",
              c.site.name if c.site_id else "whole organisation", c.owner.email,
              c.due_date.isoformat() if c.due_date else "", c.get_status_display(),
              c.containment_action, _root_cause_text(c.root_cause),
              c.verified_by.email if c.verified_by_id else "",
              c.verified_on.isoformat() if c.verified_on else "", c.reopen_count]
             for c in rows]
    xlsx = pack.add_file("corrective-actions/corrective-action-log.xlsx",
                         xlsx_bytes("Corrective actions", [list(CAPA_HEADER), *table]))
    pdf = pack.render_pdf("corrective-actions/corrective-action-log.pdf",
                          "audits/pack_capa_log.html",
                          {"header": CAPA_HEADER, "rows": table, "organisation": organisation})
    open_ = sum(1 for c in rows if c.status != CapaStatus.CLOSED)
    overdue = sum(1 for c in rows if c.status != CapaStatus.CLOSED and c.due_date
                  and c.due_date < today)
    note = f"{len(rows)} corrective action(s): {open_} open ({overdue} overdue), " \
           f"{len(rows) - open_} closed after verification"
    return [PackEntry("Corrective-action log (PDF)", path=pdf, note=note),
            PackEntry("Corrective-action log (XLSX)", path=xlsx)]
