"""Register declarations of the plans app: security objectives and their measurements."""

from chainward.core.columns import Column, as_text
from chainward.core.register import Register, RelatedPanel, without
from chainward.core.registry import add_register
from chainward.core.scope import allows
from chainward.core.versioning import review_context
from chainward.core.versioning_views import VersionViewSet

from . import filtersets, forms, models
from .api.serializers import SecurityObjectiveSerializer, SecurityPlanVersionSerializer
from .api.viewsets import SecurityPlanViewSet
from .chart import trend_chart
from .choices import PLAN_BADGES, STATUS_BADGES

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
    fields = ("title", "description", "owner", "sites", "kpi_name", "unit", "incident_measure",
              "direction", "baseline", "target", "due_date", "planned_actions", "resources",
              "review_frequency")
    # ISO 28000 6.2.2: what will be done, what resources, who is responsible, when, and how
    # the results are evaluated.
    form_sections = (
        ("Objective", ("title", "description", "owner", "sites")),
        ("Measure", ("kpi_name", "unit", "incident_measure", "direction", "baseline",
                     "target")),
        ("Plan and review", ("due_date", "planned_actions", "resources", "review_frequency")),
    )
    detail_template = "plans/objective_detail.html"
    select_related = ("owner",)
    # The status column is computed from the measurements: one query for all rows.
    prefetch_related = ("measurements",)
    import_required = ("title", "owner", "kpi_name", "target", "due_date", "planned_actions")
    import_lookups = {"owner": "email", "sites": "code"}
    serializer_class = SecurityObjectiveSerializer  # adds the computed status

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
    fields = ("objective", "measured_on", "value", "note")
    select_related = ("objective",)
    import_required = ("objective", "measured_on", "value")


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
    fields = ("title", "assessment", "owner", "sites", "classification")
    # Made from a completed assessment: its assessment and sites come from it.
    read_only_fields = ("assessment", "sites")
    detail_template = "plans/plan_detail.html"
    select_related = ("assessment", "owner")
    can_add = False  # generated from a completed assessment (see security_plan.py)
    can_import = False
    api_can_add = False
    viewset_base = SecurityPlanViewSet  # adds GET …/review-triggers/

    def detail_context(self, obj, request):
        from chainward.incidents.exercises.services import last_tested

        from .review_triggers import review_state

        current = obj.current_version()
        return {"current": current, "badges": PLAN_BADGES,
                # ISO 28001 5.7 / ISO 28000 8.6: why the plan is due for review.
                "plan_review": review_state(request.user, obj),
                # ISO 28000 8.6: when the plan was last tested, and its next exercise.
                "testing": last_tested(request.user, obj),
                # The rule security_plan.generate_version applies.
                "can_generate": allows(request.user, "add",
                                       models.SecurityPlan(organisation_id=obj.organisation_id))}


@add_register
class SecurityPlanVersionRegister(Register):
    model = models.SecurityPlanVersion
    url_prefix = "security-plan-versions"
    menu_group = GROUP
    columns = (Column("plan", sort="plan__title"), "number", "status",
               Column("author", sort="author__email"), "approved_at")
    filterset_class = filtersets.SecurityPlanVersionFilterSet
    fields = ("plan", "number", "status", "change_summary", "response_structure",
              "warning_and_communication", "recovery", "monitoring_and_review",
              "information_protection", "author", "approver", "approved_at", "returned_by",
              "returned_at", "return_comment", "generated_at")
    # Generated from the assessment or set by the review steps (core.versioning).
    read_only_fields = ("plan", "number", "status", "author", "approver", "approved_at",
                        "returned_by", "returned_at", "return_comment", "generated_at")
    # The written sections are shown as the plan itself (content_for), not as fields.
    detail_fields = without(fields, "response_structure", "warning_and_communication",
                            "recovery", "monitoring_and_review", "information_protection")
    detail_template = "plans/planversion_detail.html"
    select_related = ("plan", "author", "approver", "returned_by")
    can_add = False
    can_import = False
    api_can_add = False
    serializer_class = SecurityPlanVersionSerializer  # adds the generated content
    viewset_base = VersionViewSet  # POST …/submit/, …/approve/, …/return/ (core.versioning)

    def detail_context(self, obj, request):
        from chainward.incidents.services import plan_contacts

        from .security_plan import content_for

        content = content_for(request.user, obj)
        return {"content": content, "contacts": plan_contacts(obj.plan, content),
                "review": review_context(request.user, obj)}


SecurityPlanRegister.related_panels = (
    RelatedPanel("Versions", SecurityPlanVersionRegister, "plan"),
)
