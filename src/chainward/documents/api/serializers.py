"""API serializer of evidence."""

from chainward.core.api import RecordSerializer
from chainward.documents import models


class EvidenceSerializer(RecordSerializer):
    class Meta:
        model = models.Evidence
        fields = ("id", "url", "reference", "organisation", "version", "archived", "title",
                  "kind", "link", "description", "valid_until", "is_expired")


class DocumentSerializer(RecordSerializer):
    class Meta:
        model = models.Document
        fields = ("id", "url", "reference", "organisation", "version", "archived", "title",
                  "doc_type", "owner", "sites", "classification", "review_months",
                  "retention_years", "description")


class DocumentVersionSerializer(RecordSerializer):
    class Meta:
        model = models.DocumentVersion
        fields = ("id", "url", "reference", "organisation", "version", "archived", "document",
                  "number", "status", "change_summary", "filename", "content_type", "size",
                  "sha256", "author", "approver", "approved_at")
        read_only_fields = ("document", "number", "status", "filename", "content_type", "size",
                            "sha256", "author", "approver", "approved_at")
