"""API actions beyond the generated CRUD: completing an assessment (ISO 28001 "assessed?")."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from chainward.core.api import RecordViewSet
from chainward.risk import services


class SecurityAssessmentViewSet(RecordViewSet):
    """Security assessments — ISO 28001 5.2-5.6 (POST …/complete/ to complete one)."""

    def get_action_name(self):
        if self.action == "complete":
            return "change"
        return super().get_action_name()

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete the assessment; 400 with `problems` (each rating named) when refused."""
        assessment = self.get_object()
        try:
            services.complete_assessment(request.user, assessment)
        except services.CompletionRefused as refused:
            return Response({"detail": "The assessment cannot be completed yet.",
                             "problems": refused.problems}, status=400)
        except ValidationError as error:
            raise exceptions.ValidationError({"detail": error.messages}) from None
        return Response(self.get_serializer(assessment).data)

