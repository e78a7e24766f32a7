"""Choice lists of security objectives (ISO 28000 6.2)."""

from django.db import models

from chainward.core import versioning


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"


class ReviewFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    YEARLY = "yearly", "Yearly"


class IncidentMeasure(models.TextChoices):
    """KPIs an objective may take from the incident register (ISO 28000 6.2, 9.1)."""

    INCIDENTS = "incidents", "Security incidents (number)"
    NET_LOSS = "net_loss", "Net value lost"
    INCIDENTS_PER_1000 = "incidents_per_1000", "Incidents per 1,000 shipments"
    LOSS_PER_1000 = "loss_per_1000", "Net value lost per 1,000 shipments"


# The period an incident KPI is counted over: the objective's review frequency.
FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


class ObjectiveStatus(models.TextChoices):
    """Computed from the measurements by `chainward.plans.status.assess`, never stored."""

    NOT_MEASURED = "not_measured", "Not measured"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


# Bootstrap badge classes of the statuses on the detail page.
STATUS_BADGES = {
    ObjectiveStatus.NOT_MEASURED: "text-bg-secondary",
    ObjectiveStatus.ON_TRACK: "text-bg-success",
    ObjectiveStatus.AT_RISK: "text-bg-warning",
    ObjectiveStatus.OFF_TRACK: "text-bg-danger",
}


# A security plan version is reviewed like a controlled document (core.versioning).
PlanStatus = versioning.VersionStatus
PLAN_BADGES = versioning.STATUS_BADGES
