"""Context pages beyond the generic registers: the status buttons of a planned change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from chainward.core import services as records
from chainward.core.views import record_or_404

from . import services
from .models import PlannedChange


def _messages(exc):
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
@require_POST
def change_transition(request, pk):
    """Status button of a planned change (ISO 28000 6.3)."""
    change = record_or_404(request, PlannedChange, pk)
    try:
        services.transition_change(request.user, change, request.POST.get("to", ""),
                                   review=request.POST.get("review", ""))
        messages.success(request, f"{change} is now {change.get_status_display().lower()}.")
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, _messages(refused))
    except records.Conflict:
        messages.error(request, f"{change} changed meanwhile; review it and try again.")
    return redirect(change.get_absolute_url())
