"""API actions of the plans app beyond the generated CRUD."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from chainward.core.api import RecordViewSet
from chainward.plans.review_triggers import review_state


class ReviewStateSerializer(serializers.Serializer):
    """Whether a security plan is due for review, and why (`plans.review_triggers`)."""

    due = serializers.BooleanField()
    triggers = serializers.ListField(child=serializers.CharField())
    since = serializers.DateField(help_text="When the latest version was generated.")
    baseline = serializers.CharField()


class SecurityPlanViewSet(RecordViewSet):
    """Security plans — ISO 28001 5.4 (GET …/review-triggers/: why it is due for review)."""

    @extend_schema(request=None, responses=ReviewStateSerializer)
    @action(detail=True, methods=["get"], url_path="review-triggers")
    def review_triggers(self, request, pk=None):
        """The plan's review triggers as the caller may see them (empty: not due)."""
        return Response(ReviewStateSerializer(review_state(request.user,
                                                           self.get_object())).data)
