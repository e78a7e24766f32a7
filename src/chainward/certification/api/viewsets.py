"""Workflow steps of a management review in the API (ISO 28000 9.3), on the generated viewset
(`Register.viewset_base`):

    POST /api/certification/reviews/<id>/compile/           compile the pack from the registers
    POST /api/certification/reviews/<id>/held/              record the meeting as held
    POST /api/certification/reviews/<id>/approve-minutes/   approve the minutes

They run the same services as the buttons of the review page, with the same rules (the pack is
compiled as the caller sees the registers, never after the meeting or once held; minutes are
approved once): 403 when the person may not, 400 with the reason.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from chainward.audits.api.viewsets import WorkflowViewSet
from chainward.certification import services

STEPS = {"compile", "held", "approve_minutes"}


class ManagementReviewViewSet(WorkflowViewSet):
    """Management reviews — ISO 28000 9.3 (POST …/compile/, …/held/, …/approve-minutes/)."""

    def get_action_name(self):
        if self.action in STEPS:
            return "view"  # found with view; the service checks the right to take the step
        return super().get_action_name()

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def compile(self, request, pk=None):
        """Compile the review pack from the registers, as the caller sees them."""
        return self.run(lambda review: services.compile_pack(request.user, review))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        """Record the review as held: its pack is then what management saw."""
        return self.run(lambda review: services.mark_held(request.user, review))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="approve-minutes")
    def approve_minutes(self, request, pk=None):
        """Approve the minutes of a held review."""
        return self.run(lambda review: services.approve_minutes(request.user, review))
