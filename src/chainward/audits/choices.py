"""Choice lists of audits, findings and corrective actions (ISO 28000 9.2, 10)."""

from django.db import models


class AuditType(models.TextChoices):
    INTERNAL = "internal", "Internal audit"
    PARTNER = "partner", "Partner / supplier audit"
    STAGE_1 = "stage_1", "Certification stage 1"
    STAGE_2 = "stage_2", "Certification stage 2"
    SURVEILLANCE = "surveillance", "Surveillance audit"
    RECERTIFICATION = "recertification", "Recertification audit"
    SPECIAL = "special", "Special audit"


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    REPORTED = "reported", "Reported"
    CLOSED = "closed", "Closed"


# planned → in progress → reported → closed; nothing else.
AUDIT_TRANSITIONS = {
    AuditStatus.PLANNED: (AuditStatus.IN_PROGRESS,),
    AuditStatus.IN_PROGRESS: (AuditStatus.REPORTED,),
    AuditStatus.REPORTED: (AuditStatus.CLOSED,),
    AuditStatus.CLOSED: (),
}
# Audits that count as covering a clause in the programme's coverage matrix.
COMPLETED = (AuditStatus.REPORTED, AuditStatus.CLOSED)


class ChecklistResult(models.TextChoices):
    NOT_CHECKED = "not_checked", "Not checked"
    CONFORMING = "conforming", "Conforming"
    NONCONFORMING = "nonconforming", "Nonconforming"
    OBSERVATION = "observation", "Observation"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Grade(models.TextChoices):
    MAJOR = "major", "Major nonconformity"
    MINOR = "minor", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"
    GOOD_PRACTICE = "good_practice", "Conforming / good practice"


# Grades that open a corrective action automatically (ISO 28000 10.2).
NONCONFORMITIES = (Grade.MAJOR, Grade.MINOR)


class CapaSource(models.TextChoices):
    AUDIT_FINDING = "audit_finding", "Audit finding"
    INCIDENT = "incident", "Incident"
    INSPECTION = "inspection", "Inspection"
    MANAGEMENT_REVIEW = "management_review", "Management review"
    COMPLAINT = "complaint", "Complaint"
    OTHER = "other", "Other"


class CapaStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONTAINMENT = "containment", "Containment"
    ROOT_CAUSE_ANALYSED = "root_cause_analysed", "Root cause analysed"
    ACTIONS_PLANNED = "actions_planned", "Actions planned"
    ACTIONS_DONE = "actions_done", "Actions done (awaiting verification)"
    # Reached only through an effective verification (verified_by / verified_on are set).
    CLOSED = "closed", "Closed (verified effective)"


# Moves made with the status buttons; verification (actions done → closed, or back to
# actions planned when ineffective) has its own service with its own rules.
CAPA_TRANSITIONS = {
    CapaStatus.OPEN: (CapaStatus.CONTAINMENT, CapaStatus.ROOT_CAUSE_ANALYSED),
    CapaStatus.CONTAINMENT: (CapaStatus.ROOT_CAUSE_ANALYSED,),
    CapaStatus.ROOT_CAUSE_ANALYSED: (CapaStatus.ACTIONS_PLANNED,),
    CapaStatus.ACTIONS_PLANNED: (CapaStatus.ACTIONS_DONE,),
    CapaStatus.ACTIONS_DONE: (),
    CapaStatus.CLOSED: (),
}
CAPA_DONE = (CapaStatus.CLOSED,)

ROOT_CAUSE_METHODS = ("five_whys", "cause_categories")
CAUSE_CATEGORIES = ("people", "process", "equipment", "environment", "materials", "management")

BADGES = {
    AuditStatus.PLANNED: "text-bg-secondary", AuditStatus.IN_PROGRESS: "text-bg-primary",
    AuditStatus.REPORTED: "text-bg-info", AuditStatus.CLOSED: "text-bg-success",
    Grade.MAJOR: "text-bg-danger", Grade.MINOR: "text-bg-warning",
    Grade.OBSERVATION: "text-bg-info", Grade.OFI: "text-bg-light border",
    Grade.GOOD_PRACTICE: "text-bg-success",
}
