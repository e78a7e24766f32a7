"""API serializers of objectives and measurements."""

from rest_framework import serializers

from chainward.core.api import RecordSerializer
from chainward.plans import models
from chainward.plans.choices import ObjectiveStatus

RECORD_FIELDS = ("id", "url", "reference", "organisation", "version", "archived", "created_at",
                 "updated_at")


class SecurityObjectiveSerializer(RecordSerializer):
    status = serializers.ChoiceField(
        choices=ObjectiveStatus.choices, read_only=True,
        help_text="Computed from the measurements (see chainward.plans.status), never stored.")

    class Meta:
        model = models.SecurityObjective
        fields = (*RECORD_FIELDS, "title", "description", "owner", "sites", "kpi_name", "unit",
                  "direction", "baseline", "target", "due_date", "planned_actions", "resources",
                  "review_frequency", "status")


class MeasurementSerializer(RecordSerializer):
    class Meta:
        model = models.Measurement
        fields = (*RECORD_FIELDS, "objective", "measured_on", "value", "note")


class SecurityPlanSerializer(RecordSerializer):
    class Meta:
        model = models.SecurityPlan
        fields = (*RECORD_FIELDS, "title", "assessment", "owner", "sites", "classification")
        read_only_fields = ("assessment", "sites")


class SecurityPlanVersionSerializer(RecordSerializer):
    """A plan version. Readers limited to some sites get the ratings of those sites only."""

    content = serializers.SerializerMethodField(
        help_text="The generated part (scope, team, scenarios, ratings, countermeasures) as "
                  "this reader may see it.")

    class Meta:
        model = models.SecurityPlanVersion
        fields = (*RECORD_FIELDS, "plan", "number", "status", "change_summary", "content",
                  "response_structure", "warning_and_communication", "recovery",
                  "monitoring_and_review", "information_protection", "author", "approver",
                  "approved_at", "generated_at")
        read_only_fields = ("plan", "number", "status", "author", "approver", "approved_at",
                            "generated_at")

    def get_content(self, obj) -> dict:
        from chainward.plans.security_plan import content_for

        return content_for(self.context["request"].user, obj)
