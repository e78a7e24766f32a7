"""API serializer of evidence."""

from chainward.core.api import RecordSerializer
from chainward.documents import models


class EvidenceSerializer(RecordSerializer):
    class Meta:
        model = models.Evidence
        fields = ("id", "url", "reference", "organisation", "version", "archived", "title",
                  "kind", "link", "description", "valid_until", "is_expired")
