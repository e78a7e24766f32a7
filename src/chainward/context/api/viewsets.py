"""Workflow action of the context API, on the generated viewset (`Register.viewset_base`):

    POST /api/context/changes/<id>/transition/   {"to": "approved", "version": n}

It goes through the same service as the buttons, with the same rules: 403 when the person may
not, 400 with the reason, 409 on a stale version.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from chainward.audits.api.viewsets import WorkflowViewSet
from chainward.context import services

from .serializers import ChangeTransitionSerializer


class PlannedChangeViewSet(WorkflowViewSet):
    """Planned changes — ISO 28000 6.3 (POST …/transition/ to move one on)."""

    @extend_schema(request=ChangeTransitionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the change on: proposed → approved → implemented → reviewed (or rejected)."""
        body = ChangeTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self.run(lambda change: services.transition_change(
            request.user, change, data["to"], review=data["review"],
            expected_version=data.get("version")))
