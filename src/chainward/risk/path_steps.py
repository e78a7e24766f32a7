"""The risk app's steps of the path to certification (chainward.core.path): the security
assessment (ISO 28001 5.2-5.3) and the implementation of its countermeasures (ISO 28001 5.5),
each in a fixed number of queries within the person's scope."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse

from chainward.core.path import Progress, path_step, plural

from .choices import DONE, AssessmentStatus
from .filtersets import unaccepted_q
from .heatmap import current_ratings
from .models import Countermeasure, RiskMatrix, SecurityAssessment

YEAR = datetime.timedelta(days=365)


@path_step("risk_assessment", needs="risk.view_securityassessment")
def risk_assessment(user, organisation, today):
    """A completed assessment less than a year old, its risks above appetite accepted."""
    assessments = SecurityAssessment.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False)
    last = assessments.filter(status=AssessmentStatus.COMPLETED,
                              completed_on__isnull=False).order_by("-completed_on").first()
    underway = assessments.filter(status__in=[AssessmentStatus.DRAFT,
                                              AssessmentStatus.IN_PROGRESS]).order_by(
        "-created_at").first()
    has_matrix = RiskMatrix.objects.filter(organisation=organisation, archived=False).exists()
    ratings = current_ratings(user, organisation).aggregate(
        rated=Count("pk"), unaccepted=Count("pk", filter=unaccepted_q()))
    progress = Progress()
    if not has_matrix:
        progress.missing.append("No risk matrix: create the default matrix first.")
    if last is not None:
        progress.exists.append(f"{last.reference} {last.title}, completed "
                               f"{last.completed_on:%Y-%m-%d}: "
                               f"{plural(ratings['rated'], 'rated risk')}.")
        if last.completed_on + YEAR < today:
            progress.missing.append(f"The last completed assessment ({last.reference}) is "
                                    "more than 12 months old.")
    else:
        progress.missing.append("No completed security assessment.")
    if underway is not None:
        progress.exists.append(f"{underway.reference} {underway.title}, "
                               f"{underway.get_status_display().lower()}.")
    if ratings["unaccepted"]:
        progress.missing.append(f"{plural(ratings['unaccepted'], 'risk')} above appetite, "
                                "not accepted.")
    if not has_matrix:
        progress.next_label = "Create the risk matrix"
        progress.next_url = reverse("risk:riskmatrix_add")
    elif underway is not None and (last is None or last.completed_on + YEAR < today):
        progress.next_label, progress.next_url = ("Continue the assessment",
                                                  underway.get_absolute_url())
    elif last is None or last.completed_on + YEAR < today:
        progress.next_label = "Start a security assessment"
        progress.next_url = reverse("risk:securityassessment_add")
    elif ratings["unaccepted"]:
        progress.next_label = "Treat or accept the risks above appetite"
        progress.next_url = reverse("risk:rating_list") + "?unaccepted=true"
    else:
        progress.next_label, progress.next_url = "Open the heat map", reverse("risk:heatmap")
    return progress


@path_step("implementation", needs="risk.view_countermeasure")
def implementation(user, organisation, today):
    """The countermeasures in place, none overdue."""
    counts = Countermeasure.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status__in=DONE)),
        overdue=Count("pk", filter=Q(due_date__lt=today) & ~Q(status__in=DONE)))
    progress = Progress()
    if counts["total"]:
        progress.exists.append(f"{counts['done']} of {plural(counts['total'], 'countermeasure')}"
                               " implemented.")
    else:
        progress.missing.append("No countermeasure recorded yet.")
    open_ = counts["total"] - counts["done"]
    if counts["overdue"]:
        progress.missing.append(f"{plural(counts['overdue'], 'countermeasure')} overdue.")
    elif open_:
        progress.missing.append(f"{plural(open_, 'countermeasure')} not implemented yet.")
    if counts["overdue"]:
        progress.next_label = "See the overdue countermeasures"
        progress.next_url = reverse("risk:countermeasure_list") + "?overdue=true"
    elif counts["total"]:
        progress.next_label = "Follow the countermeasures"
        progress.next_url = reverse("risk:countermeasure_list")
    else:
        progress.next_label = "Record a countermeasure"
        progress.next_url = reverse("risk:countermeasure_add")
    return progress
