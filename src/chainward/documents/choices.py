"""Choice lists of documented information."""

from django.db import models

from chainward.core import versioning


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


# Versions share one review workflow with security plans (core.versioning).
VersionStatus = versioning.VersionStatus
FROZEN = versioning.FROZEN
