"""API serializer overrides of gap assessments (readiness included, same numbers as the UI);
their fields come from the registers' declarations (`Register.get_serializer_class`)."""

from django.db.models import Q
from rest_framework import serializers

from chainward.compliance.readiness import readiness
from chainward.core.api import RecordSerializer
from chainward.library.models import Framework


class GapAssessmentSerializer(RecordSerializer):
    readiness = serializers.SerializerMethodField()

    def get_fields(self):
        fields = super().get_fields()
        if "framework" in fields and not fields["framework"].read_only:
            # Shipped frameworks and this organisation's own custom ones, never another's.
            organisation = self.context.get("organisation")
            fields["framework"].queryset = Framework.objects.filter(retired=False).filter(
                Q(library__organisation__isnull=True) | Q(library__organisation=organisation))
        return fields

    def get_readiness(self, obj) -> dict | None:
        # Only on the detail endpoint: a list stays one query per page.
        if self.context.get("view") is not None and self.context["view"].action == "list":
            return None
        return readiness(obj)


class RequirementStatusSerializer(RecordSerializer):
    requirement_ref = serializers.CharField(source="requirement.ref_id", read_only=True)
