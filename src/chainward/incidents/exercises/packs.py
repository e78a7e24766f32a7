"""What exercises give the auditor's evidence pack (ISO 28000 8.6): the exercise programme
of the security plans and the record of each exercise held, as the producer may see them
(restricted, like the plans)."""

from chainward.certification.pack import PackEntry, pack_section
from chainward.core.querysets import visible

from .models import Exercise
from .services import overdue_exercises


@pack_section("exercises", "Exercises of the security plans (ISO 28000 8.6)", order=66,
              restricted=True)
def exercise_reports(organisation, user, pack):
    """One PDF: the programme (every exercise with its due date and state) and the report of
    each exercise held (participants, what was tested, observations, result, actions)."""
    exercises = list(visible(Exercise, user, organisation)
                     .select_related("plan", "site", "threat_scenario", "incident")
                     .prefetch_related("corrective_actions").order_by("plan_id", "due_on", "pk"))
    if not exercises:
        return [PackEntry("Exercise programme", note="No exercise recorded.", restricted=True)]
    held = [e for e in exercises if e.held_on]
    late = overdue_exercises(visible(Exercise, user, organisation)).count()
    path = pack.render_pdf("plans/exercises.pdf", "incidents/pack_exercises.html",
                           {"organisation": organisation, "exercises": exercises,
                            "held": held}, restricted=True)
    return [PackEntry("Exercise programme and exercise reports", path=path, restricted=True,
                      note=f"{len(exercises)} exercise(s), {len(held)} held, {late} overdue")]
