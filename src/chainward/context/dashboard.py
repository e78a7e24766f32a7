"""Dashboard cards and My work of the context app: compliance evaluations due (ISO 28000
9.1) and the climate decision of Amd 1:2024 (4.1)."""

from django.urls import reverse

from chainward.audits.services import my_work_section
from chainward.core.dashboard import Card, card

from . import services
from .models import Obligation
from .services import due_obligations

MY_WORK_ROWS = 50


@card
def evaluations_due(request):
    """Legal and other requirements whose compliance evaluation is due."""
    if not request.user.has_perm("context.view_obligation"):
        return None
    due = due_obligations(Obligation.objects.restrict(request.user, "view").filter(
        organisation=request.organisation))
    count = due.count()
    return Card("Compliance evaluations due", str(count),
                ", ".join(due.order_by("next_evaluation_due").values_list(
                    "reference", flat=True)[:5]),
                "warning" if count else "success",
                reverse("context:obligation_list") + "?due=true")


@my_work_section
def my_evaluations(request):
    """Obligations the user owns whose compliance evaluation is due."""
    if not request.user.has_perm("context.view_obligation"):
        return None
    rows = list(due_obligations(Obligation.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, owner=request.user))
        .order_by("next_evaluation_due", "pk")[:MY_WORK_ROWS])
    return {"title": "Compliance evaluations due (legal register)", "rows": [
        {"url": o.get_absolute_url() + "#evaluations", "label": str(o),
         "due": o.next_evaluation_due, "overdue": True, "status": "evaluation due",
         "where": o.get_kind_display()} for o in rows],
        "empty": "No compliance evaluation of a requirement you own is due."}


@card
def changes_to_record(request):
    """New sites, legs and partners without a planned-change record (ISO 28000 6.3)."""
    if not request.user.has_perm("context.add_plannedchange"):
        return None
    found = services.changes_to_record(request.user, request.organisation)
    if not found:
        return None
    return Card("New without a change record", str(len(found)),
                ", ".join(str(row) for _, row, _ in found[:3]), "warning",
                reverse("context:plannedchange_list"))


@my_work_section
def my_changes_to_record(request):
    """New sites, legs and partners in my scope that no planned change names."""
    if not request.user.has_perm("context.add_plannedchange"):
        return None
    found = services.changes_to_record(request.user, request.organisation, limit=MY_WORK_ROWS)
    if not found:
        return None
    return {"title": "Record the change (new sites, legs, partners)", "rows": [
        {"url": url, "label": f"{kind.label}: {row}", "due": None, "overdue": False,
         "status": "no planned change", "where": ""} for kind, row, url in found],
        "empty": ""}
