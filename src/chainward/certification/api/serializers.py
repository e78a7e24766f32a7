"""API serializers of the certification app (scope and matrix as in the UI)."""

from rest_framework import serializers

from chainward.certification import models
from chainward.core.api import RecordSerializer

RECORD_FIELDS = ("id", "url", "reference", "organisation", "version", "archived", "created_at",
                 "updated_at")


class ManagementReviewSerializer(RecordSerializer):
    class Meta:
        model = models.ManagementReview
        fields = (*RECORD_FIELDS, "title", "date", "chair", "attendees", "external_attendees",
                  "status", "decisions", "minutes", "snapshot", "compiled_at", "compiled_by",
                  "minutes_approved_by", "minutes_approved_at")
        read_only_fields = ("status", "snapshot", "compiled_at", "compiled_by",
                            "minutes_approved_by", "minutes_approved_at")


class ReviewActionSerializer(RecordSerializer):
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = models.ReviewAction
        fields = (*RECORD_FIELDS, "review", "description", "owner", "due_date", "status",
                  "done_on", "overdue")


class CertificationBodySerializer(RecordSerializer):
    class Meta:
        model = models.CertificationBody
        fields = (*RECORD_FIELDS, "name", "accreditation_body", "accreditation_number",
                  "contact")


class CertificateSerializer(RecordSerializer):
    def get_fields(self):
        fields = super().get_fields()
        if "framework" in fields:
            from chainward.certification.forms import frameworks_for

            fields["framework"].queryset = frameworks_for(self.context.get("organisation"))
        return fields

    class Meta:
        model = models.Certificate
        fields = (*RECORD_FIELDS, "body", "number", "framework", "scope", "sites", "issued_on",
                  "expires_on", "status")


class CycleMilestoneSerializer(RecordSerializer):
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = models.CycleMilestone
        fields = (*RECORD_FIELDS, "certificate", "kind", "due_date", "done_on", "notes",
                  "overdue")


class EvidencePackSerializer(RecordSerializer):
    class Meta:
        model = models.EvidencePack
        fields = (*RECORD_FIELDS, "framework", "status", "produced_by", "produced_at",
                  "producer_scope", "size", "sha256", "index", "error")
        read_only_fields = fields
