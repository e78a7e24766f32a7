"""Gap-assessment workflows: populate, baseline, set a status, attach evidence."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from chainward.core import services as records
from chainward.documents.models import Document, DocumentVersion, Evidence, EvidenceKind
from chainward.ledger.context import acting_as
from chainward.library.models import Requirement

from .choices import ComplianceStatus
from .evidence import evidence_ids_by_status
from .models import GapAssessment, RequirementStatus


def populate_statuses(user, assessment):
    """Give the assessment one status row per current assessable requirement (idempotent)."""
    have = set(assessment.statuses.values_list("requirement_id", flat=True))
    requirements = Requirement.objects.filter(framework=assessment.framework, assessable=True,
                                              retired=False).exclude(pk__in=have)
    with acting_as(user), transaction.atomic():
        for requirement in requirements.order_by("order"):
            row = RequirementStatus(organisation=assessment.organisation, assessment=assessment,
                                    requirement=requirement, created_by=user, updated_by=user)
            row.save()


def start_from_baseline(user, baseline, *, title):
    """ISO 28001 re-assessment style: a new assessment carrying the last statuses over.

    Every carried status is marked "to re-confirm" and keeps its evidence links.
    """
    if not GapAssessment.objects.restrict(user, "view").filter(pk=baseline.pk).exists():
        raise PermissionDenied("You cannot see that assessment.")
    with acting_as(user), transaction.atomic():
        assessment = GapAssessment(
            organisation=baseline.organisation, title=title, framework=baseline.framework,
            all_sites=baseline.all_sites, baseline=baseline)
        records.save_record(user, assessment, relations={"sites": baseline.sites.all()})
        previous = {row.requirement_id: row for row in baseline.statuses.filter(archived=False)}
        carried = evidence_ids_by_status([row.pk for row in previous.values()])
        populate_statuses(user, assessment)
        strict = not assessment.framework.allows_exclusions
        for row in assessment.statuses.all():
            before = previous.get(row.requirement_id)
            if before is None:
                continue
            row.status, row.justification, row.notes = (before.status, before.justification,
                                                         before.notes)
            if strict and before.status == ComplianceStatus.NOT_APPLICABLE:
                # An exclusion recorded before the framework refused them is not carried: the
                # requirement is assessed again, the old reason kept in the notes.
                row.status, row.justification = ComplianceStatus.NOT_ASSESSED, ""
                row.notes = "\n".join(filter(None, [
                    before.notes, f"Marked not applicable in {baseline.reference}: "
                                  f"“{before.justification}”. {assessment.framework} allows "
                                  "no exclusions; assess it."]))
            row.to_reconfirm = True
            row.save()
            row.evidence.set(carried.get(before.pk, ()))
    return assessment


def check_status(row):
    """Refuse a status the assessment's framework does not permit (issue 12).

    The one rule behind every path that writes a requirement status (the model's `clean` for
    forms, the API and the demo; the register's `after_save` for every `save_record`):
    "not applicable" only where the framework allows exclusions (`Framework.allows_exclusions`,
    declared in its catalogue), and then only with a justification. ISO 28000's requirements
    apply to every organisation within the scope of its SMS: the scope (4.3) is where an
    organisation draws boundaries, never by excluding a clause.
    """
    if row.status != ComplianceStatus.NOT_APPLICABLE:
        return
    framework = row.assessment.framework
    if not framework.allows_exclusions:
        raise ValidationError({"status": (
            f"{framework} allows no exclusions: its requirements apply to everything within "
            "the declared scope. Choose how far this one is implemented (“Not implemented” "
            "when nothing is in place yet); to leave a site or activity out, narrow the scope "
            "instead.")})
    if not row.justification.strip():
        raise ValidationError({"justification": "Say why this requirement does not apply."})


def set_status(user, row, *, status, justification="", notes="", expected_version=None):
    """Record a requirement's status (`check_status` decides whether not applicable may be)."""
    row.status, row.justification, row.notes = status, justification, notes
    row.to_reconfirm = False
    row.full_clean(exclude=["evidence"])
    return records.save_record(user, row, expected_version=expected_version)


def _may_change(user, row):
    if not RequirementStatus.objects.restrict(user, "change").filter(pk=row.pk).exists():
        raise PermissionDenied("You may not change this assessment.")


def attach_evidence(user, row, evidence):
    """Count `evidence` as the requirement's evidence (`evidence.attached_to`).

    The one write of a status's evidence: the work page's dialog and reuse buttons, the record
    page's "Attach", the API and the demo all end here. The person must be allowed to change
    the status and to see the evidence — and, for a controlled document, that document.
    Ledgered as a change of the status's evidence.
    """
    _may_change(user, row)
    if not Evidence.objects.restrict(user, "view").filter(
            pk=evidence.pk, organisation=row.organisation, archived=False).exists():
        raise PermissionDenied("You cannot see that evidence.")
    if evidence.document_version_id and not DocumentVersion.objects.restrict(
            user, "view").filter(pk=evidence.document_version_id).exists():
        raise PermissionDenied("You cannot see the document that evidence points to.")
    with acting_as(user), transaction.atomic():
        row.evidence.add(evidence)
    return evidence


def detach_evidence(user, row, evidence):
    """Stop counting `evidence` for the requirement, whichever way it was attached
    (`evidence.attached_to`); the evidence record itself stays. The person must be allowed to
    change the status. Ledgered as a change of the status's evidence (the field) or as a
    `detach_evidence` event on the status (a link stored by the record page's old "Attach")."""
    from django.contrib.contenttypes.models import ContentType

    from chainward.documents.models import EvidenceLink
    from chainward.ledger.services import append_entry

    _may_change(user, row)
    links = EvidenceLink.objects.filter(
        evidence=evidence, holder_type=ContentType.objects.get_for_model(RequirementStatus),
        holder_id=row.pk)
    if not row.evidence.filter(pk=evidence.pk).exists() and not links.exists():
        raise ValidationError({"evidence": f"{evidence.title} is not evidence of "
                                           f"{row.requirement.ref_id}."})
    with acting_as(user), transaction.atomic():
        row.evidence.remove(evidence)
        if links.exists():
            links.delete()
            append_entry("detach_evidence", obj=row, after={
                "evidence": evidence.reference, "title": evidence.title})
    return evidence


def upload_evidence(user, row, form):
    """A new file evidence from `form` (the evidence register's form: the upload is checked
    by content and hashed there, `documents.forms.EvidenceForm`), counted for the row at once.
    Nothing is stored when the person may not change the row; a refused write leaves no
    file behind."""
    _may_change(user, row)
    evidence = form.instance
    try:
        with acting_as(user), transaction.atomic():
            records.save_record(user, evidence, form=form)
            attach_evidence(user, row, evidence)
    except BaseException:
        if evidence.file:  # stored by the form inside the rolled-back transaction
            default_storage.delete(evidence.file)
            evidence.file = ""
        raise
    return evidence


def attach_document(user, row, document):
    """Count a controlled document's approved version as the requirement's evidence: one
    document evidence per version, made on first use and reused afterwards."""
    _may_change(user, row)
    if not Document.objects.restrict(user, "view").filter(
            pk=document.pk, organisation=row.organisation, archived=False).exists():
        raise PermissionDenied("You cannot see that document.")
    version = document.current_version()
    if version is None:
        raise ValidationError({"document": f"{document} has no approved version yet: approve "
                                           "one first, or upload the file as evidence."})
    with acting_as(user), transaction.atomic():
        evidence = Evidence.objects.filter(
            organisation=row.organisation, kind=EvidenceKind.DOCUMENT,
            document_version=version, archived=False).order_by("pk").first()
        if evidence is None:
            evidence = Evidence(organisation=row.organisation, kind=EvidenceKind.DOCUMENT,
                                title=str(document)[:200], document_version=version)
            evidence.full_clean(exclude=["reference"])
            records.save_record(user, evidence)
        return attach_evidence(user, row, evidence)


def assessable_statuses(framework=None):
    """The statuses an assessor can choose (no "not applicable" where `framework` allows no
    exclusions)."""
    strict = framework is not None and not framework.allows_exclusions
    return [c for c in ComplianceStatus.choices if c[0] != ComplianceStatus.NOT_ASSESSED
            and not (strict and c[0] == ComplianceStatus.NOT_APPLICABLE)]
