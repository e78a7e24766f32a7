"""Exercise workflows (ISO 28000 8.6): recording an exercise as held, planning the next one of
a repeating programme, opening the corrective actions its findings call for (ISO 28000 10.2),
and the questions the dashboard, My work, the plan page and the packs ask.

Each write takes the actor explicitly and goes through `save_record`: the ledger sees it and
the actor's scope is re-checked. The model's `clean` holds the rules of a held exercise
(participants, what was tested, result, observations when objectives were missed); the forms,
the API and the import run it, and so does `record_exercise` here.
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from chainward.core import services as records
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event

from .models import Exercise, ExerciseResult

CAPA_DAYS = 60  # a corrective action from an exercise is due in 60 days unless given


def _may(user, obj, action="change"):
    if not type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(f"You may not {action} this {obj._meta.verbose_name}.")


def add_months(day, months):
    """`day` moved on by whole months (the last day of a shorter month when needed)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def record_exercise(user, exercise, *, held_on, participants, tested, result, observations="",
                    expected_version=None):
    """The exercise was held: who took part, what was tested, what was observed, the result.
    The model's rules apply (no date in the future, observations when objectives were not
    met); a repeating exercise then plans its next one (`plan_next_exercise`, via the
    register's `after_save`)."""
    _may(user, exercise)
    if exercise.held_on is not None:
        raise ValidationError({"held_on": f"{exercise.reference} was already recorded as held "
                                          f"on {exercise.held_on:%Y-%m-%d}; edit the record "
                                          "instead."})
    exercise.held_on, exercise.participants, exercise.tested = held_on, participants, tested
    exercise.result, exercise.observations = result, observations
    try:
        exercise.full_clean(exclude=["version"])
    except ValidationError:
        exercise.refresh_from_db()
        raise
    with acting_as(user), transaction.atomic():
        records.save_record(user, exercise, expected_version=expected_version)
        record_event("exercise_held", obj=exercise, details={
            "plan": exercise.plan.reference, "result": exercise.result,
            "held_on": exercise.held_on.isoformat()})
    return exercise


def plan_next_exercise(user, exercise):
    """A held exercise that repeats plans the next one (once): same plan, type, scenario and
    site, due `repeat_months` after it was held. Run after every save of an exercise, from
    every path (`ExerciseRegister.after_save`)."""
    if exercise.held_on is None or not exercise.repeat_months or exercise.archived:
        return None
    if Exercise.objects.filter(follows=exercise).exists():
        return None
    follow_up = Exercise(
        organisation_id=exercise.organisation_id, plan_id=exercise.plan_id,
        title=exercise.title, exercise_type=exercise.exercise_type,
        threat_scenario_id=exercise.threat_scenario_id, incident_id=exercise.incident_id,
        site_id=exercise.site_id, repeat_months=exercise.repeat_months, follows=exercise,
        due_on=add_months(exercise.held_on, exercise.repeat_months))
    records.save_record(user, follow_up)
    return follow_up


def open_exercise_action(user, exercise, *, title, owner=None, due_date=None, description=""):
    """An action the exercise calls for becomes a corrective action (ISO 28000 10.2) at the
    exercise's site, linked to the exercise; the corrective-action register's rules apply."""
    from chainward.audits.choices import CapaSource
    from chainward.audits.models import CorrectiveAction

    _may(user, exercise)
    errors = {}
    if exercise.held_on is None:
        errors["held_on"] = "Record the exercise as held first: its actions follow from it."
    if not (title or "").strip():
        errors["title"] = "Say what must be done."
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = "Give a due date from today on."
    if exercise.archived:
        errors["title"] = "Restore the exercise before opening actions from it."
    if errors:
        raise ValidationError(errors)
    with acting_as(user), transaction.atomic():
        capa = CorrectiveAction(
            organisation_id=exercise.organisation_id, source=CapaSource.OTHER,
            title=title.strip()[:200], site_id=exercise.site_id, owner=owner or user,
            description=description or (f"From exercise {exercise.reference} "
                                        f"({exercise.get_exercise_type_display().lower()}, "
                                        f"held {exercise.held_on:%Y-%m-%d}, "
                                        f"{exercise.get_result_display().lower()}): "
                                        f"{exercise.observations}").strip(),
            due_date=due_date or timezone.localdate() + datetime.timedelta(days=CAPA_DAYS))
        capa.full_clean(exclude=["version"])
        records.save_record(user, capa)
        records.save_record(user, exercise, relations={"corrective_actions": [
            *exercise.corrective_actions.values_list("pk", flat=True), capa.pk]})
        record_event("open_corrective_action", obj=exercise,
                     details={"corrective_action": capa.reference})
    return capa


# --- questions ----------------------------------------------------------------------------------
def overdue_exercises(queryset, today=None):
    """Exercises not held and past their due date (of plans not archived)."""
    today = today or timezone.localdate()
    return queryset.filter(archived=False, held_on__isnull=True, due_on__lt=today,
                           plan__archived=False)


def last_tested(user, plan):
    """The plan's latest held exercise the user may see, and its next one due, for the plan
    page: {"last": Exercise|None, "next": Exercise|None, "overdue": int}."""
    visible = Exercise.objects.restrict(user, "view").filter(plan=plan, archived=False)
    return {
        "last": visible.filter(held_on__isnull=False).order_by("-held_on", "-pk").first(),
        "next": visible.filter(held_on__isnull=True).order_by("due_on", "pk").first(),
        "overdue": overdue_exercises(visible).count(),
    }


def plans_last_tested(queryset):
    """{plan id: last held date} for the exercises in `queryset` (one query)."""
    return dict(queryset.filter(archived=False, held_on__isnull=False).values("plan_id")
                .annotate(last=Max("held_on")).values_list("plan_id", "last"))


def not_met(queryset):
    """Held exercises whose objectives were not (fully) met."""
    return queryset.filter(Q(result=ExerciseResult.NOT_MET) | Q(result=ExerciseResult.PARTLY_MET))
