"""Gap-assessment workflows: populate, baseline, set a status, reuse evidence."""

from django.core.exceptions import PermissionDenied
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
        for row in assessment.statuses.all():
            before = previous.get(row.requirement_id)
            if before is None:
                continue
            row.status, row.justification, row.notes = (before.status, before.justification,
                                                         before.notes)
            row.to_reconfirm = True
            row.save()
            row.evidence.set(before.evidence.all())
    return assessment


def set_status(user, row, *, status, justification="", notes="", expected_version=None):
    """Record a requirement's status (a not-applicable one needs a justification)."""
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


def assessable_statuses():
    """The statuses an assessor can choose."""
    return [c for c in ComplianceStatus.choices if c[0] != ComplianceStatus.NOT_ASSESSED]
