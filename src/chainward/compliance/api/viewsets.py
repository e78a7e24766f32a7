"""The evidence action of the requirement-status API, on the generated viewset
(`Register.viewset_base`):

    POST /api/compliance/statuses/<id>/evidence/          {"evidence": <id>}  or  {"document": <id>}
    POST /api/compliance/statuses/<id>/evidence/remove/   {"evidence": <id>}

It goes through the same services as the work page's dialog and the record page's "Attach"
(`services.attach_evidence`, `services.attach_document`, `services.detach_evidence`), with the
same rules: 403 when the person may not change the status or see what they attach, 400 with
the reason.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from chainward.audits.api.viewsets import WorkflowViewSet
from chainward.compliance import services
from chainward.documents.models import Document, Evidence

from .serializers import AttachEvidenceSerializer, RemoveEvidenceSerializer


class RequirementStatusViewSet(WorkflowViewSet):
    """Requirement statuses (POST …/evidence/ to count evidence for the requirement)."""

    def get_action_name(self):
        if self.action in {"evidence", "remove_evidence"}:
            return "view"  # found with view; the service checks the right to change it
        return super().get_action_name()

    @extend_schema(request=AttachEvidenceSerializer)
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        """Attach existing evidence, or a controlled document's approved version, as the
        requirement's evidence."""
        row = self.get_object()  # 404 before anything is said about the body
        body = AttachEvidenceSerializer(data=request.data,
                                        context={"organisation": row.organisation})
        body.is_valid(raise_exception=True)
        picked = body.validated_data
        if isinstance(picked, Document):
            return self.run(lambda row: services.attach_document(request.user, row, picked))
        assert isinstance(picked, Evidence)
        return self.run(lambda row: services.attach_evidence(request.user, row, picked))

    @extend_schema(request=RemoveEvidenceSerializer)
    @action(detail=True, methods=["post"], url_path="evidence/remove")
    def remove_evidence(self, request, pk=None):
        """Stop counting evidence for the requirement (the evidence record stays)."""
        row = self.get_object()
        body = RemoveEvidenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evidence = Evidence.objects.filter(pk=body.validated_data["evidence"],
                                           organisation=row.organisation).first()
        if evidence is None:
            raise serializers.ValidationError({"evidence": "No evidence with this id in the "
                                                           "organisation."})
        return self.run(lambda row: services.detach_evidence(request.user, row, evidence))
