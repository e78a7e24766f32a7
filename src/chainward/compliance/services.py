"""Gap-assessment workflows: populate, baseline, set a status, reuse evidence."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from chainward.core import services as records
from chainward.documents.models import Evidence
from chainward.ledger.context import acting_as
from chainward.library.models import Requirement, RequirementMapping

from .choices import ComplianceStatus
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
        previous = {row.requirement_id: row for row in
                    baseline.statuses.filter(archived=False).prefetch_related("evidence")}
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
            row.evidence.set(before.evidence.all())
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


def related_requirements(requirement):
    """Requirements of other frameworks that share its Harmonized-Structure id or a mapping."""
    related = Q(pk__in=RequirementMapping.objects.filter(source=requirement, retired=False)
                .values("target_id")) | Q(pk__in=RequirementMapping.objects.filter(
                    target=requirement, retired=False).values("source_id"))
    if requirement.hs_id:
        related |= Q(hs_id=requirement.hs_id)
    return Requirement.objects.filter(related).exclude(pk=requirement.pk)


def reuse_candidates(user, row):
    """Evidence already given for related requirements elsewhere, not yet on this row."""
    return (Evidence.objects.restrict(user, "view")
            .filter(organisation=row.organisation, archived=False,
                    requirement_statuses__requirement__in=related_requirements(row.requirement))
            .exclude(pk__in=row.evidence.values("pk")).distinct().order_by("title"))


def attach_evidence(user, row, evidence):
    """Link evidence to a requirement status (e.g. reuse it from another framework)."""
    if not RequirementStatus.objects.restrict(user, "change").filter(pk=row.pk).exists():
        raise PermissionDenied("You may not change this assessment.")
    if not Evidence.objects.restrict(user, "view").filter(pk=evidence.pk,
                                                          organisation=row.organisation).exists():
        raise PermissionDenied("You cannot see that evidence.")
    with acting_as(user), transaction.atomic():
        row.evidence.add(evidence)


def assessable_statuses(framework=None):
    """The statuses an assessor can choose (no "not applicable" where `framework` allows no
    exclusions)."""
    strict = framework is not None and not framework.allows_exclusions
    return [c for c in ComplianceStatus.choices if c[0] != ComplianceStatus.NOT_ASSESSED
            and not (strict and c[0] == ComplianceStatus.NOT_APPLICABLE)]
