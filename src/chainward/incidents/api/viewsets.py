"""Workflow actions of the incidents API, on the generated viewsets (`Register.viewset_base`):

    POST /api/incidents/incidents/<id>/transition/          {"to": "triaged", "version": n}
    POST /api/incidents/notifications/<id>/notified/        {"reference_number": "…"}
    POST /api/incidents/investigations/<id>/corrective-action/   {"title": "…"}
    POST /api/plans/objectives/<id>/measure-incidents/      {"shipments": 12500}

They go through the same services as the buttons, with the same rules: 403 when the person
may not, 400 with the reason, 409 on a stale version.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.response import Response

from chainward.audits.api.viewsets import WorkflowViewSet, refusal
from chainward.core import services as records
from chainward.incidents import services

from .serializers import (
    CorrectiveActionRequestSerializer,
    IncidentTransitionSerializer,
    MeasureRequestSerializer,
    NotifiedSerializer,
)


class IncidentWorkflowViewSet(WorkflowViewSet):
    """Workflow steps are found with *view*; the service checks the right to take them."""

    def get_action_name(self):
        if self.action in {"transition", "notified", "corrective_action", "measure_incidents"}:
            return "view"
        return super().get_action_name()


class IncidentViewSet(IncidentWorkflowViewSet):
    """Security incidents — ISO 28001 5.7 (POST …/transition/ to move one on)."""

    @extend_schema(request=IncidentTransitionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the incident on: reported → triaged → under_investigation → closed."""
        body = IncidentTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.run(lambda incident: services.transition_incident(
            request.user, incident, body.validated_data["to"],
            expected_version=body.validated_data.get("version")))


class NotificationViewSet(IncidentWorkflowViewSet):
    """Incident notifications (POST …/notified/ when the party was told)."""

    @extend_schema(request=NotifiedSerializer)
    @action(detail=True, methods=["post"])
    def notified(self, request, pk=None):
        """Record that the party was told (now, or at `notified_at`), by the caller."""
        body = NotifiedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self.run(lambda notification: services.record_notification(
            request.user, notification, reference_number=data["reference_number"],
            notified_at=data["notified_at"], expected_version=data.get("version")))


class InvestigationViewSet(IncidentWorkflowViewSet):
    """Incident investigations (POST …/corrective-action/ opens its corrective action)."""

    @extend_schema(request=CorrectiveActionRequestSerializer)
    @action(detail=True, methods=["post"], url_path="corrective-action")
    def corrective_action(self, request, pk=None):
        """Open the investigation's corrective action (once)."""
        body = CorrectiveActionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        investigation = self.get_object()
        try:
            services.open_corrective_action(
                request.user, investigation, title=body.validated_data["title"],
                due_date=body.validated_data["due_date"])
        except (services.ValidationError, services.PermissionDenied,
                records.Conflict) as refused:
            return refusal(refused)
        investigation.refresh_from_db()
        return Response(self.get_serializer(investigation).data, status=http.HTTP_201_CREATED)


class ObjectiveViewSet(IncidentWorkflowViewSet):
    """Security objectives — ISO 28000 6.2 (POST …/measure-incidents/ records the incident KPI
    of an objective that measures one, as the page's button does)."""

    @extend_schema(request=MeasureRequestSerializer)
    @action(detail=True, methods=["post"], url_path="measure-incidents")
    def measure_incidents(self, request, pk=None):
        """Measure the objective's incident KPI over its review period (`kpis.measure_objective`)
        and record it; answers the new measurement (201)."""
        from chainward.core.registry import get_register
        from chainward.incidents.kpis import measure_objective
        from chainward.plans.models import Measurement

        body = MeasureRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objective = self.get_object()
        try:
            measurement = measure_objective(request.user, objective,
                                            on=body.validated_data["measured_on"],
                                            shipments=body.validated_data["shipments"])
        except (services.ValidationError, services.PermissionDenied,
                records.Conflict) as refused:
            return refusal(refused)
        serializer = get_register(Measurement).get_serializer_class()
        return Response(serializer(measurement, context=self.get_serializer_context()).data,
                        status=http.HTTP_201_CREATED)
