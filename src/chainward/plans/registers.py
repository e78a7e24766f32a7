"""Register declarations of the plans app: security objectives and their measurements."""

from chainward.core.columns import Column, as_text
from chainward.core.register import Register, RelatedPanel, add_register

from . import filtersets, forms, models
from .api.serializers import (
    MeasurementSerializer,
    SecurityObjectiveSerializer,
    SecurityPlanSerializer,
    SecurityPlanVersionSerializer,
)
from .chart import trend_chart
from .choices import PLAN_BADGES, STATUS_BADGES, PlanStatus

GROUP = "Plans"


@add_register
class SecurityObjectiveRegister(Register):
    model = models.SecurityObjective
    url_prefix = "objectives"
    menu_group = GROUP
    menu_label = "Security objectives"
    columns = ("title", "kpi_name", "target", "due_date", Column("status", label="status"),
               Column("owner", sort="owner__email"))
    filterset_class = filtersets.SecurityObjectiveFilterSet
    form_class = forms.SecurityObjectiveForm
    form_fields = ("title", "description", "owner", "sites", "kpi_name", "unit", "direction",
                   "baseline", "target", "due_date", "planned_actions", "resources",
                   "review_frequency")
    detail_template = "plans/objective_detail.html"
    select_related = ("owner",)
    # The status column is computed from the measurements: one query for all rows.
    prefetch_related = ("measurements",)
    import_fields = form_fields
    import_required = ("title", "owner", "kpi_name", "target", "due_date", "planned_actions")
    import_lookups = {"owner": "email", "sites": "code"}
    serializer_class = SecurityObjectiveSerializer

    def detail_context(self, obj, request):
        measurements = sorted((m.measured_on, m.value) for m in obj.measurements.all()
                              if not m.archived)
        assessment = obj.assessment()
        unit = f" {obj.unit}" if obj.unit else ""
        figures = {name: f"{as_text(value)}{unit}" for name, value in (
            ("latest", assessment.latest), ("target", obj.target),
            ("projected", assessment.projected)) if value is not None}
        return {"assessment": assessment, "status_badge": STATUS_BADGES[assessment.status],
                "figures": figures, "chart": trend_chart(obj, assessment, measurements)}


@add_register
class MeasurementRegister(Register):
    model = models.Measurement
    url_prefix = "measurements"
    menu_group = GROUP
    columns = ("measured_on", Column("objective", sort="objective__title"), "value", "note")
    filterset_class = filtersets.MeasurementFilterSet
    form_fields = ("objective", "measured_on", "value", "note")
    select_related = ("objective",)
    import_fields = form_fields
    import_required = ("objective", "measured_on", "value")
    initial_from_query = ("objective",)
    serializer_class = MeasurementSerializer


SecurityObjectiveRegister.related_panels = (
    RelatedPanel("Measurements", MeasurementRegister, "objective", add_field="objective"),
)


@add_register
class SecurityPlanRegister(Register):
    """ISO 28001 5.4 / ISO 28000 8.6 security plans; made from a completed assessment."""

    model = models.SecurityPlan
    url_prefix = "security-plans"
    menu_group = GROUP
    menu_label = "Security plans"
    columns = ("title", Column("assessment", sort="assessment__reference"),
               Column("owner", sort="owner__email"), "classification")
    filterset_class = filtersets.SecurityPlanFilterSet
    form_fields = ("title", "owner", "classification")
    detail_template = "plans/plan_detail.html"
    select_related = ("assessment", "owner")
    can_add = False  # generated from a completed assessment (see security_plan.py)
    can_import = False
    api_can_add = False
    serializer_class = SecurityPlanSerializer

    def detail_context(self, obj, request):
        current = obj.current_version()
        return {"current": current, "badges": PLAN_BADGES,
                "can_generate": request.user.has_perm("plans.add_securityplanversion", obj)
                or request.user.has_perm("plans.add_securityplan", obj)}


@add_register
class SecurityPlanVersionRegister(Register):
    model = models.SecurityPlanVersion
    url_prefix = "security-plan-versions"
    menu_group = GROUP
    columns = (Column("plan", sort="plan__title"), "number", "status",
               Column("author", sort="author__email"), "approved_at")
    filterset_class = filtersets.SecurityPlanVersionFilterSet
    form_fields = ("change_summary", "response_structure", "warning_and_communication",
                   "recovery", "monitoring_and_review", "information_protection")
    detail_fields = ("plan", "number", "status", "change_summary", "author", "approver",
                     "approved_at", "generated_at")
    detail_template = "plans/planversion_detail.html"
    select_related = ("plan", "author")
    can_add = False
    can_import = False
    api_can_add = False
    serializer_class = SecurityPlanVersionSerializer

    def detail_context(self, obj, request):
        from .security_plan import content_for

        user = request.user
        return {
            "content": content_for(user, obj), "badge": PLAN_BADGES[obj.status],
            "can_approve": obj.status == PlanStatus.DRAFT and obj.author_id != user.pk
            and user.has_perm("plans.approve_securityplanversion", obj),
        }


SecurityPlanRegister.related_panels = (
    RelatedPanel("Versions", SecurityPlanVersionRegister, "plan"),
)
