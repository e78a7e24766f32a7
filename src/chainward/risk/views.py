"""Risk pages beyond the generic registers: workflow buttons, heat maps, suggestions."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chainward.core.scope import allows
from chainward.core.views import record_or_404
from chainward.library.models import CatalogEntry
from chainward.supplychain.models import Exemption

from . import heatmap, levels, services
from .choices import AssessmentStatus
from .filtersets import RatingFilterSet
from .likelihood import RULE, suggest_likelihood
from .models import (
    AssessmentMember,
    Process,
    Rating,
    RiskAcceptance,
    RiskMatrix,
    SecurityAssessment,
    current_acceptance,
    renewable,
)
from .scope import lapsed_exemptions


def _org(request):
    if not request.organisation:
        raise PermissionDenied("You have no role in any organisation yet.")
    return request.organisation


# --- detail contexts -------------------------------------------------------------------------
def assessment_context(obj, request):
    ratings = Rating.objects.restrict(request.user, "view").filter(assessment=obj,
                                                                   archived=False)
    can_change = SecurityAssessment.objects.restrict(request.user, "change").filter(
        pk=obj.pk).exists()
    from chainward.plans.models import SecurityPlan

    plans = list(SecurityPlan.objects.restrict(request.user, "view").filter(assessment=obj,
                                                                            archived=False))
    return {
        "heat_maps": heatmap.heat_maps(ratings, {"assessment": obj.pk}),
        "plans": plans,
        "can_plan": obj.status == AssessmentStatus.COMPLETED and allows(
            request.user, "add", SecurityPlan(organisation_id=obj.organisation_id)),
        "can_workflow": can_change and not obj.archived,
        "problems": services.completion_problems(obj, limit=20)
        if can_change and not obj.is_closed else [],
        "scope_processes": Process.objects.restrict(request.user, "view").filter(
            pk__in=services.processes_in_scope(obj).values("pk")).order_by("name"),
        "scope_lapsed": Exemption.objects.restrict(request.user, "view").filter(
            pk__in=lapsed_exemptions(obj).values("pk")).select_related(
            "partner", "programme_status").order_by("partner__name"),
        "Status": AssessmentStatus,
        "team": team_qualifications(obj, request.user),
    }


def team_qualifications(assessment, user):
    """The assessment team as the user may see it, each member with the training records of
    their staff record (ISO 28001 5.3: the team's qualifications, shown by ISO 28000 7.2
    records rather than typed in)."""
    from chainward.people.services import qualifications_of

    members = list(AssessmentMember.objects.restrict(user, "view").filter(
        assessment=assessment, archived=False).select_related("person", "user")
        .order_by("role_in_team", "pk"))
    found = qualifications_of(user, assessment.organisation, [m.person for m in members])
    return {"members": [(m, found.get(m.person_id)) for m in members],
            "may_see_training": user.has_perm("people.view_trainingrecord")}


def rating_context(obj, request):
    matrix = obj.assessment.matrix
    can_change = Rating.objects.restrict(request.user, "change").filter(pk=obj.pk).exists()
    consequences = obj.consequences if isinstance(obj.consequences, dict) else {}
    acceptance = current_acceptance(obj) if obj.above_appetite else None
    may_accept = obj.above_appetite and _may_accept(request.user, obj)
    return {
        "matrix": matrix,
        "inherent": matrix.level_info(obj.inherent_level),
        "residual": matrix.level_info(obj.residual_level),
        "consequence_summary": levels.consequence_summary(matrix, consequences),
        "likelihood": levels.scale_name(matrix.likelihood_levels, obj.likelihood),
        "consequence": levels.scale_name(matrix.consequence_levels, obj.consequence),
        "residual_likelihood": levels.scale_name(matrix.likelihood_levels,
                                                 obj.residual_likelihood),
        "residual_consequence": levels.scale_name(matrix.consequence_levels,
                                                  obj.residual_consequence),
        "acceptance": acceptance,
        "acceptance_visible": acceptance is not None and RiskAcceptance.objects.restrict(
            request.user, "view").filter(pk=acceptance.pk).exists(),
        "suggestions": services.suggested_controls(obj),
        # ISO 28001 5.7: the incidents that happened here set a floor under the likelihood.
        "likelihood_suggestion": suggest_likelihood(request.user, obj),
        "likelihood_rule": RULE,
        "can_suggest": can_change and not obj.assessment.is_closed,
        "can_accept": may_accept and renewable(acceptance),
        "acceptance_authority": levels.authority_name(
            levels.acceptance_authority(matrix, obj.residual_level)),
    }


def _may_accept(user, rating):
    """Whether the accept button is offered: the service's own check (authority included)."""
    try:
        services.check_acceptor(user, rating)
    except PermissionDenied:
        return False
    return True


# --- workflow --------------------------------------------------------------------------------
@login_required
@require_POST
def assessment_start(request, pk):
    assessment = record_or_404(request, SecurityAssessment, pk, "change")
    try:
        services.start_assessment(request.user, assessment)
        messages.success(request, f"{assessment.reference} is in progress.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(assessment.get_absolute_url())


@login_required
@require_POST
def assessment_complete(request, pk):
    assessment = record_or_404(request, SecurityAssessment, pk, "change")
    try:
        services.complete_assessment(request.user, assessment)
    except services.CompletionRefused as refused:
        messages.error(request, "The assessment cannot be completed yet: "
                       + " ".join(refused.problems))
        return redirect(assessment.get_absolute_url())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(assessment.get_absolute_url())
    messages.success(request, f"{assessment.reference} is completed; its matrix is frozen.")
    return redirect(assessment.get_absolute_url())


@login_required
@require_POST
def assessment_reassess(request, pk):
    previous = record_or_404(request, SecurityAssessment, pk)
    probe = SecurityAssessment(organisation=previous.organisation)
    if not allows(request.user, "add", probe):
        raise PermissionDenied("You may not start an assessment.")
    try:
        new = services.start_from_baseline(request.user, previous)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(previous.get_absolute_url())
    messages.success(request, f"Started {new.reference} from {previous.reference}; carried-over "
                              "ratings are marked to review.")
    return redirect(new.get_absolute_url())


@login_required
@require_POST
def rating_suggestion(request, pk):
    rating = record_or_404(request, Rating, pk, "change")
    try:
        control = CatalogEntry.objects.get(pk=request.POST.get("control"),
                                           kind="reference_control")
    except (CatalogEntry.DoesNotExist, ValueError):
        raise Http404("No such reference control.") from None
    try:
        measure = services.countermeasure_from_suggestion(request.user, rating, control)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(rating.get_absolute_url())
    messages.success(request, f"Created {measure.reference} from {control.ref_id}; it is "
                              "linked to this rating.")
    return redirect(rating.get_absolute_url())


@login_required
def heat_map_page(request):
    """Inherent and residual heat maps of the (filtered) risk register in the user's scope."""
    org = _org(request)
    if not request.user.has_perm("risk.view_rating"):
        raise PermissionDenied("You may not see the risk register.")
    queryset = Rating.objects.restrict(request.user, "view").filter(organisation=org)
    # A heat map of one assessment (issue 13 item 12): an assessment that is not a number, not
    # this organisation's or outside the reader's scope is a 404, never the whole register.
    if request.GET.get("assessment"):
        pk = request.GET["assessment"]
        if not re.fullmatch(r"[0-9]{1,18}", pk):
            raise Http404("No security assessment found.")
        record_or_404(request, SecurityAssessment, int(pk))
    filterset = RatingFilterSet(request.GET or None, queryset=queryset, request=request)
    ratings = filterset.qs if filterset.is_bound and filterset.is_valid() else \
        queryset.filter(archived=False)
    return render(request, "risk/heatmap.html", {
        "filterset": filterset, "heat_maps": heatmap.heat_maps(ratings, request.GET.dict())})


# --- prerequisites (issue 13 item 4) ---------------------------------------------------------
@login_required
def default_matrix_page(request):
    """Create the organisation's default risk matrix in one POST (through
    `services.default_matrix`); GET says what it will be. Returns to `?next=` (this site)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    organisation = _org(request)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = ""
    existing = RiskMatrix.objects.filter(organisation=organisation,
                                         name=services.DEFAULT_NAME).first()
    if request.method == "POST":
        if not request.user.has_perm("risk.add_riskmatrix"):
            raise PermissionDenied("You may not add risk matrices.")
        try:
            matrix = services.default_matrix(organisation, request.user)
        except ValidationError as invalid:
            messages.error(request, " ".join(invalid.messages))
            return redirect(target or "home")
        if existing is None:
            messages.success(request, f"Created {matrix}: likelihood 1–5 × consequence 1–5 "
                                      "with six consequence categories. Adapt it any time "
                                      "before an assessment using it is completed.")
        return redirect(target or matrix.get_absolute_url())
    return render(request, "risk/default_matrix.html", {"existing": existing, "next": target,
                                                         "can_add": request.user.has_perm(
                                                             "risk.add_riskmatrix")})
