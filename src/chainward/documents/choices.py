"""Choice lists of documented information."""

from django.db import models


class DocumentType(models.TextChoices):
    POLICY = "policy", "Policy"
    PROCEDURE = "procedure", "Procedure"
    WORK_INSTRUCTION = "work_instruction", "Work instruction"
    PLAN = "plan", "Plan"
    FORM = "form", "Form / template"
    RECORD = "record", "Record"
    EXTERNAL = "external", "External document"


class Classification(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"
    OBSOLETE = "obsolete", "Obsolete"


# Once a version reaches one of these, its content is frozen for good (ISO 28000 7.5.3).
FROZEN = {VersionStatus.APPROVED, VersionStatus.SUPERSEDED, VersionStatus.OBSOLETE}
