"""The page action of an exercise beyond the generic register: open a corrective action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from chainward.core.views import record_or_404

from . import services
from .forms import ExerciseActionForm
from .models import Exercise


@login_required
@require_POST
def open_action(request, pk):
    """"Open a corrective action" on a held exercise's page."""
    exercise = record_or_404(request, Exercise, pk)
    form = ExerciseActionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
        return redirect(exercise.get_absolute_url() + "#actions")
    try:
        capa = services.open_exercise_action(request.user, exercise, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as refused:
        text = " ".join(m for ms in refused.message_dict.values() for m in ms) \
            if hasattr(refused, "message_dict") else " ".join(getattr(refused, "messages",
                                                                       [str(refused)]))
        messages.error(request, text)
        return redirect(exercise.get_absolute_url() + "#actions")
    messages.success(request, f"Opened {capa}.")
    return redirect(exercise.get_absolute_url() + "#actions")
