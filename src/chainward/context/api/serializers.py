"""Workflow request bodies of the context API; the fields of each record are declared once on
its register (`registers.py`)."""

from rest_framework import serializers

from chainward.audits.api.serializers import FrameworkChoicesMixin
from chainward.core.api import RecordSerializer


class ObligationSerializer(FrameworkChoicesMixin, RecordSerializer):
    """The standard requirements offered: shipped frameworks' and the organisation's own."""

    requirement_fields = ("requirements",)


class ChangeTransitionSerializer(serializers.Serializer):
    """POST body of a planned change's next step."""

    to = serializers.CharField(help_text="The status to move to: approved, implemented, "
                                         "reviewed or rejected.")
    review = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="The post-change review (for 'reviewed').")
    version = serializers.IntegerField(required=False)
