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
