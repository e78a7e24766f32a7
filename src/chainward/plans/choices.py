"""Choice lists of security objectives (ISO 28000 6.2)."""

from django.db import models


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"


class ReviewFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    YEARLY = "yearly", "Yearly"


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


class PlanStatus(models.TextChoices):
    """A security plan version: drafted from an assessment, approved, then superseded."""

    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


PLAN_BADGES = {
    PlanStatus.DRAFT: "text-bg-secondary",
    PlanStatus.APPROVED: "text-bg-success",
    PlanStatus.SUPERSEDED: "text-bg-light",
}
