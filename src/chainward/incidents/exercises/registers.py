"""Register declaration of exercises (ISO 28000 8.6), and the exercise programme panel on the
security plan's page."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel
from chainward.core.registry import add_register
from chainward.plans.registers import SecurityPlanRegister

from . import filtersets, services
from .api import ExerciseViewSet
from .forms import ExerciseActionForm
from .models import Exercise


@add_register
class ExerciseRegister(Register):
    model = Exercise
    url_prefix = "exercises"
    viewset_base = ExerciseViewSet  # POST …/held/, …/corrective-action/
    menu_group = "Incidents"
    menu_label = "Exercises and drills"
    columns = ("title", Column("plan", sort="plan__title"), "exercise_type", "due_on",
               "held_on", "result", Column("state", label="state", sort=None),
               Column("site", sort="site__name"))
    filterset_class = filtersets.ExerciseFilterSet
    fields = ("plan", "title", "exercise_type", "threat_scenario", "incident", "site", "due_on",
              "repeat_months", "held_on", "participants", "tested", "observations", "result",
              "corrective_actions", "follows")
    # ISO 28000 8.6: what plan is tested, on what scenario, when; then what was found.
    form_sections = (
        ("Exercise", ("plan", "title", "exercise_type", "threat_scenario", "incident", "site")),
        ("When", ("due_on", "repeat_months", "held_on")),
        ("Result", ("participants", "tested", "observations", "result")),
    )
    # Opened by services.open_exercise_action; set by services.plan_next_exercise.
    read_only_fields = ("corrective_actions", "follows")
    api_extra_fields = ("is_overdue", "state")
    detail_template = "incidents/exercise_detail.html"
    select_related = ("plan", "site")
    import_required = ("plan", "title", "exercise_type", "due_on")
    import_lookups = {"plan": "reference", "threat_scenario": "ref_id", "incident": "reference",
                      "site": "code"}

    def after_save(self, user, obj, created):
        """A held exercise that repeats plans its next one (every path: UI, API, import,
        demo)."""
        services.plan_next_exercise(user, obj)

    def detail_context(self, obj, request):
        user = request.user
        return {
            "actions": list(obj.corrective_actions.select_related("owner")
                            .order_by("reference")),
            "can_open_action": obj.held_on is not None and not obj.archived and
            user.has_perm("incidents.change_exercise", obj) and
            user.has_perm("audits.add_correctiveaction"),
            "action_form": ExerciseActionForm(),
            "next_exercise": obj.followed_by.filter(archived=False).first(),
        }


# The plan's exercise programme, on the security plan's page (ISO 28000 8.6).
SecurityPlanRegister.related_panels = (
    *SecurityPlanRegister.related_panels,
    RelatedPanel("Exercise programme", ExerciseRegister, "plan", add_field="plan"),
)
