"""Choice lists of the security assessment (ISO 28001 5.2-5.6)."""

from django.db import models

from chainward.documents.choices import Classification  # noqa: F401 - same levels as documents


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    ARCHIVED = "archived", "Archived (superseded)"


class Decision(models.TextChoices):
    ACCEPTABLE = "acceptable", "Acceptable (within appetite)"
    TREAT = "treat", "Treat with countermeasures"
    ACCEPT = "accept", "Accept (formal risk acceptance)"


class MeasureType(models.TextChoices):
    PHYSICAL = "physical", "Physical security"
    ACCESS = "access_control", "Access control"
    PERSONNEL = "personnel", "Personnel security"
    PROCEDURAL = "procedural", "Procedural"
    INFORMATION = "information", "Information / IT security"
    PARTNER = "partner", "Business-partner requirements"
    TRAINING = "training", "Training and awareness"


class ProcessKind(models.TextChoices):
    PROCESS = "process", "Process"
    INFORMATION_FLOW = "information_flow", "Information flow"
    IT_SYSTEM = "it_system", "IT system"


class CountermeasureStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    VERIFIED = "verified", "Verified"


DONE = {CountermeasureStatus.IMPLEMENTED, CountermeasureStatus.VERIFIED}
