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


# How much each status counts toward readiness. "Not assessed yet" counts as nothing, so an
# unfinished assessment never looks ready. "Not applicable" counts as nothing too, except where
# the framework allows exclusions and the row says why: only then is it left out of the total,
# so readiness never rises by excluding (issue 12).
WEIGHTS = {
    ComplianceStatus.NOT_ASSESSED: Decimal("0"),
    ComplianceStatus.NOT_APPLICABLE: Decimal("0"),
    ComplianceStatus.NOT_IMPLEMENTED: Decimal("0"),
    ComplianceStatus.PARTIALLY: Decimal("0.5"),
    ComplianceStatus.LARGELY: Decimal("0.75"),
    ComplianceStatus.FULLY: Decimal("1"),
}
_WEIGHTED = ("Readiness is the weighted share of assessable requirements: fully implemented "
             "counts 1, largely 0.75, partially 0.5, not implemented and not yet assessed 0. ")
READINESS_EXPLAINED = _WEIGHTED + (
    "Requirements marked not applicable with a justification are left out of the total.")
READINESS_EXPLAINED_STRICT = _WEIGHTED + (
    "This framework allows no exclusions: every requirement counts, and one still marked not "
    "applicable counts 0.")
