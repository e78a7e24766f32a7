"""The compliance app's steps of the path to certification (chainward.core.path): understand
the standard (a gap assessment against ISO 28000:2022) and documentation (evidence of every
requirement). Both read the latest ISO 28000:2022 gap assessment the person may see, in a
fixed number of queries (the assessment is a subquery, so nothing is skipped when there is
none)."""

from django.db.models import Count, F, Q, Subquery, Sum
from django.urls import reverse

from chainward.core.path import Progress, path_step, plural
from chainward.library.models import Framework

from .choices import ComplianceStatus
from .evidence import has_valid_evidence
from .models import GapAssessment, RequirementStatus
from .readiness import excluded, percent, weight

ISO28000 = "urn:chainward:framework:iso28000-2022"


def _latest(user, organisation):
    return GapAssessment.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False, framework__urn=ISO28000).order_by(
        F("start_date").desc(nulls_last=True), "-created_at")


def _figures(user, organisation, today):
    """Readiness figures of the latest ISO 28000 assessment (one aggregate query)."""
    latest = _latest(user, organisation)
    rows = RequirementStatus.objects.restrict(user, "view").filter(
        archived=False, requirement__assessable=True,
        assessment_id=Subquery(latest.values("pk")[:1]))
    # readiness.counted: a framework that allows exclusions drops the justified ones.
    rows = rows.exclude(Q(assessment__framework__allows_exclusions=True) & excluded())
    per_row = rows.annotate(has_evidence=has_valid_evidence(today))
    return per_row.aggregate(
        total=Count("pk"), score=Sum(weight()),
        not_assessed=Count("pk", filter=Q(status=ComplianceStatus.NOT_ASSESSED)),
        without_evidence=Count("pk", filter=Q(has_evidence=False)),
        documented_without=Count("pk", filter=Q(has_evidence=False) & ~Q(
            requirement__documented_information="")))


@path_step("standard", needs="compliance.view_gapassessment")
def standard(user, organisation, today):
    """A gap assessment against ISO 28000:2022 and how far it got."""
    framework = Framework.objects.filter(urn=ISO28000).first()
    assessment = _latest(user, organisation).select_related("framework").first()
    figures = _figures(user, organisation, today)
    others = list(GapAssessment.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False).exclude(framework__urn=ISO28000)
        .values_list("framework__name", flat=True).distinct().order_by("framework__name"))
    progress = Progress()
    if framework is None:
        progress.missing.append("The ISO 28000:2022 catalogue is not loaded in this "
                                "installation (chainward init loads the shipped catalogues).")
        progress.next_label, progress.next_url = "See the loaded frameworks", \
            reverse("library:framework_list")
        return progress
    if assessment is None:
        progress.missing.append("No gap assessment against ISO 28000:2022.")
        progress.next_label = "Start a gap assessment against ISO 28000:2022"
        progress.next_url = reverse("compliance:gapassessment_add") + f"?framework={framework.pk}"
    else:
        ready = percent(figures["score"], figures["total"])
        progress.exists.append(
            f"{assessment.reference} {assessment.title}: "
            + (f"{ready}% ready" if ready is not None else "nothing assessed yet")
            + f" over {plural(figures['total'], 'requirement')}.")
        if figures["not_assessed"]:
            progress.missing.append(
                f"{plural(figures['not_assessed'], 'ISO 28000 requirement')} not assessed yet "
                f"in {assessment.reference}.")
        progress.next_label = "Work through the requirements"
        progress.next_url = reverse("compliance:workspace", args=[assessment.pk])
    if others:
        progress.exists.append("Also assessed against: " + ", ".join(others) + ".")
    return progress


@path_step("documentation", needs="compliance.view_gapassessment")
def documentation(user, organisation, today):
    """Evidence of every ISO 28000 requirement, and controlled documents reviewed on time."""
    from chainward.documents.choices import VersionStatus
    from chainward.documents.models import DocumentVersion

    assessment = _latest(user, organisation).first()
    figures = _figures(user, organisation, today)
    approved = list(DocumentVersion.objects.restrict(user, "view").filter(
        organisation=organisation, status=VersionStatus.APPROVED, document__archived=False)
        .select_related("document").order_by("document__reference"))
    overdue = [v.document.reference for v in approved if v.review_overdue]
    progress = Progress()
    progress.exists.append(f"{plural(len(approved), 'controlled document')} with an approved "
                           "version.")
    if not approved:
        progress.missing.append("No controlled document approved yet (procedures, forms, the "
                                "policy).")
    if overdue:
        progress.missing.append(f"{plural(len(overdue), 'document review')} overdue: "
                                f"{', '.join(overdue[:5])}.")
    if assessment is None:
        progress.missing.append("No ISO 28000:2022 gap assessment to hold the evidence.")
    else:
        with_evidence = figures["total"] - figures["without_evidence"]
        progress.exists.append(f"{plural(with_evidence, 'ISO 28000 clause')} with valid "
                               f"evidence in {assessment.reference}.")
        if figures["without_evidence"]:
            progress.missing.append(
                f"{plural(figures['without_evidence'], 'ISO 28000 clause')} without evidence.")
        if figures["documented_without"]:
            progress.missing.append(
                f"{figures['documented_without']} of them require documented information.")
    if assessment is not None and figures["without_evidence"]:
        progress.next_label = "See what is missing for certification"
        progress.next_url = reverse("compliance:missing", args=[assessment.pk])
    elif assessment is None:
        progress.next_label = "Start a gap assessment against ISO 28000:2022"
        progress.next_url = reverse("compliance:gapassessment_add")
    else:
        progress.next_label = "Open the document master list"
        progress.next_url = reverse("documents:master_list")
    return progress
