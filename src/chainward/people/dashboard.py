"""Dashboard cards and My work of the people app: training due (expiring, expired, missing;
ISO 28000 7.2) and security roles vacant or whose appointment ends soon (5.3)."""

from django.urls import reverse

from chainward.audits.services import my_work_section
from chainward.core.dashboard import Card, card

from . import services
from .choices import Standing

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
    """Training due of the people the user keeps (expired and missing first)."""
    if not request.user.has_perm("people.change_trainingrecord"):
        return None
    order = {Standing.EXPIRED: 0, Standing.MISSING: 1, Standing.EXPIRING: 2}
    due = sorted(services.training_due(request.user, request.organisation),
                 key=lambda row: (order[row[2]], row[0].full_name))[:MY_WORK_ROWS]
    add = reverse("people:trainingrecord_add")
    return {"title": "Training due", "rows": [
        {"url": f"{add}?person={person.pk}&requirement={requirement.pk}",
         "label": f"{person.full_name} — {requirement.name}", "due": expires,
         "overdue": state != Standing.EXPIRING, "status": state,
         "where": str(person.site or "head office")} for person, requirement, state, expires
        in due], "empty": "Nobody you keep records for is due any training."}
