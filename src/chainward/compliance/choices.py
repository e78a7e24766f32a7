"""Choice lists of gap assessments."""

from decimal import Decimal

from django.db import models


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_PROGRESS = "in_progress", "In progress"
    IN_REVIEW = "in_review", "In review"
    DONE = "done", "Done"


class ComplianceStatus(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed yet"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NOT_IMPLEMENTED = "not_implemented", "Not implemented"
    PARTIALLY = "partially", "Partially implemented"
    LARGELY = "largely", "Largely implemented"
    FULLY = "fully", "Fully implemented"


# How much each status counts toward readiness. Not applicable is left out of the total;
# "not assessed yet" counts as nothing, so an unfinished assessment never looks ready.
WEIGHTS = {
    ComplianceStatus.NOT_ASSESSED: Decimal("0"),
    ComplianceStatus.NOT_IMPLEMENTED: Decimal("0"),
    ComplianceStatus.PARTIALLY: Decimal("0.5"),
    ComplianceStatus.LARGELY: Decimal("0.75"),
    ComplianceStatus.FULLY: Decimal("1"),
}
READINESS_EXPLAINED = (
    "Readiness is the weighted share of applicable assessable requirements: fully implemented "
    "counts 1, largely 0.75, partially 0.5, not implemented and not yet assessed 0. "
    "Requirements marked not applicable (with a justification) are left out of the total."
)
