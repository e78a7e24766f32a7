"""Choices of the people app (ISO 28000 5.3, 7.2)."""

from django.db import models


class RoleKind(models.TextChoices):
    TOP_MANAGEMENT = "top_management", "Top management"
    SECURITY_MANAGER = "security_manager", "Security manager"
    DEPUTY = "deputy", "Deputy security manager"
    SITE_OFFICER = "site_officer", "Site security officer"
    CTPAT_POC = "ctpat_poc", "C-TPAT point of contact"
    AEO_CONTACT = "aeo_contact", "AEO contact person"
    ASSESSOR = "assessor", "Security assessment team member"
    INTERNAL_AUDITOR = "internal_auditor", "Internal auditor"
    OTHER = "other", "Other security role"


class TrainingResult(models.TextChoices):
    PASSED = "passed", "Passed"
    ATTENDED = "attended", "Attended (no test)"
    FAILED = "failed", "Failed"


# A training record counts towards competence only with one of these results.
COUNTS = (TrainingResult.PASSED, TrainingResult.ATTENDED)


class Standing(models.TextChoices):
    """A cell of the competence matrix (ISO 28000 7.2)."""

    MET = "met", "Met"
    EXPIRING = "expiring", "Expiring"
    EXPIRED = "expired", "Expired"
    MISSING = "missing", "Missing"


STANDING_BADGES = {
    Standing.MET: "text-bg-success",
    Standing.EXPIRING: "text-bg-warning",
    Standing.EXPIRED: "text-bg-danger",
    Standing.MISSING: "text-bg-danger",
}


class ScreeningResult(models.TextChoices):
    """The only outcome a screening record keeps (C-TPAT 11.x, AEO 6.12): the details stay
    with whoever carried out the check."""

    PASS = "pass", "Pass"
    REFER = "refer", "Refer to the security manager"
