"""API serializer overrides of the certification app (computed overdue flags, frameworks
offered); the fields come from the registers' declarations (`Register.get_serializer_class`)."""

from rest_framework import serializers

from chainward.core.api import RecordSerializer


class OverdueSerializer(RecordSerializer):
    # Adds whether the due date has passed (review actions, cycle milestones). No docstring:
    # the OpenAPI descriptions stay the base one.
    overdue = serializers.BooleanField(read_only=True)


class CertificateSerializer(RecordSerializer):
    def get_fields(self):
        fields = super().get_fields()
        if "framework" in fields:
            from chainward.certification.forms import frameworks_for

            fields["framework"].queryset = frameworks_for(self.context.get("organisation"))
        return fields
