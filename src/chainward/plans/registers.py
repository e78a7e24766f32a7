"""Register declarations of the plans app: security objectives and their measurements."""

from chainward.core.columns import Column, as_text
from chainward.core.register import Register, RelatedPanel, add_register

from . import filtersets, forms, models
from .api.serializers import MeasurementSerializer, SecurityObjectiveSerializer
from .chart import trend_chart
from .choices import STATUS_BADGES

GROUP = "Objectives and plans"


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
