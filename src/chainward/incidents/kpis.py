"""Objectives that measure incident KPIs (issue 14 item 5; ISO 28000 6.2, 9.1): the number of
incidents, the net value lost, and either per 1,000 shipments, counted from the incident
register over the objective's review period at its sites, and recorded as a measurement.

Counted as the measuring person sees the register (restricted): an objective measured by
someone who sees only some of its sites is measured on those.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.utils import timezone

from chainward.core import services as records
from chainward.core.scope import allows
from chainward.plans.choices import FREQUENCY_MONTHS, IncidentMeasure
from chainward.plans.models import Measurement

from .exercises.services import add_months
from .models import Incident

PER_SHIPMENTS = {IncidentMeasure.INCIDENTS_PER_1000, IncidentMeasure.LOSS_PER_1000}
CENT = Decimal("0.01")


def period(objective, on):
    """(first day, last day) of the review period ending on `on`."""
    months = FREQUENCY_MONTHS.get(objective.review_frequency, 3)
    return add_months(on, -months) + datetime.timedelta(days=1), on


def incident_kpi(user, objective, *, on, shipments=None):
    """(value, note): the objective's incident KPI over the period ending on `on`."""
    measure = objective.incident_measure
    errors = {}
    if not measure:
        errors["incident_measure"] = ("This objective is measured by hand; choose what it "
                                      "measures from the incident register first.")
    if measure in PER_SHIPMENTS and not shipments:
        errors["shipments"] = "Give the number of shipments in the period (from the TMS)."
    if on > timezone.localdate():
        errors["measured_on"] = "A measurement cannot be dated in the future."
    if errors:
        raise ValidationError(errors)
    start, end = period(objective, on)
    incidents = Incident.objects.restrict(user, "view").filter(
        organisation_id=objective.organisation_id, archived=False,
        occurred_at__date__gte=start, occurred_at__date__lte=end)
    sites = list(objective.sites.values_list("pk", flat=True))
    if sites:
        incidents = incidents.filter(Q(site__in=sites) | Q(route_from__in=sites) |
                                     Q(route_to__in=sites))
    where = "its sites" if sites else "the organisation"
    if measure in (IncidentMeasure.INCIDENTS, IncidentMeasure.INCIDENTS_PER_1000):
        figure, what = Decimal(incidents.count()), "incidents"
    else:
        currency = (objective.unit or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise ValidationError({"unit": "Give the currency of the value lost as the "
                                           "objective's unit, e.g. EUR."})
        totals = incidents.filter(currency=currency).aggregate(
            lost=Sum("loss_value"), recovered=Sum("recovered_value"))
        figure = (totals["lost"] or Decimal(0)) - (totals["recovered"] or Decimal(0))
        what = f"{currency} net lost"
    if measure in PER_SHIPMENTS:
        figure = figure * 1000 / Decimal(shipments)
        what += f" per 1,000 of {shipments:,} shipments"
    value = figure.quantize(CENT, rounding=ROUND_HALF_UP)
    note = f"From the incident register: {what}, {start:%Y-%m-%d} to {end:%Y-%m-%d}, at {where}."
    return value, note[:300]


def measure_objective(user, objective, *, on=None, shipments=None):
    """Record the objective's incident KPI as a measurement on `on` (today by default)."""
    on = on or timezone.localdate()
    # Asked first, so that nobody learns a figure they may not record, and nobody who may not
    # read the register records a count of zero.
    if not allows(user, "add", Measurement(organisation_id=objective.organisation_id,
                                           objective=objective)):
        raise PermissionDenied("You may not record measurements of this objective.")
    if not user.has_perm("incidents.view_incident"):
        raise PermissionDenied("You may not read the incident register, so you cannot measure "
                               "it.")
    value, note = incident_kpi(user, objective, on=on, shipments=shipments)
    if Measurement.objects.filter(objective=objective, measured_on=on).exists():
        raise ValidationError({"measured_on": f"{objective} already has a measurement on "
                                              f"{on:%Y-%m-%d}; edit that one instead."})
    measurement = Measurement(organisation_id=objective.organisation_id, objective=objective,
                              measured_on=on, value=value, note=note)
    records.save_record(user, measurement)
    return measurement
