"""Dashboard cards and My work of the incidents app: overdue notifications (the deadlines of
police, customs, insurers…), open incidents and investigations."""

from django.urls import reverse
from django.utils import timezone

from chainward.audits.services import my_work_section
from chainward.core.dashboard import Card, card
from chainward.plans.review_triggers import plan_review_trigger
from chainward.risk.dashboard import reassessment_trigger

from .choices import OPEN_STATUSES
from .models import Incident, Notification
from .services import incidents_for_plan_review, incidents_since, overdue_notifications

MY_WORK_ROWS = 50


@card
def notifications_overdue(request):
    """Notifications past their deadline and not sent."""
    if not request.user.has_perm("incidents.view_notification"):
        return None
    late = overdue_notifications(Notification.objects.restrict(request.user, "view").filter(
        organisation=request.organisation))
    count = late.count()
    return Card("Incident notifications overdue", str(count),
                ", ".join(late.order_by("due_at").values_list("reference", flat=True)[:5]),
                "danger" if count else "success",
                reverse("incidents:notification_list") + "?overdue=true")


@card
def incidents_open(request):
    """Incidents not closed yet."""
    if not request.user.has_perm("incidents.view_incident"):
        return None
    open_ = Incident.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False, status__in=OPEN_STATUSES)
    count = open_.count()
    return Card("Open security incidents", str(count),
                ", ".join(open_.values_list("reference", flat=True)[:5]),
                "warning" if count else "success",
                reverse("incidents:incident_list") + "?open=true")


@my_work_section
def my_notifications(request):
    """Notifications the user may record as sent: overdue first, then by deadline."""
    if not request.user.has_perm("incidents.change_notification"):
        return None
    rows = list(Notification.objects.restrict(request.user, "change").filter(
        organisation=request.organisation, archived=False, notified_at__isnull=True,
        incident__archived=False).select_related("incident")
        .order_by("due_at", "pk")[:MY_WORK_ROWS])
    now = timezone.now()
    return {"title": "Incident notifications to send", "rows": [
        {"url": n.incident.get_absolute_url() + "#notifications",
         "label": f"{n.get_recipient_display()} — {n.incident}", "due": n.due_at,
         "overdue": n.due_at is not None and n.due_at < now, "status": "not notified",
         "where": n.incident.reference} for n in rows],
        "empty": "No incident notifications are waiting."}


@reassessment_trigger
def incidents_since_assessment(user, organisation, last):
    """ISO 28001 5.7: incidents triaged or closed since the last completed assessment that
    touch rated targets prompt a re-assessment."""
    found = list(incidents_since(user, organisation, last.completed_on)
                 .order_by("occurred_at").values_list("reference", flat=True)[:6])
    if not found:
        return []
    shown = ", ".join(found[:5]) + (" …" if len(found) > 5 else "")
    noun = "incident" if len(found) == 1 else "incidents"
    return [f"Security {noun} {shown} since {last.reference} was completed: the ratings of the "
            "targets they touched are marked for review."]


@plan_review_trigger
def incidents_since_plan_version(user, plan, since):
    """ISO 28001 5.7: incidents triaged or closed at what the plan covers since its latest
    version was generated mark the plan for review."""
    found = list(incidents_for_plan_review(user, plan, since)
                 .values_list("reference", flat=True)[:6])
    if not found:
        return []
    shown = ", ".join(found[:5]) + (" …" if len(found) > 5 else "")
    noun = "incident" if len(found) == 1 else "incidents"
    return [f"Security {noun} {shown} triaged or closed at a site, leg or partner this plan "
            f"covers since {timezone.localtime(since):%Y-%m-%d}: review its response, warning "
            "and recovery arrangements."]
