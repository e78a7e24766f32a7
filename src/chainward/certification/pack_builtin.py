"""Pack sections for what exists now: scope and statement of application, the security policy,
objectives, the document master list and the management reviews."""

from django.utils import timezone

from chainward.core.querysets import visible
from chainward.documents.choices import Classification, DocumentType, VersionStatus
from chainward.documents.models import Document, DocumentVersion
from chainward.plans.models import SecurityObjective
from chainward.supplychain.models import Exemption, Site, StatementOfApplication

from .choices import ReviewStatus
from .models import Certificate, ManagementReview
from .pack import PackEntry, pack_section


@pack_section("scope", "Scope and statement of application (ISO 28000 4.3)", order=10)
def scope(organisation, user, pack):
    statements = list(visible(StatementOfApplication, user, organisation).prefetch_related(
        "sites", "legs", "partners").order_by("-effective_date"))
    if not statements:
        return [PackEntry("Statement of application", note="None recorded.")]
    exemptions = visible(Exemption, user, organisation).select_related(
        "partner", "statement", "programme_status")
    sites = visible(Site, user, organisation)
    site_ids = set(sites.values_list("pk", flat=True))
    certificates = visible(Certificate, user, organisation).select_related("framework", "body")
    path = pack.render_pdf("scope/statement-of-application.pdf",
                           "certification/pack_scope.html", {
                               "statements": statements, "exemptions": exemptions,
                               "sites": sites, "site_ids": site_ids,
                               "certificates": certificates, "organisation": organisation})
    current = [s for s in statements if s.status == "current"]
    return [PackEntry("Statement of application, sites, legs, partners and exemptions",
                      path=path, note=f"{len(statements)} statement(s), {len(current)} current")]


@pack_section("policy", "Security policy (ISO 28000 5.2)", order=20)
def policy(organisation, user, pack):
    version = visible(DocumentVersion, user, organisation).filter(
        document__doc_type=DocumentType.POLICY, document__archived=False,
        status=VersionStatus.APPROVED).select_related("document", "approver").order_by(
        "-approved_at").first()
    if version is None:
        return [PackEntry("Security policy", note="No approved security policy.")]
    restricted = version.document.classification == Classification.RESTRICTED
    approver = str(version.approver) if version.approver else "—"
    note = (f"{version.document.reference} v{version.number}, approved "
            f"{version.approved_at:%Y-%m-%d} by {approver}")
    if not version.file:
        return [PackEntry(version.document.title, note=note + " (no file attached)",
                          restricted=restricted)]
    path = pack.add_stored(f"policy/{version.document.reference}-v{version.number}-"
                           f"{version.filename}", version.file,
                           content_type=version.content_type, restricted=restricted)
    return [PackEntry(version.document.title, path=path, note=note, restricted=restricted)]


@pack_section("objectives", "Security objectives and their status (ISO 28000 6.2)", order=30)
def objectives(organisation, user, pack):
    rows = list(visible(SecurityObjective, user, organisation).select_related(
        "owner").prefetch_related("measurements"))
    path = pack.render_pdf("objectives/objectives.pdf", "certification/pack_objectives.html",
                           {"objectives": rows, "organisation": organisation})
    return [PackEntry("Security objectives, KPIs, targets and status", path=path,
                      note=f"{len(rows)} objective(s)")]


@pack_section("documents", "Document master list (ISO 28000 7.5)", order=40)
def master_list(organisation, user, pack):
    documents = visible(Document, user, organisation).select_related("owner").order_by(
        "reference")
    approved = {v.document_id: v for v in visible(DocumentVersion, user, organisation).filter(
        status=VersionStatus.APPROVED).select_related("approver")}
    rows = [(d, approved.get(d.pk)) for d in documents]
    path = pack.render_pdf("documents/master-list.pdf", "certification/pack_master_list.html",
                           {"rows": rows, "organisation": organisation})
    restricted = sum(1 for d, _ in rows if d.classification == Classification.RESTRICTED)
    return [PackEntry("Document master list", path=path,
                      note=f"{len(rows)} document(s), {restricted} restricted")]


@pack_section("management_review", "Management review minutes (ISO 28000 9.3)", order=80)
def management_reviews(organisation, user, pack):
    reviews = visible(ManagementReview, user, organisation).filter(
        status__in=[ReviewStatus.HELD, ReviewStatus.MINUTES_APPROVED]).select_related(
        "chair", "minutes_approved_by").prefetch_related("attendees", "actions__owner")
    entries = []
    for review in reviews.order_by("-date"):
        path = pack.render_pdf(f"management-review/{review.reference}.pdf",
                               "certification/review_pdf.html",
                               {"review": review, "snapshot": review.snapshot,
                                "actions": [a for a in review.actions.all() if not a.archived],
                                "today": timezone.localdate()})
        entries.append(PackEntry(f"{review.reference} {review.title}", path=path,
                                 note=f"{review.date:%Y-%m-%d}, "
                                      f"{review.get_status_display().lower()}"))
    return entries or [PackEntry("Management review", note="No review held yet.")]
