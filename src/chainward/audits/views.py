"""Audit pages beyond the generic registers: coverage matrix, checklist workspace, workflow
buttons (audit status, CAPA status, verification), My work — and the same workflows in the API.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chainward.core import services as records
from chainward.core.views import record_or_404

from . import services
from .choices import ChecklistResult
from .coverage import coverage_matrix
from .forms import ChecklistRowForm, VerificationForm
from .models import Audit, AuditProgramme, ChecklistItem, CorrectiveAction


def _messages(exc):
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
def coverage(request, pk):
    """Clause × site × quarter: which audits cover what, and what the programme misses."""
    programme = record_or_404(request, AuditProgramme, pk)
    audits = Audit.objects.restrict(request.user, "view")
    return render(request, "audits/coverage.html", {
        "programme": programme, "matrix": coverage_matrix(programme, audits)})


@login_required
@require_POST
def audit_transition(request, pk):
    """Status button of an audit."""
    audit = record_or_404(request, Audit, pk)
    try:
        services.transition_audit(request.user, audit, request.POST.get("to", ""))
        messages.success(request, f"{audit} is now {audit.get_status_display().lower()}.")
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, _messages(refused))
    except records.Conflict:
        messages.error(request, "The audit changed meanwhile; review it and try again.")
    return redirect(audit.get_absolute_url())


@login_required
@require_POST
def generate_checklist(request, pk):
    """Add checklist questions from the requirements in scope or a checklist template."""
    audit = record_or_404(request, Audit, pk)
    template = None
    urn = request.POST.get("template", "").strip()
    if urn:
        template = services.checklist_templates().filter(urn=urn).first()
        if template is None:
            messages.error(request, "Unknown checklist template.")
            return redirect(audit.get_absolute_url())
    try:
        added = services.generate_checklist(request.user, audit, template=template)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, _messages(refused))
        return redirect(audit.get_absolute_url())
    if added:
        messages.success(request, f"Added {added} checklist item{'s' if added != 1 else ''}.")
    else:
        messages.warning(request, "Nothing to add: the checklist already holds every question "
                                  "(or the audit has no criteria / requirements in scope).")
    return redirect(f"{audit.get_absolute_url()}checklist/")


def _row_context(row, can_change, form=None):
    form = form or ChecklistRowForm(prefix_id=row.pk, initial={
        "result": row.result, "notes": row.notes, "samples": row.samples,
        "version": row.version})
    return {"row": row, "form": form, "can_change": can_change}


@login_required
def checklist(request, pk):
    """Every checklist item of an audit, answered in place (one row saves at a time)."""
    audit = record_or_404(request, Audit, pk)
    rows = list(audit.checklist.filter(archived=False).restrict(request.user, "view")
                .select_related("requirement").order_by("order", "pk"))
    can_change = bool(rows) and request.user.has_perm("audits.change_checklistitem", rows[0]) \
        and audit.status != "closed"
    result = request.GET.get("result", "")
    if result:
        rows = [row for row in rows if row.result == result]
    return render(request, "audits/checklist.html", {
        "audit": audit, "items": [_row_context(row, can_change) for row in rows],
        "results": ChecklistResult.choices, "filter_result": result})


@login_required
@require_POST
def checklist_set(request, pk):
    """Save one checklist row; answer with the row (htmx) or a redirect."""
    row = record_or_404(request, ChecklistItem, pk, "change",
                        ChecklistItem.objects.select_related("audit", "requirement"))
    form = ChecklistRowForm(request.POST, prefix_id=row.pk)
    status = 200
    if form.is_valid():
        try:
            services.set_checklist_result(
                request.user, row, result=form.cleaned_data["result"],
                notes=form.cleaned_data["notes"], samples=form.cleaned_data["samples"],
                expected_version=form.cleaned_data["version"])
            form = None
        except records.Conflict as conflict:
            form.add_error(None, f"Someone else changed this item (now version "
                                 f"{conflict.current.version}); reload to see their change.")
            status = 409
        except ValidationError as refused:
            form.add_error(None, _messages(refused))
            status = 400
    else:
        status = 400
    row.refresh_from_db()
    url = f"{row.audit.get_absolute_url()}checklist/#row-{row.pk}"
    if not request.htmx:
        if status != 200:
            messages.error(request, "; ".join(str(e) for errs in form.errors.values()
                                              for e in errs))
        return redirect(url)
    return render(request, "audits/checklist.html#row", _row_context(row, True, form),
                  status=status)


@login_required
@require_POST
def capa_transition(request, pk):
    """Status button of a corrective action."""
    capa = record_or_404(request, CorrectiveAction, pk)
    try:
        services.advance_corrective_action(request.user, capa, request.POST.get("to", ""))
        messages.success(request, f"{capa} is now {capa.get_status_display().lower()}.")
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, _messages(refused))
    except records.Conflict:
        messages.error(request, "The corrective action changed meanwhile; try again.")
    return redirect(capa.get_absolute_url())


@login_required
@require_POST
def capa_verify(request, pk):
    """Verification of effectiveness by someone other than the owner."""
    capa = record_or_404(request, CorrectiveAction, pk)
    form = VerificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether the actions were effective.")
        return redirect(capa.get_absolute_url())
    try:
        services.verify_corrective_action(request.user, capa,
                                          effective=form.cleaned_data["effective"],
                                          notes=form.cleaned_data["notes"])
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, _messages(refused))
        return redirect(capa.get_absolute_url())
    messages.success(request, f"{capa} is now {capa.get_status_display().lower()}.")
    return redirect(capa.get_absolute_url())


@login_required
def my_work(request):
    """The logged-in user's open corrective actions and steps, overdue first."""
    if not request.organisation:
        raise PermissionDenied("You have no role in any organisation yet.")
    return render(request, "audits/my_work.html", {"sections": services.my_work(request)})
