"""The review steps of versioned records (`core.versioning`) on pages and in the API.

Pages: `review_urls("versions", DocumentVersion)` gives POST routes
`<prefix>/<pk>/<step>/` named `<model>_<step>` for each of the model's `review_steps`;
`core/_version_review.html` shows the buttons and the return form.

API: registers set `viewset_base = VersionViewSet`, which adds

    POST …/<id>/submit/   {"version": n}
    POST …/<id>/approve/  {"version": n}
    POST …/<id>/return/   {"comment": "what to change", "version": n}

The record is found with *view* (404 when the caller cannot see it); the service decides the
step: 403 when the caller may not take it or the status does not allow it, 400 with field
errors (a missing comment), 409 on a stale version — all as problem details.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services as records
from . import versioning
from .api import ConflictError, RecordViewSet
from .bounds import INT_MAX
from .views import record_or_404

DONE = {"submit": "Submitted for review:", "approve": "Approved", "return":
        "Returned to its author:", "withdraw": "Withdrew"}


def run_step(user, version, step, data):
    """Take one review step with the posted `data` (comment, version)."""
    expected = data.get("version")
    if step == "submit":
        return versioning.submit_version(user, version, expected_version=expected)
    if step == "approve":
        return versioning.approve_version(user, version, expected_version=expected)
    if step == "return":
        return versioning.return_version(user, version, comment=data.get("comment", ""),
                                         expected_version=expected)
    if step == "withdraw":
        return versioning.make_obsolete(user, version, expected_version=expected)
    raise ValueError(f"Unknown review step {step!r}.")


def _posted_version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def step_view(model, step):
    """The POST view of one review step on a model's versions."""

    @login_required
    @require_POST
    def view(request, pk):
        version = record_or_404(request, model, pk)
        url = version.get_absolute_url()
        try:
            run_step(request.user, version, step, {
                "comment": request.POST.get("comment", ""),
                "version": _posted_version(request)})
        except records.Conflict:
            messages.error(request, f"{version} changed since you opened it; review it again.")
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect(url + "#review")
        except PermissionDenied as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"{DONE[step]} {version}.")
        return redirect(url)

    view.__name__ = f"{model._meta.model_name}_{step}"
    view.__doc__ = f"POST: {step} a {model._meta.verbose_name} (core.versioning)."
    return view


def review_urls(prefix, model):
    """The review-step routes of `model` under `<prefix>/<pk>/<step>/`."""
    return [path(f"{prefix}/<int:pk>/{step}/", step_view(model, step),
                 name=f"{model._meta.model_name}_{step}") for step in model.review_steps]


# --- API ----------------------------------------------------------------------------------------
class StepSerializer(serializers.Serializer):
    """The body of a review step."""

    version = serializers.IntegerField(
        required=False, min_value=0, max_value=INT_MAX,
        help_text="The version you reviewed; a stale version is refused with 409.")


class ReturnSerializer(StepSerializer):
    """The body of a return: what the author must change."""

    comment = serializers.CharField(
        allow_blank=True, max_length=versioning.COMMENT_MAX,
        help_text="Required: what the author must change before the version can be approved.")


class VersionViewSet(RecordViewSet):
    """Versions with review steps (POST …/submit/, …/approve/, …/return/)."""

    STEPS = {"submit", "approve", "return_version"}

    def get_action_name(self):
        if self.action in self.STEPS:
            return "view"  # found with view; the service checks the step's own right
        return super().get_action_name()

    def _step(self, request, step, body_class=StepSerializer):
        if step not in self.model.review_steps:
            raise exceptions.NotFound(f"{self.model._meta.verbose_name_plural} have no "
                                      f"{step} step.")
        version = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            run_step(request.user, version, step, body.validated_data)
        except records.Conflict as conflict:
            expected = body.validated_data.get("version")
            raise ConflictError({
                "detail": f"This version changed since version {expected}; it is now version "
                          f"{conflict.current.version}. Reload it and review it again.",
                "current_version": conflict.current.version,
            }) from None
        return Response(self.get_serializer(version).data)

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft or returned version for review."""
        return self._step(request, "submit")

    @extend_schema(request=StepSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a version in review (needs the approve right; not its author)."""
        return self._step(request, "approve")

    @extend_schema(request=ReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_version(self, request, pk=None):
        """Return a version in review to its author with a comment (same right as approve)."""
        return self._step(request, "return", ReturnSerializer)
