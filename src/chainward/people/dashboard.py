"""Dashboard cards and My work of the people app: training due (expiring, expired, missing;
ISO 28000 7.2) and security roles vacant or whose appointment ends soon (5.3)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from chainward.audits.services import my_work_section
from chainward.core.dashboard import Card, card

from . import services
from .choices import Standing
from .models import AwarenessCampaign

MY_WORK_ROWS = 50


@card
def training_due(request):
    """Required competences expiring, expired or missing."""
    if not request.user.has_perm("people.view_trainingrecord"):
        return None
    due = services.training_due(request.user, request.organisation)
    worst = {state for _, _, state, _ in due}
    tone = "danger" if worst & {Standing.EXPIRED, Standing.MISSING} else \
        "warning" if due else "success"
    return Card("Training due", str(len(due)),
                ", ".join(f"{p.full_name}: {r.name}" for p, r, _, _ in due[:3]), tone,
                reverse("people:competence_matrix"))


@card
def roles_due(request):
    """Security roles vacant or whose appointment ends soon."""
    if not request.user.has_perm("people.view_securityrole"):
        return None
    due = services.roles_due(request.user, request.organisation)
    return Card("Security roles to fill", str(len(due)),
                ", ".join(f"{role.name}: {why}" for role, why in due[:3]),
                "warning" if due else "success", reverse("people:organisation_chart"))


@my_work_section
def my_training(request):
    """Training to renew or take (ISO 28000 7.2): expired, missing, or ending within
    services.REMINDER_DAYS — of the people whose records the user keeps, within their scope
    (the security manager, a site's officer), and of the user's own staff record. The daily
    digest lists the same rows."""
    user = request.user
    due = services.training_reminders(user, request.organisation)[:MY_WORK_ROWS]
    if not due and not user.has_perm("people.change_trainingrecord"):
        return None
    add = reverse("people:trainingrecord_add")
    may_add = user.has_perm("people.add_trainingrecord")
    return {"title": "Training due", "rows": [
        {"url": f"{add}?person={person.pk}&requirement={requirement.pk}" if may_add and
         person.user_id != user.pk else requirement.get_absolute_url(),
         "label": f"{person.full_name} — {requirement.name}", "due": expires,
         "overdue": state != Standing.EXPIRING, "status": state,
         "where": "you" if person.user_id == user.pk else str(person.site or "head office")}
        for person, requirement, state, expires in due],
        "empty": "Nobody you keep records for is due any training."}


@card
def screening_due(request):
    """Personnel screening due, missing or referred (security manager, top management only)."""
    if not services.may_see_screening(request.user, request.organisation):
        return None
    due = services.screening_due(request.user, request.organisation)
    old = services.screening_past_retention(request.user, request.organisation)
    detail = ", ".join(f"{person.full_name}: {why}" for person, why, _ in due[:3])
    if old:
        detail = "; ".join(filter(None, [detail, f"{len(old)} record(s) past retention"]))
    return Card("Screening due", str(len(due)), detail,
                "warning" if due or old else "success",
                reverse("people:screeningrecord_list"))


@card
def awareness(request):
    """Open awareness campaigns and how far their audience has acknowledged the material."""
    if not request.user.has_perm("people.view_awarenesscampaign"):
        return None
    today = timezone.localdate()
    campaigns = list(AwarenessCampaign.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False, starts_on__lte=today,
        due_on__gte=today - datetime.timedelta(days=30)).order_by("due_on", "pk")[:5])
    progress = services.campaign_progress(campaigns, today)
    if not progress:
        return None
    behind = [p for p in progress if p.rate is None or p.rate < 100]
    return Card("Awareness campaigns", str(len(progress)),
                ", ".join(f"{p.campaign.topic}: {p.rate if p.rate is not None else '—'} %"
                          for p in progress[:3]),
                "warning" if behind else "success", reverse("people:awarenesscampaign_list"))


@my_work_section
def my_awareness(request):
    """Awareness material I must still acknowledge (ISO 28000 7.3)."""
    owed = services.campaigns_owed(request.user, request.organisation)
    if not owed:
        return None
    today = timezone.localdate()
    return {"title": "Awareness campaigns to acknowledge", "rows": [
        {"url": campaign.get_absolute_url(), "label": f"{campaign.topic} — read {version}",
         "due": campaign.due_on, "overdue": campaign.due_on < today, "status": "to read",
         "where": ""} for campaign, version in owed],
        "empty": "Nothing to acknowledge."}


@my_work_section
def my_screening(request):
    """Screenings due, missing or referred (the security manager's My work)."""
    if not services.may_see_screening(request.user, request.organisation) or \
            not request.user.has_perm("people.add_screeningrecord"):
        return None
    add = reverse("people:screeningrecord_add")
    today = timezone.localdate()
    return {"title": "Personnel screening due", "rows": [
        {"url": f"{add}?person={person.pk}", "label": person.full_name, "due": when,
         "overdue": when is None or when < today, "status": why,
         "where": str(person.site or "head office")}
        for person, why, when in services.screening_due(request.user, request.organisation)
        [:MY_WORK_ROWS]], "empty": "No screening is due."}
