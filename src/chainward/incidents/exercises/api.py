"""Workflow actions of the exercises API, on the generated viewset:

    POST /api/incidents/exercises/<id>/held/               {"held_on": …, "participants": …,
                                                             "tested": …, "result": …,
                                                             "observations": …, "version": n}
    POST /api/incidents/exercises/<id>/corrective-action/  {"title": "…", "due_date": …}

Same services as the pages: 403 when the person may not, 400 with the reason, 409 on a stale
version.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.response import Response

from chainward.audits.api.viewsets import refusal
from chainward.core import services as records
from chainward.incidents.api.viewsets import IncidentWorkflowViewSet

from . import services
from .models import ExerciseResult


class ExerciseHeldSerializer(serializers.Serializer):
    """POST body of "the exercise was held"."""

    held_on = serializers.DateField()
    participants = serializers.CharField()
    tested = serializers.CharField()
    result = serializers.ChoiceField(choices=ExerciseResult.choices)
    observations = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class ExerciseActionSerializer(serializers.Serializer):
    """POST body of "open a corrective action from this exercise"."""

    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class ExerciseViewSet(IncidentWorkflowViewSet):
    """Exercises of the security plans — ISO 28000 8.6 (POST …/held/, …/corrective-action/)."""

    def get_action_name(self):
        if self.action == "held":
            return "view"
        return super().get_action_name()

    @extend_schema(request=ExerciseHeldSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        """Record the exercise as held, with its participants, what was tested and the
        result (a repeating exercise plans its next one)."""
        body = ExerciseHeldSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version", None)
        return self.run(lambda exercise: services.record_exercise(
            request.user, exercise, expected_version=version, **data))

    @extend_schema(request=ExerciseActionSerializer)
    @action(detail=True, methods=["post"], url_path="corrective-action")
    def corrective_action(self, request, pk=None):
        """Open a corrective action for an action the held exercise calls for."""
        body = ExerciseActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exercise = self.get_object()
        try:
            services.open_exercise_action(request.user, exercise, **body.validated_data)
        except (services.ValidationError, services.PermissionDenied,
                records.Conflict) as refused:
            return refusal(refused)
        exercise.refresh_from_db()
        return Response(self.get_serializer(exercise).data, status=http.HTTP_201_CREATED)
