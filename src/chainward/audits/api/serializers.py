"""API serializers of the audits app; statuses change only through the workflow endpoints."""

from rest_framework import serializers

from chainward.audits import models
from chainward.audits.forms import frameworks_for, requirements_for
from chainward.core.api import RecordSerializer

RECORD_FIELDS = ("id", "url", "reference", "organisation", "version", "archived", "created_at",
                 "updated_at")


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

    class Meta:
        model = models.AuditProgramme
        fields = (*RECORD_FIELDS, "title", "period_start", "period_end", "frameworks", "sites",
                  "objectives")


class AuditSerializer(FrameworkChoicesMixin, RecordSerializer):
    """Auditor independence is checked by `save_record` on the saved team and sites; its
    refusal is a 400 with the lead_auditor / team field errors."""

    framework_fields = ("criteria",)
    requirement_fields = ("requirements",)

    class Meta:
        model = models.Audit
        fields = (*RECORD_FIELDS, "programme", "title", "audit_type", "scope", "sites",
                  "partner", "criteria", "requirements", "responsible_persons", "lead_auditor",
                  "team", "planned_start", "planned_end", "actual_start", "actual_end",
                  "status", "summary", "conclusion")
        read_only_fields = ("status",)


class ChecklistItemSerializer(FrameworkChoicesMixin, RecordSerializer):
    requirement_fields = ("requirement",)

    class Meta:
        model = models.ChecklistItem
        fields = (*RECORD_FIELDS, "audit", "requirement", "order", "question", "result",
                  "notes", "samples")


class FindingSerializer(FrameworkChoicesMixin, RecordSerializer):
    requirement_fields = ("requirement",)
    corrective_actions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = models.Finding
        fields = (*RECORD_FIELDS, "audit", "grade", "statement", "requirement", "site",
                  "checklist_item", "corrective_actions")


class CorrectiveActionSerializer(RecordSerializer):
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = models.CorrectiveAction
        fields = (*RECORD_FIELDS, "source", "finding", "title", "description", "site", "owner",
                  "due_date", "status", "containment_action", "containment_on", "root_cause",
                  "verified_by", "verified_on", "verification_notes", "reopen_count",
                  "is_overdue")
        read_only_fields = ("status", "verified_by", "verified_on", "verification_notes",
                            "reopen_count")


class CorrectiveActionStepSerializer(RecordSerializer):
    class Meta:
        model = models.CorrectiveActionStep
        fields = (*RECORD_FIELDS, "corrective_action", "description", "owner", "due_date",
                  "done_on")


class TransitionSerializer(serializers.Serializer):
    """POST body of a status change."""

    to = serializers.CharField(help_text="The status to move to.")
    version = serializers.IntegerField(required=False)


class VerificationSerializer(serializers.Serializer):
    """POST body of a verification of effectiveness."""

    effective = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)
