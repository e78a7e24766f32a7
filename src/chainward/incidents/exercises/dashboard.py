"""Dashboard card, My work section, management-review input (ISO 28000 9.3.2) and
evidence-pack registration of exercises are kept here and in `packs.py`."""

from django.urls import reverse
from django.utils import timezone

from chainward.audits.services import my_work_section
from chainward.certification.inputs_builtin import ROWS, changes_since, figure
from chainward.certification.review_inputs import review_input
from chainward.core.dashboard import Card, card
from chainward.core.querysets import visible

from .models import Exercise, ExerciseResult
from .services import not_met, overdue_exercises

MY_WORK_ROWS = 50


@card
def exercises_overdue(request):
    """Exercises of the security plans past their due date and not held (ISO 28000 8.6)."""
    if not request.user.has_perm("incidents.view_exercise"):
        return None
    late = overdue_exercises(Exercise.objects.restrict(request.user, "view").filter(
        organisation=request.organisation))
    count = late.count()
    return Card("Plan exercises overdue", str(count),
                ", ".join(late.order_by("due_on").values_list("reference", flat=True)[:5]),
                "danger" if count else "success",
                reverse("incidents:exercise_list") + "?overdue=true")


@my_work_section
def my_exercises(request):
    """Exercises the user may record, not yet held: overdue first, then by due date."""
    if not request.user.has_perm("incidents.change_exercise"):
        return None
    rows = list(Exercise.objects.restrict(request.user, "change").filter(
        organisation=request.organisation, archived=False, held_on__isnull=True,
        plan__archived=False).select_related("plan").order_by("due_on", "pk")[:MY_WORK_ROWS])
    today = timezone.localdate()
    return {"title": "Exercises of the security plans to hold", "rows": [
        {"url": e.get_absolute_url(), "label": f"{e.get_exercise_type_display()}: {e.title}",
         "due": e.due_on, "overdue": e.due_on < today, "status": "not held",
         "where": e.plan.reference} for e in rows],
        "empty": "No exercise is waiting."}


@review_input("exercises", "Exercises of the security plans", 56)
def exercises(organisation, user):
    """ISO 28000 9.3.2 / 8.6: exercises held since the last review, their results, the
    overdue ones and the actions they opened."""
    since = changes_since(organisation, user)
    mine = visible(Exercise, user, organisation)
    held = mine.filter(held_on__gte=since)
    late = overdue_exercises(mine)
    return {
        "figures": [
            figure("held", "Exercises held", held.count()),
            figure("met", "Objectives met", held.filter(result=ExerciseResult.MET).count()),
            figure("not_met", "Objectives partly or not met", not_met(held).count()),
            figure("overdue", "Exercises overdue", late.count()),
            figure("actions", "Corrective actions opened",
                   held.filter(corrective_actions__isnull=False)
                   .values("corrective_actions").distinct().count()),
        ],
        "rows": [{"text": f"{e.reference} {e.title}", "url": e.get_absolute_url(),
                  "detail": (f"{e.get_exercise_type_display().lower()}, held "
                             f"{e.held_on:%Y-%m-%d}, {e.get_result_display().lower()}"
                             if e.held_on else
                             f"{e.get_exercise_type_display().lower()}, overdue since "
                             f"{e.due_on:%Y-%m-%d}")}
                 for e in (held | late).order_by("due_on", "pk")[:ROWS]],
        "url": reverse("incidents:exercise_list"),
        "note": f"Exercises held since {since:%Y-%m-%d} (the last management review held, or "
                "twelve months back when there was none), and those overdue.",
    }
