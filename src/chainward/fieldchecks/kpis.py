"""Check-schedule completion as the measurement of a security objective (issue 15 item 4; ISO
28000 6.2, 9.1): the share of due checks done on time at the objective's sites over its review
period, recorded as a measurement — the way incident KPIs are measured (`incidents.kpis`, whose
review period this reuses).

Counted as the measuring person sees the schedules and runs (restricted), like the incident KPI.
The objectives app has no generic hook for measurement sources (its incident measure is a field
of the objective), so the figure is offered from the schedules' completion page and the
schedules' API rather than from the objective's page.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chainward.core import services as records
from chainward.core.scope import allows
from chainward.incidents.kpis import period
from chainward.plans.models import Measurement

from .schedules import completion


def completion_kpi(user, objective, *, on):
    """(value, note): the percentage of checks due at the objective's sites (all sites when it
    names none) in its review period ending on `on` that were done on time."""
    if on > timezone.localdate():
        raise ValidationError({"measured_on": "A measurement cannot be dated in the future."})
    if objective.incident_measure:
        raise ValidationError({"objective": "This objective is measured from the incident "
                                            "register; choose one measured by hand."})
    start, end = period(objective, on)
    sites = list(objective.sites.values_list("pk", flat=True)) or None
    result = completion(user, objective.organisation, start=start, end=end, sites=sites)
    if not result.due:
        raise ValidationError({"objective": f"No scheduled check was due at "
                                            f"{'its sites' if sites else 'the organisation'} "
                                            f"from {start:%Y-%m-%d} to {end:%Y-%m-%d}."})
    where = "its sites" if sites else "the organisation"
    note = (f"From the check schedules: {result.on_time} of {result.due} due checks done on "
            f"time, {start:%Y-%m-%d} to {end:%Y-%m-%d}, at {where}.")
    return result.rate, note[:300]


def measure_objective(user, objective, *, on=None):
    """Record the objective's check completion rate (%) as a measurement on `on` (today)."""
    on = on or timezone.localdate()
    if not allows(user, "add", Measurement(organisation_id=objective.organisation_id,
                                           objective=objective)):
        raise PermissionDenied("You may not record measurements of this objective.")
    if not user.has_perm("fieldchecks.view_checkschedule"):
        raise PermissionDenied("You may not read the check schedules, so you cannot measure "
                               "them.")
    value, note = completion_kpi(user, objective, on=on)
    if Measurement.objects.filter(objective=objective, measured_on=on).exists():
        raise ValidationError({"measured_on": f"{objective} already has a measurement on "
                                              f"{on:%Y-%m-%d}; edit that one instead."})
    measurement = Measurement(organisation_id=objective.organisation_id, objective=objective,
                              measured_on=on, value=value, note=note)
    records.save_record(user, measurement)
    return measurement
