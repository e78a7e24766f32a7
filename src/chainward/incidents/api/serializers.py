"""API serializer bases and workflow request bodies of the incidents app; the fields of each
record are declared once on its register (`registers.py`)."""

from django_countries import countries
from rest_framework import serializers

from chainward.core.api import RecordSerializer


class IncidentTransitionSerializer(serializers.Serializer):
    """POST body of an incident's status change."""

    to = serializers.CharField(help_text="The status to move to: triaged, "
                                         "under_investigation or closed.")
    version = serializers.IntegerField(required=False)


class NotifiedSerializer(serializers.Serializer):
    """POST body of "the party was told"."""

    reference_number = serializers.CharField(required=False, allow_blank=True, default="",
                                             max_length=100)
    notified_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False)


class CorrectiveActionRequestSerializer(serializers.Serializer):
    """POST body of "open the corrective action" (all optional)."""

    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class MeasureRequestSerializer(serializers.Serializer):
    """POST body of "measure the objective from the incident register" (all optional)."""

    shipments = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1,
        help_text="Shipments in the period (from the TMS); needed for the per-1,000 KPIs.")
    measured_on = serializers.DateField(required=False, allow_null=True, default=None,
                                        help_text="The period's last day; today by default.")


class CountryCodeField(serializers.ChoiceField):
    """A country as its ISO code; empty when not given (a blank country is no Country)."""

    def __init__(self, **kwargs):
        super().__init__(choices=[(code, name) for code, name in countries], **kwargs)

    def to_representation(self, value):
        return getattr(value, "code", value) or ""


class IncidentSerializer(RecordSerializer):
    """Incidents: status, dates and the marked ratings move only through the workflow."""

    country = CountryCodeField(required=False, allow_blank=True)
    modus_operandi_label = serializers.CharField(read_only=True)
