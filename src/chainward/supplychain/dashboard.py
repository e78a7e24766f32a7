"""Dashboard cards of the supply chain: partner reviews due (ISO 28001 4.5) and lapsed
exemptions (ISO 28001 4.4)."""

from django.db.models import Count, Window
from django.urls import reverse

from chainward.core.dashboard import Card, card

from . import services
from .models import Exemption, Partner


@card
def partner_reviews_due(request):
    """Partners whose review is due: never reviewed, or past their interval."""
    if not request.user.has_perm("supplychain.view_partner"):
        return None
    partners = Partner.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False)
    due = services.partners_due_for_review(partners).order_by("name")
    # The first three names and how many there are in one query: the review state is a large
    # expression, compiled and run once rather than for a count and again for the names.
    first = list(due.annotate(total=Window(Count("pk"))).values_list("name", "total")[:3])
    count = first[0][1] if first else 0
    return Card("Partner reviews due", str(count),
                ", ".join(name for name, _total in first) if count else
                "Every partner in use is reviewed on time (ISO 28001 4.5).",
                "warning" if count else "success",
                reverse("supplychain:partner_list") + "?review_due=true")


@card
def lapsed_exemptions(request):
    """Exemptions whose programme status is no longer valid: those partners are back in scope."""
    if not request.user.has_perm("supplychain.view_exemption"):
        return None
    lapsed = Exemption.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False).exclude(services.in_force_q())
    count = lapsed.count()
    if not count:
        return None
    return Card("Exemptions lapsed", str(count),
                "Programme status no longer valid: partner back in the assessment's scope.",
                "danger", reverse("supplychain:exemption_list") + "?in_force=false")


@card
def programmes_expired(request):
    """Partners in use whose security programme status (AEO, C-TPAT, TAPA…) expired and was
    not renewed: their exemptions lapse and their review interval shortens (issue 13 item 10)."""
    if not request.user.has_perm("supplychain.view_partner"):
        return None
    partners = Partner.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False)
    lapsed = services.partners_with_lapsed_programme(partners).order_by("name")
    count = lapsed.count()
    if not count:
        return None
    return Card("Partner programmes expired", str(count),
                ", ".join(lapsed.values_list("name", flat=True)[:3]),
                "danger", reverse("supplychain:partner_list")
                + "?programme_expired=true&status=onboarding&status=active")
