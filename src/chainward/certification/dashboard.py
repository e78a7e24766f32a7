"""Dashboard cards of review and certification: the next milestone, certificate expiry,
overdue review actions, and whether a management review was held in the last 12 months."""

import datetime

from django.urls import reverse
from django.utils import timezone

from chainward.core.dashboard import Card, card

from .choices import ActionStatus, CertificateStatus, ReviewStatus
from .models import Certificate, CycleMilestone, ManagementReview, ReviewAction

MILESTONE_DAYS = 90
EXPIRY_MONTHS_DAYS = 183  # about six months


def _visible(model, request):
    return model.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False)


@card
def next_milestone(request):
    """The next open milestone of the certification cycle: overdue, or due within 90 days."""
    if not request.user.has_perm("certification.view_cyclemilestone"):
        return None
    today = timezone.localdate()
    pending = _visible(CycleMilestone, request).filter(
        done_on__isnull=True, certificate__archived=False).select_related(
        "certificate", "certificate__framework").order_by("due_date")
    overdue = pending.filter(due_date__lt=today)
    url = reverse("certification:cyclemilestone_list")
    if overdue.exists():
        first = overdue.first()
        return Card("Certification milestone overdue", str(overdue.count()),
                    f"{first.get_kind_display()} was due {first.due_date:%Y-%m-%d}", "danger",
                    url + "?overdue=true")
    soon = pending.filter(due_date__lte=today + datetime.timedelta(days=MILESTONE_DAYS)).first()
    if soon is None:
        return None
    return Card("Next certification milestone", f"{(soon.due_date - today).days} days",
                f"{soon.get_kind_display()} ({soon.certificate}) due {soon.due_date:%Y-%m-%d}",
                "warning", soon.get_absolute_url())


@card
def certificate_expiry(request):
    """A certificate expiring within six months (or expired while still marked active)."""
    if not request.user.has_perm("certification.view_certificate"):
        return None
    today = timezone.localdate()
    expiring = _visible(Certificate, request).filter(
        status=CertificateStatus.ACTIVE,
        expires_on__lte=today + datetime.timedelta(days=EXPIRY_MONTHS_DAYS)).order_by(
        "expires_on").first()
    if expiring is None:
        return None
    expired = expiring.expires_on < today
    return Card("Certificate expired" if expired else "Certificate expiring",
                f"{expiring.expires_on:%Y-%m-%d}", f"{expiring} — plan the recertification",
                "danger" if expired else "warning", expiring.get_absolute_url())


@card
def review_actions_overdue(request):
    """Open actions from management reviews past their due date."""
    if not request.user.has_perm("certification.view_reviewaction"):
        return None
    overdue = _visible(ReviewAction, request).filter(
        status=ActionStatus.OPEN, due_date__lt=timezone.localdate()).count()
    return Card("Review actions overdue", str(overdue), "from management reviews",
                "danger" if overdue else "success",
                reverse("certification:reviewaction_list") + "?overdue=true")


@card
def management_review_due(request):
    """ISO 28000 9.3: a management review at planned intervals — none held in 12 months?"""
    if not request.user.has_perm("certification.view_managementreview"):
        return None
    since = timezone.localdate() - datetime.timedelta(days=365)
    last = _visible(ManagementReview, request).filter(
        status__in=[ReviewStatus.HELD, ReviewStatus.MINUTES_APPROVED]).order_by("-date").first()
    url = reverse("certification:managementreview_list")
    if last is None:
        return Card("Management review due", "none held", "No management review recorded.",
                    "danger", url)
    if last.date < since:
        return Card("Management review due", "overdue",
                    f"Last held {last.date:%Y-%m-%d}", "danger", url)
    return Card("Management review", "held", f"Last held {last.date:%Y-%m-%d}", "success",
                last.get_absolute_url())
