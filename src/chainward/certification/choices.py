"""Choice lists of management reviews, certificates and the certification cycle."""

from django.db import models


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    PACK_COMPILED = "compiled", "Pack compiled"
    HELD = "held", "Held"
    MINUTES_APPROVED = "approved", "Minutes approved"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class CertificateStatus(models.TextChoices):
    PLANNED = "planned", "Planned (not issued yet)"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


class MilestoneKind(models.TextChoices):
    STAGE1 = "stage1", "Stage 1 audit"
    STAGE2 = "stage2", "Stage 2 audit"
    DECISION = "decision", "Certification decision"
    SURVEILLANCE1 = "surveillance1", "Surveillance audit year 1"
    SURVEILLANCE2 = "surveillance2", "Surveillance audit year 2"
    RECERTIFICATION = "recertification", "Recertification audit"


MILESTONE_ORDER = [k.value for k in MilestoneKind]


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
