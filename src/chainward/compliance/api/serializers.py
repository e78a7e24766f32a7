"""API serializer overrides of gap assessments (readiness included, same numbers as the UI);
their fields come from the registers' declarations (`Register.get_serializer_class`)."""

from django.db.models import Q
from rest_framework import serializers

from chainward.compliance.readiness import readiness
from chainward.core.api import RecordSerializer
from chainward.core.bounds import INT_MAX
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


class RemoveEvidenceSerializer(serializers.Serializer):
    """The body of POST …/statuses/<id>/evidence/remove/: the evidence to stop counting."""

    evidence = serializers.IntegerField(
        min_value=1, max_value=INT_MAX,
        help_text="An evidence record counted for this requirement (the record stays).")


class AttachEvidenceSerializer(serializers.Serializer):
    """The body of POST …/statuses/<id>/evidence/: one existing evidence or one document."""

    evidence = serializers.IntegerField(
        required=False, min_value=1, max_value=INT_MAX,
        help_text="An evidence record of this organisation.")
    document = serializers.IntegerField(
        required=False, min_value=1, max_value=INT_MAX,
        help_text="A controlled document of this organisation: its approved version counts.")

    def validate(self, attrs):
        from chainward.documents.models import Document, Evidence

        given = [name for name in ("evidence", "document") if attrs.get(name)]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"evidence": "Give either an evidence id or a document id (one of them)."})
        name = given[0]
        model = Evidence if name == "evidence" else Document
        # Found within the organisation; whether the person may see it is the service's rule.
        found = model.objects.filter(pk=attrs[name],
                                     organisation=self.context["organisation"]).first()
        if found is None:
            raise serializers.ValidationError(
                {name: f"No {model._meta.verbose_name} with id {attrs[name]} in this "
                       "organisation."})
        return found
