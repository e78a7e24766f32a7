"""Incident pages beyond the generic registers: the status buttons, "notified", opening the
corrective action of an investigation, and the anonymised export (TAPA IIS-like)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chainward.core import services as records
from chainward.core.views import record_or_404
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event

from . import services
from .analysis import incident_analysis
from .anonymised import anonymised_csv, anonymised_rows
from .forms import NotifyForm
from .models import Incident, Investigation, Notification


def _messages(exc):
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(getattr(exc, "messages", [str(exc)]))


def _run(request, obj, step, done):
    try:
        step()
        messages.success(request, done())
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, _messages(refused))
    except records.Conflict:
        messages.error(request, f"{obj} changed meanwhile; review it and try again.")


@login_required
@require_POST
def incident_transition(request, pk):
    """Status button of an incident."""
    incident = record_or_404(request, Incident, pk)
    _run(request, incident,
         lambda: services.transition_incident(request.user, incident, request.POST.get("to", "")),
         lambda: f"{incident} is now {incident.get_status_display().lower()}.")
    return redirect(incident.get_absolute_url())


@login_required
@require_POST
def notification_sent(request, pk):
    """"Notified" on a notification row of the incident page."""
    notification = record_or_404(request, Notification, pk)
    form = NotifyForm(request.POST, prefix_id=notification.pk)
    form.is_valid()
    _run(request, notification,
         lambda: services.record_notification(
             request.user, notification,
             reference_number=form.cleaned_data.get("reference_number", "")),
         lambda: f"{notification.get_recipient_display()} notified.")
    return redirect(notification.incident.get_absolute_url() + "#notifications")


@login_required
@require_POST
def open_corrective_action(request, pk):
    """Open the corrective action of an investigation."""
    investigation = record_or_404(request, Investigation, pk)
    capa = []
    _run(request, investigation,
         lambda: capa.append(services.open_corrective_action(request.user, investigation)),
         lambda: f"Opened {capa[0]}.")
    if capa:
        return redirect(capa[0].get_absolute_url())
    return redirect(investigation.get_absolute_url())


@login_required
def anonymised_export(request, fmt):
    """The incidents the user may export, anonymised for an incident-sharing scheme: no names,
    no exact place (CSV or JSON); the export is a ledger event."""
    if fmt not in ("csv", "json"):
        raise Http404("Export as .csv or .json.")
    if not request.organisation or not request.user.has_perm("incidents.export_incident"):
        raise PermissionDenied("You may not export incidents.")
    queryset = Incident.objects.restrict(request.user, "export").filter(
        organisation=request.organisation, archived=False)
    rows = anonymised_rows(queryset)
    with acting_as(request.user):
        record_event("export", object_type="incidents.incident",
                     object_repr="incidents (anonymised)", organisation_id=request.organisation.pk,
                     details={"format": f"anonymised {fmt}", "rows": len(rows)})
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        response = JsonResponse({"scheme": "TAPA IIS-like anonymised incident data",
                                 "generated_on": stamp, "incidents": rows},
                                json_dumps_params={"ensure_ascii": False, "indent": 1})
    else:
        response = HttpResponse(anonymised_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="incidents-anonymised-{stamp}.{fmt}"'
    return response


@login_required
@require_POST
def measure_objective(request, pk):
    """"Measure from the incident register" on an objective's page."""
    from chainward.plans.models import SecurityObjective

    from .kpis import measure_objective as measure

    objective = record_or_404(request, SecurityObjective, pk)
    raw = request.POST.get("shipments", "").replace(",", "").strip()
    if raw and not raw.isdigit():
        messages.error(request, "Shipments: give a whole number, e.g. 12500.")
        return redirect(objective.get_absolute_url())
    found = []
    _run(request, objective,
         lambda: found.append(measure(request.user, objective, shipments=int(raw) if raw
                                      else None)),
         lambda: f"Measured {found[0].value} ({found[0].note})")
    return redirect(objective.get_absolute_url())


@login_required
def analysis(request):
    """Incidents by month, type, site, leg, partner and value lost, within the user's scope."""
    if not request.organisation or not request.user.has_perm("incidents.view_incident"):
        raise PermissionDenied("You may not see incidents.")
    result = incident_analysis(request.user, request.organisation)
    charts = [("Incidents by month", result["months"]), ("By type", result["types"]),
              ("By site", result["sites"]), ("By leg", result["legs"]),
              ("By partner", result["partners"]), ("By value lost", result["values"])]
    return render(request, "incidents/analysis.html", {"analysis": result, "charts": charts})
