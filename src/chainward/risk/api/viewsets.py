"""API actions beyond the generated CRUD: completing an assessment (ISO 28001 "assessed?") and
risk acceptances written through their service."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from chainward.core.api import ConflictError, RecordViewSet
from chainward.core.services import Conflict
from chainward.risk import services
from chainward.risk.likelihood import suggest_likelihood

from .serializers import LikelihoodSuggestionSerializer


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


class RatingViewSet(RecordViewSet):
    """Risk ratings — ISO 28001 5.3 (GET …/likelihood-suggestion/: the floor incidents set)."""

    @extend_schema(request=None, responses=LikelihoodSuggestionSerializer)
    @action(detail=True, methods=["get"], url_path="likelihood-suggestion")
    def likelihood_suggestion(self, request, pk=None):
        """The likelihood the incidents of the last 12 months suggest at least, naming them
        and the rule (only incidents the caller may see count)."""
        suggestion = suggest_likelihood(request.user, self.get_object())
        data = suggestion.as_dict() if suggestion else {
            "minimum": None, "minimum_name": "", "current": None, "below": False,
            "since": None, "explanation": "", "occurrences": []}
        return Response(LikelihoodSuggestionSerializer(data).data)


class RiskAcceptanceViewSet(RecordViewSet):
    """Risk acceptances — ISO 28000 6.1.2. POST records one as the caller (the token's owner);
    PATCH amends it. Both go through `services.save_acceptance`, like the UI."""

    def _save(self, serializer, expected_version):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        user = self.request.user
        try:
            if serializer.instance is None:
                acceptance = services.accept_risk(
                    user, data.get("rating"), justification=data.get("justification", ""),
                    valid_until=data.get("valid_until"), conditions=data.get("conditions", ""))
            else:
                acceptance = services.change_acceptance(
                    user, serializer.instance, expected_version=expected_version, **data)
        except Conflict as conflict:
            raise ConflictError({
                "detail": f"This acceptance changed since version {expected_version}; it is "
                          f"now version {conflict.current.version}. Reload it and apply your "
                          "change again.",
                "current_version": conflict.current.version,
            }) from None
        serializer.instance = acceptance
