"""Workflow actions of the audits API, on the generated viewsets (`Register.viewset_base`):

    POST /api/audits/audits/<id>/transition/              {"to": "in_progress", "version": n}
    POST /api/audits/corrective-actions/<id>/transition/  {"to": "containment", "version": n}
    POST /api/audits/corrective-actions/<id>/verify/      {"effective": true, "notes": "…"}

Statuses are read-only in the CRUD endpoints; these go through the same services as the
buttons, with the same rules (independence, transitions, verification by someone other than
the owner): 403 when the person may not, 400 with the reason, 409 on a stale version.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.response import Response

from chainward.audits import services
from chainward.core import services as records
from chainward.core.api import RecordViewSet

from .serializers import TransitionSerializer, VerificationSerializer

WORKFLOW_ACTIONS = {"transition", "verify"}


def refusal(exc):
    """The API answer to a refused workflow step."""
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc)}, status=http.HTTP_403_FORBIDDEN)
    if isinstance(exc, records.Conflict):
        return Response({"detail": str(exc), "current_version": exc.current.version},
                        status=http.HTTP_409_CONFLICT)
    detail = exc.message_dict if hasattr(exc, "message_dict") else {
        "non_field_errors": exc.messages}
    return Response(detail, status=http.HTTP_400_BAD_REQUEST)


class WorkflowViewSet(RecordViewSet):
    """Records with workflow steps: the record is found with *view*; the service checks the
    right to take the step (and says why not)."""

    def get_action_name(self):
        if self.action in WORKFLOW_ACTIONS:
            return "view"
        return super().get_action_name()

    def run(self, step):
        obj = self.get_object()
        try:
            step(obj)
        except (ValidationError, PermissionDenied, records.Conflict) as refused:
            return refusal(refused)
        return Response(self.get_serializer(obj).data)


class AuditViewSet(WorkflowViewSet):
    """Audits — ISO 28000 9.2 (POST …/transition/ to move one on)."""

    @extend_schema(request=TransitionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the audit on: planned → in_progress → reported → closed."""
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(lambda audit: services.transition_audit(
            request.user, audit, body.validated_data["to"],
            expected_version=body.validated_data.get("version")))


class CorrectiveActionViewSet(WorkflowViewSet):
    """Corrective actions — ISO 28000 10.2 (POST …/transition/ and …/verify/)."""

    @extend_schema(request=TransitionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the corrective action on (open → … → actions_done)."""
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(lambda capa: services.advance_corrective_action(
            request.user, capa, body.validated_data["to"],
            expected_version=body.validated_data.get("version")))

    @extend_schema(request=VerificationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Verify effectiveness (not by the owner): effective closes, ineffective reopens."""
        body = VerificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(lambda capa: services.verify_corrective_action(
            request.user, capa, effective=body.validated_data["effective"],
            notes=body.validated_data["notes"],
            expected_version=body.validated_data.get("version")))
