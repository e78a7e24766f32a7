"""Field check pages beyond the generic registers: answering, signing and completing a run,
templates from the catalogue, a seal's next step, the gate verification, the stock
reconciliation, the completion of scheduled checks, the gatehouse buttons, and the photos and
signatures of a run (served only through these permission-checked views)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chainward.core import files
from chainward.core import services as records
from chainward.core.bounds import id_or_none
from chainward.core.views import record_or_404
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event
from chainward.library.models import CatalogEntry

from . import services
from .accesslog import KeyIssue, VisitorLogEntry
from .choices import SignatureRole
from .forms import AnswerForm, GateTimeForm, SealEventForm, SignatureForm, VerifyArrivalForm
from .models import CheckAnswer, CheckRun, CheckTemplate, Seal


def _messages(exc):
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
@require_POST
def run_answers(request, pk):
    """Save the answers of a run's page (only the items touched), then complete the run when
    the "complete" button was pressed. Each refused answer is named with its item."""
    run = record_or_404(request, CheckRun, pk)
    problems = []
    items = run.template.items.filter(archived=False).order_by("order", "pk")
    answers = {a.item_id: a for a in run.answers.all()}
    saved = 0
    for item in items:
        form = AnswerForm(request.POST, request.FILES, item=item, answer=answers.get(item.pk))
        if not form.is_valid():
            problems.append(f"{item}: " + " ".join(
                m for msgs in form.errors.values() for m in msgs))
            continue
        if not form.has_input():
            continue
        try:
            services.set_answer(request.user, run, item, **form.answer_data())
            saved += 1
        except (ValidationError, PermissionDenied) as refused:
            problems.append(f"{item}: {_messages(refused)}")
    for role in SignatureRole.values:
        form = SignatureForm(request.POST, request.FILES, role=role)
        if not form.is_valid() or not form.has_input():
            continue
        try:
            services.sign_run(request.user, run, role=role, name=form.cleaned_data["name"],
                              image=form.image_file())
            messages.success(request, f"Signed by the {form.label.lower()}, "
                                      f"{form.cleaned_data['name'].strip()}.")
        except (ValidationError, PermissionDenied) as refused:
            problems.append(f"{form.label}'s signature: {_messages(refused)}")
    for problem in problems:
        messages.error(request, problem)
    if saved:
        messages.success(request, f"{saved} answer(s) saved.")
    if "complete" in request.POST and not problems:
        try:
            run.refresh_from_db()
            services.complete_run(request.user, run)
            opened = run.incident or run.corrective_action
            messages.success(request, f"{run.reference} completed: "
                                      f"{run.get_result_display().lower()}."
                             + (f" Opened {opened}." if opened else ""))
        except (ValidationError, PermissionDenied) as refused:
            messages.error(request, _messages(refused))
        except records.Conflict:
            messages.error(request, f"{run} changed meanwhile; review it and try again.")
    return redirect(run.get_absolute_url() + "#answers")


@login_required
def run_signature(request, pk, role):
    """The drawn signature of a run's inspector or driver, to people who may see the run."""
    run = record_or_404(request, CheckRun, pk)
    stored = getattr(run, f"{role}_signature", "") if role in SignatureRole.values else ""
    if not stored:
        raise Http404("This run has no such signature.")
    with acting_as(request.user):
        record_event("download", obj=run, details={
            "signature": role, "sha256": getattr(run, f"{role}_signature_sha256")})
    return files.download_response(stored, filename=f"{run.reference}-{role}-signature.png",
                                   content_type="image/png")


def _gate_step(request, model, pk, step, done):
    """A gatehouse button ("Sign out", "Returned"): the service, its refusal as a message."""
    entry = record_or_404(request, model, pk)
    form = GateTimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "At: " + " ".join(form.errors.get("at", [])))
        return redirect(entry.get_absolute_url())
    try:
        step(request.user, entry, at=form.cleaned_data["at"])
        messages.success(request, done(entry))
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, _messages(refused))
    return redirect(entry.get_absolute_url())


@login_required
@require_POST
def visitor_sign_out(request, pk):
    """The gatehouse's "Sign out" of a visitor or driver."""
    return _gate_step(request, VisitorLogEntry, pk, services.sign_out_visitor,
                      lambda e: f"{e.name} signed out at "
                                f"{timezone.localtime(e.time_out):%H:%M}.")


@login_required
@require_POST
def key_returned(request, pk):
    """The gatehouse's "Returned" of a key or badge."""
    return _gate_step(request, KeyIssue, pk, services.return_key,
                      lambda e: f"{e} returned at {timezone.localtime(e.returned_at):%H:%M}.")


COMPLETION_ROWS = 100  # schedules listed one by one on the completion page


@login_required
def completion(request):
    """Scheduled checks due and done on time per site over the last 30, 90 or 365 days (ISO
    28000 9.1), and the figure recorded as a measurement of a security objective."""
    from chainward.plans.models import SecurityObjective

    from .kpis import measure_objective
    from .schedules import completion as compute

    if not request.organisation or not request.user.has_perm("fieldchecks.view_checkschedule"):
        raise PermissionDenied("You may not see check schedules.")
    objectives = SecurityObjective.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False, incident_measure="")
    if request.method == "POST":
        objective = objectives.filter(pk=id_or_none(request.POST.get("objective", ""))).first()
        if objective is None:
            messages.error(request, "Choose one of the objectives listed.")
        else:
            try:
                found = measure_objective(request.user, objective)
                messages.success(request, f"Recorded {found.value} % for {objective} "
                                          f"({found.note})")
            except (ValidationError, PermissionDenied) as refused:
                messages.error(request, _messages(refused))
        return redirect("fieldchecks:completion")
    days = request.GET.get("days")
    days = int(days) if days in {"30", "90", "365"} else 90
    today = timezone.localdate()
    result = compute(request.user, request.organisation,
                     start=today - datetime.timedelta(days=days), end=today)
    # The per-site table counts every schedule; the per-schedule table lists the ones with
    # the most missed checks (stable sort: site and template order otherwise), capped so the
    # page does not grow with the schedules (6 MB and 26 s of rendering at 10,000).
    rows = sorted(({**row, "missed": [o.due for o in row["occurrences"] if not o.on_time]}
                   for row in result.schedules), key=lambda row: -len(row["missed"]))
    may_measure = request.user.has_perm("plans.add_measurement")
    return render(request, "fieldchecks/completion.html", {
        "result": result, "days": days, "windows": (30, 90, 365),
        "schedule_rows": rows[:COMPLETION_ROWS], "hidden": max(len(rows) - COMPLETION_ROWS, 0),
        "objectives": list(objectives.order_by("title")[:100]) if may_measure else []})


@login_required
def answer_photo(request, pk):
    """The photo of an answer, to people who may see its run."""
    answer = record_or_404(request, CheckAnswer, pk)
    if not answer.photo:
        raise Http404("This answer has no photo.")
    with acting_as(request.user):
        record_event("download", obj=answer, details={"sha256": answer.photo_sha256})
    return files.download_response(answer.photo, filename=answer.photo_name,
                                   content_type=answer.photo_type)


@login_required
def catalogue(request):
    """The inspection checklists of the catalogues; "Use" copies one into the organisation's
    own templates (once)."""
    if not request.organisation or not request.user.has_perm("fieldchecks.view_checktemplate"):
        raise PermissionDenied("You may not see check templates.")
    entries = list(services.catalogue_templates())
    have = dict(CheckTemplate.objects.filter(
        organisation=request.organisation, archived=False,
        catalogue_urn__in=[e.urn for e in entries]).values_list("catalogue_urn", "pk"))
    if request.method == "POST":
        if not request.user.has_perm("fieldchecks.add_checktemplate"):
            raise PermissionDenied("You may not add check templates.")
        entry = CatalogEntry.objects.filter(pk=request.POST.get("entry"),
                                            pk__in=[e.pk for e in entries]).first()
        if entry is None:
            messages.error(request, "Choose a checklist of the list.")
            return redirect("fieldchecks:catalogue")
        try:
            template = services.import_catalogue_template(request.user, request.organisation,
                                                          entry)
        except (ValidationError, PermissionDenied) as refused:
            messages.error(request, _messages(refused))
            return redirect("fieldchecks:catalogue")
        messages.success(request, f"{template} is one of your check templates.")
        return redirect(template.get_absolute_url())
    rows = [(e, have.get(e.urn), len(e.data.get("items") or [])) for e in entries]
    return render(request, "fieldchecks/catalogue.html", {
        "rows": rows, "can_add": request.user.has_perm("fieldchecks.add_checktemplate")})


@login_required
@require_POST
def seal_event(request, pk):
    """The next step of a seal's life, from its page."""
    seal = record_or_404(request, Seal, pk)
    form = SealEventForm(request.POST, seal=seal, user=request.user,
                         organisation=request.organisation)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect(seal.get_absolute_url() + "#life")
    try:
        event = services.record_seal_event(request.user, seal, form.cleaned_data["kind"],
                                           **form.event_data())
        messages.success(request, f"{seal.number}: {event.get_kind_display().lower()}."
                         + (f" Opened {event.incident}." if event.incident_id else ""))
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, _messages(refused))
    return redirect(seal.get_absolute_url() + "#life")


@login_required
def verify_arrival(request):
    """The gate verification of an arriving trailer or container (View–Verify–Tug–Twist)."""
    if not request.organisation or not request.user.has_perm("fieldchecks.add_sealevent"):
        raise PermissionDenied("You may not record seal checks.")
    form = VerifyArrivalForm(request.POST or None, user=request.user,
                             organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.verify_on_arrival(request.user, **form.verify_data())
        except ValidationError as refused:
            for field, errors in getattr(refused, "message_dict", {
                    None: refused.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as refused:
            form.add_error("site", str(refused))
        else:
            if event.incident_id:
                messages.error(request, f"Seal discrepancy: {event.incident} opened.")
            else:
                messages.success(request, f"Seal {event.seal.number} verified.")
            return redirect(event.seal.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "fieldchecks/verify.html", {"form": form}, status=status)


@login_required
def reconciliation(request):
    """Seal stock per site: received, in stock, issued, affixed, verified, discrepancies,
    lost and destroyed (C-TPAT MSC seal audits)."""
    if not request.organisation or not request.user.has_perm("fieldchecks.view_seal"):
        raise PermissionDenied("You may not see the seal register.")
    from .choices import SealStatus

    return render(request, "fieldchecks/reconciliation.html", {
        "sites": services.reconciliation(request.user, request.organisation),
        "statuses": SealStatus.choices})
