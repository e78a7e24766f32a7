"""Dashboard cards and My work sections of audits and corrective actions."""

from django.urls import reverse

from chainward.core.dashboard import Card, card

from . import services
from .choices import CAPA_DONE
from .models import Audit, CorrectiveAction, CorrectiveActionStep


@card
def overdue_corrective_actions(request):
    """ISO 28000 10.2: corrective actions past their due date."""
    if not request.user.has_perm("audits.view_correctiveaction"):
        return None
    visible = CorrectiveAction.objects.restrict(request.user, "view").filter(
        organisation=request.organisation)
    overdue = list(services.overdue_corrective_actions(visible).values_list("reference",
                                                                             flat=True)[:6])
    count = services.overdue_corrective_actions(visible).count()
    return Card("Corrective actions overdue", str(count), ", ".join(overdue[:5]),
                "danger" if count else "success",
                reverse("audits:correctiveaction_list") + "?overdue=true")


@card
def audits_due(request):
    """ISO 28000 9.2: planned audits starting in the next 30 days."""
    if not request.user.has_perm("audits.view_audit"):
        return None
    visible = Audit.objects.restrict(request.user, "view").filter(
        organisation=request.organisation)
    upcoming = services.upcoming_audits(visible).order_by("planned_start")
    count = upcoming.count()
    detail = ", ".join(f"{a.reference} {a.planned_start:%Y-%m-%d}" for a in upcoming[:3])
    return Card("Audits in the next 30 days", str(count), detail,
                "warning" if count else "secondary",
                reverse("audits:audit_list") + "?status=planned")


@card
def my_work(request):
    """The user's own open corrective actions and steps (details on the My work page)."""
    if not request.user.has_perm("audits.view_correctiveaction"):
        return None
    mine = CorrectiveAction.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, owner=request.user, archived=False).exclude(
        status__in=CAPA_DONE)
    steps = services.overdue_steps(CorrectiveActionStep.objects.restrict(
        request.user, "view").filter(organisation=request.organisation, owner=request.user))
    overdue = services.overdue_corrective_actions(mine).count() + steps.count()
    return Card("My work", str(mine.count()), f"open corrective actions of yours; {overdue} "
                "overdue item(s)", "danger" if overdue else "secondary",
                reverse("audits:my_work"))


@services.my_work_section
def my_corrective_actions(request):
    """Open corrective actions the user owns, overdue first."""
    rows = list(CorrectiveAction.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, owner=request.user, archived=False)
        .exclude(status__in=CAPA_DONE).select_related("site").order_by("due_date", "pk"))
    rows.sort(key=lambda c: (not c.is_overdue, c.due_date, c.pk))
    return {"title": "My corrective actions", "rows": [
        {"url": c.get_absolute_url(), "label": str(c), "due": c.due_date,
         "overdue": c.is_overdue, "status": c.get_status_display(),
         "where": c.site.name if c.site else ""} for c in rows],
        "empty": "No open corrective actions are yours."}


@services.my_work_section
def my_steps(request):
    """Steps the user must do, overdue first."""
    rows = list(CorrectiveActionStep.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, owner=request.user, archived=False,
        done_on__isnull=True, corrective_action__archived=False)
        .exclude(corrective_action__status__in=CAPA_DONE)
        .select_related("corrective_action").order_by("due_date", "pk"))
    rows.sort(key=lambda s: (not s.is_overdue, s.due_date, s.pk))
    return {"title": "My corrective-action steps", "rows": [
        {"url": s.get_absolute_url(), "label": str(s), "due": s.due_date,
         "overdue": s.is_overdue, "status": "not done",
         "where": str(s.corrective_action)} for s in rows],
        "empty": "No open steps are yours."}
