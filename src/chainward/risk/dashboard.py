"""Dashboard cards of the security assessment: unaccepted risks, overdue countermeasures,
expired acceptances and re-assessment prompts (ISO 28001 5.6 / ISO 28000 6.1 re-assessment)."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from chainward.core.dashboard import Card, card

from .choices import DONE, AssessmentStatus
from .filtersets import unaccepted_q
from .models import (
    Countermeasure,
    Process,
    Rating,
    RiskAcceptance,
    RiskMatrix,
    SecurityAssessment,
)

ANNUAL = datetime.timedelta(days=365)
# Further triggers other apps contribute: `func(user, organisation, last) -> [lines]`, where
# `last` is the latest completed assessment the user may see (incidents: ISO 28001 5.7).
_triggers = []


def reassessment_trigger(func):
    """Register `func(user, organisation, last_assessment) -> list of prompt lines`."""
    _triggers.append(func)
    return func


@card
def risks_above_appetite(request):
    """Residual risks above the acceptance criteria without a valid acceptance."""
    if not request.user.has_perm("risk.view_rating"):
        return None
    visible = Rating.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False).filter(unaccepted_q())
    count = visible.count()
    refs = ", ".join(visible.order_by("-residual_rank", "reference").values_list(
        "reference", flat=True)[:5])
    return Card("Risks above appetite, not accepted", str(count), refs,
                "danger" if count else "success",
                reverse("risk:rating_list") + "?unaccepted=true")


@card
def countermeasures_overdue(request):
    """Countermeasures past their due date and not implemented."""
    if not request.user.has_perm("risk.view_countermeasure"):
        return None
    late = Countermeasure.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False,
        due_date__lt=timezone.localdate()).exclude(status__in=DONE)
    count = late.count()
    return Card("Countermeasures overdue", str(count),
                ", ".join(late.values_list("reference", flat=True)[:5]),
                "danger" if count else "success",
                reverse("risk:countermeasure_list") + "?overdue=true")


@card
def acceptances_expired(request):
    """Risk acceptances past their expiry date: due for renewal or treatment."""
    if not request.user.has_perm("risk.view_riskacceptance"):
        return None
    expired = RiskAcceptance.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False,
        valid_until__lt=timezone.localdate())
    count = expired.count()
    return Card("Risk acceptances expired", str(count),
                ", ".join(expired.values_list("reference", flat=True)[:5]),
                "warning" if count else "success",
                reverse("risk:riskacceptance_list") + "?expired=true")


def reassessment_prompts(user, organisation, today=None):
    """Why a re-assessment is due, as readable lines (empty: none is due).

    Triggers: no completed assessment; the last completed one is over 12 months old; a site,
    leg, partner or process created after it; a threat-level change recorded on a risk matrix
    after it; whatever the registered triggers report (security incidents).
    """
    today = today or timezone.localdate()
    last = (SecurityAssessment.objects.restrict(user, "view")
            .filter(organisation=organisation, archived=False,
                    status=AssessmentStatus.COMPLETED, completed_on__isnull=False)
            .order_by("-completed_on").first())
    if last is None:
        return ["No completed security assessment yet."]
    prompts = []
    if last.completed_on + ANNUAL < today:
        prompts.append(f"Annual review due: {last.reference} was completed on "
                       f"{last.completed_on:%Y-%m-%d}.")
    since = datetime.datetime.combine(last.completed_on + datetime.timedelta(days=1),
                                      datetime.time.min, tzinfo=datetime.UTC)
    from chainward.supplychain.models import Leg, Partner, Site

    for model in (Site, Leg, Partner, Process):
        new = model.objects.restrict(user, "view").filter(
            organisation=organisation, archived=False, created_at__gte=since).count()
        if new:
            noun = model._meta.verbose_name if new == 1 else model._meta.verbose_name_plural
            prompts.append(f"{new} {noun} added since {last.reference} was completed.")
    changed = RiskMatrix.objects.filter(organisation=organisation, archived=False).filter(
        Q(threat_level_changed_on__gt=last.completed_on)).first()
    if changed is not None:
        prompts.append(f"Threat level changed on {changed.threat_level_changed_on:%Y-%m-%d}"
                       f"{': ' + changed.threat_level_note if changed.threat_level_note else ''}.")
    for trigger in _triggers:
        prompts.extend(trigger(user, organisation, last))
    return prompts


@card
def reassessment_due(request):
    """Re-assessment prompts."""
    if not request.user.has_perm("risk.view_securityassessment"):
        return None
    prompts = reassessment_prompts(request.user, request.organisation)
    return Card("Security re-assessment", "due" if prompts else "up to date",
                " ".join(prompts[:3]), "warning" if prompts else "success",
                reverse("risk:securityassessment_list"))
