"""API serializer overrides of the audits app (frameworks and requirements offered, computed
values) and the workflow request bodies; statuses change only through the workflow endpoints.
The record serializers' fields come from the registers' declarations
(`Register.get_serializer_class`)."""

from rest_framework import serializers

from chainward.audits.forms import frameworks_for, requirements_for
from chainward.core.api import RecordSerializer


class FrameworkChoicesMixin:
    """Frameworks/requirements offered: shipped ones and the organisation's own."""

    framework_fields = ()
    requirement_fields = ()

    def get_fields(self):
        fields = super().get_fields()
        organisation = self.context.get("organisation")
        for name in self.framework_fields:
            fld = fields.get(name)
            if fld is not None and not fld.read_only:
                getattr(fld, "child_relation", fld).queryset = frameworks_for(organisation)
        for name in self.requirement_fields:
            fld = fields.get(name)
            if fld is not None and not fld.read_only:
                getattr(fld, "child_relation", fld).queryset = requirements_for(organisation)
        return fields


class AuditProgrammeSerializer(FrameworkChoicesMixin, RecordSerializer):
    framework_fields = ("frameworks",)


class AuditSerializer(FrameworkChoicesMixin, RecordSerializer):
    """Auditor independence is checked by `save_record` on the saved team and sites; its
    refusal is a 400 with the lead_auditor / team field errors."""

    framework_fields = ("criteria",)
    requirement_fields = ("requirements",)


class ChecklistItemSerializer(FrameworkChoicesMixin, RecordSerializer):
    requirement_fields = ("requirement",)


class FindingSerializer(FrameworkChoicesMixin, RecordSerializer):
    requirement_fields = ("requirement",)
    corrective_actions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)


class CorrectiveActionSerializer(RecordSerializer):
    is_overdue = serializers.BooleanField(read_only=True)


class TransitionSerializer(serializers.Serializer):
    """POST body of a status change."""

    to = serializers.CharField(help_text="The status to move to.")
    version = serializers.IntegerField(required=False)


class VerificationSerializer(serializers.Serializer):
    """POST body of a verification of effectiveness."""

    effective = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)
