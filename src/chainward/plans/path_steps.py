"""The plans app's steps of the path to certification (chainward.core.path): security planning
(an approved security plan from the assessment, ISO 28001 5.4) and monitoring and measurement
(objectives measured, partners reviewed; ISO 28000 9.1, ISO 28001 4.5). Fixed queries."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from chainward.core.path import Progress, path_step, plural
from chainward.core.querysets import visible

from .choices import ObjectiveStatus, PlanStatus
from .models import Measurement, SecurityObjective, SecurityPlan, SecurityPlanVersion
from .status import assess


@path_step("planning", needs="plans.view_securityplan")
def planning(user, organisation, today):
    """Every security plan has an approved version; at least one exists."""
    from chainward.risk.choices import AssessmentStatus
    from chainward.risk.models import SecurityAssessment

    approved = SecurityPlanVersion.objects.restrict(user, "view").filter(
        plan=OuterRef("pk"), archived=False, status=PlanStatus.APPROVED)
    plans = visible(SecurityPlan, user, organisation).annotate(has_approved=Exists(approved))
    counts = plans.aggregate(total=Count("pk"),
                             approved=Count("pk", filter=Q(has_approved=True)))
    unapproved = plans.filter(has_approved=False).order_by("title").first()
    completed = SecurityAssessment.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False, status=AssessmentStatus.COMPLETED).order_by(
        "-completed_on").first()
    progress = Progress()
    if counts["approved"]:
        progress.exists.append(f"{plural(counts['approved'], 'approved security plan')}.")
    else:
        progress.missing.append("No approved security plan.")
    waiting = counts["total"] - counts["approved"]
    if waiting:
        progress.missing.append(f"{plural(waiting, 'security plan')} without an approved "
                                "version.")
    if unapproved is not None:
        progress.next_label, progress.next_url = ("Complete and approve the plan",
                                                  unapproved.get_absolute_url())
    elif not counts["total"] and completed is not None:
        progress.next_label = f"Generate the plan from {completed.reference}"
        progress.next_url = completed.get_absolute_url()
    elif not counts["total"]:
        progress.missing.append("A security plan is written from a completed security "
                                "assessment.")
        progress.next_label = "Go to the security assessments"
        progress.next_url = reverse("risk:securityassessment_list")
    else:
        progress.next_label = "Open the security plans"
        progress.next_url = reverse("plans:securityplan_list")
    return progress


@path_step("monitoring", needs="plans.view_securityobjective")
def monitoring(user, organisation, today):
    """Objectives measured and on track; partner reviews on time."""
    from chainward.supplychain.models import Partner
    from chainward.supplychain.services import partners_due_for_review

    objectives = visible(SecurityObjective, user, organisation)
    # The measurements in one query of their own (a prefetch is skipped when there is no
    # objective, and the step must cost the same for every organisation).
    points = {}
    for objective_id, measured_on, value in Measurement.objects.filter(
            objective__in=objectives.values("pk"), archived=False).values_list(
            "objective_id", "measured_on", "value"):
        points.setdefault(objective_id, []).append((measured_on, value))
    objectives = list(objectives)
    statuses = [assess(o.direction, o.target, o.due_date, today, points.get(o.pk, [])).status
                for o in objectives]
    unmeasured = statuses.count(ObjectiveStatus.NOT_MEASURED)
    off = statuses.count(ObjectiveStatus.OFF_TRACK)
    partners = Partner.objects.restrict(user, "view").filter(organisation=organisation,
                                                             archived=False)
    due = partners_due_for_review(partners).count() if user.has_perm(
        "supplychain.view_partner") else partners.none().count()
    progress = Progress()
    if objectives:
        measured = len(objectives) - unmeasured
        progress.exists.append(f"{measured} of {plural(len(objectives), 'objective')} "
                               "measured.")
    else:
        progress.missing.append("No security objectives to measure.")
    if unmeasured:
        progress.missing.append(f"{plural(unmeasured, 'objective')} never measured.")
    if off:
        progress.missing.append(f"{plural(off, 'objective')} off track.")
    if due:
        progress.missing.append(f"{plural(due, 'partner review')} due (ISO 28001 4.5).")
    if unmeasured or not objectives or off:
        progress.next_label = "Record the objectives' measurements"
        progress.next_url = reverse("plans:securityobjective_list")
    elif due:
        progress.next_label = "Review the partners that are due"
        progress.next_url = reverse("supplychain:partner_list") + "?review_due=true"
    else:
        progress.next_label = "Open the objectives"
        progress.next_url = reverse("plans:securityobjective_list")
    return progress
