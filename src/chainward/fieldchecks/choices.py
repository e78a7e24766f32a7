"""Choices of the field checks app: what a check is of, how an item is answered, what a failed
critical item opens, and the states of a seal (ISO 17712, C-TPAT MSC seal security)."""

from django.db import models


class CheckKind(models.TextChoices):
    CONVEYANCE = "conveyance", "Conveyance (tractor / trailer)"
    CONTAINER = "container", "Container or ULD"
    SEAL = "seal", "Seal verification (VVTT)"
    SITE = "site", "Site control (patrol, CCTV, lighting, keys)"
    OTHER = "other", "Other"


class AnswerType(models.TextChoices):
    PASS_FAIL = "pass_fail", "Pass / fail / not applicable"
    NUMBER = "number", "Number"
    TEXT = "text", "Text"
    CHOICE = "choice", "Choice from a list"
    PHOTO = "photo", "Photo"


class Outcome(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    NA = "na", "Not applicable"


class OnCriticalFailure(models.TextChoices):
    INCIDENT = "incident", "Open an incident"
    CORRECTIVE_ACTION = "corrective_action", "Open a corrective action"
    NOTHING = "nothing", "Record only"


class RunStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    COMPLETED = "completed", "Completed"


class RunResult(models.TextChoices):
    PENDING = "", "Not completed"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    CRITICAL = "critical", "Failed — critical item"


RESULT_BADGES = {RunResult.PASSED: "text-bg-success", RunResult.FAILED: "text-bg-warning",
                 RunResult.CRITICAL: "text-bg-danger"}


class SealClass(models.TextChoices):
    """ISO 17712 classification by barrier strength."""

    HIGH = "H", "H — high security"
    SECURITY = "S", "S — security"
    INDICATIVE = "I", "I — indicative"


class SealType(models.TextChoices):
    BOLT = "bolt", "Bolt seal"
    CABLE = "cable", "Cable seal"
    PLASTIC = "plastic", "Plastic / strap seal"
    ELECTRONIC = "electronic", "Electronic seal"


class SealStatus(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    ISSUED = "issued", "Issued"
    AFFIXED = "affixed", "Affixed"
    VERIFIED = "verified", "Verified at arrival"
    DISCREPANCY = "discrepancy", "Discrepancy at arrival"
    REMOVED = "removed", "Removed"
    BROKEN = "broken", "Found broken"
    LOST = "lost", "Lost"
    DESTROYED = "destroyed", "Destroyed"


class SealEventKind(models.TextChoices):
    RECEIVED = "received", "Received into stock"
    ISSUED = "issued", "Issued"
    AFFIXED = "affixed", "Affixed"
    VERIFIED = "verified", "Verified at arrival"
    REMOVED = "removed", "Removed"
    BROKEN = "broken", "Found broken"
    LOST = "lost", "Lost"
    DESTROYED = "destroyed", "Destroyed"


# The seal life cycle (CTPAT MSC seal security; ISO 17712 custody): the event a seal in a
# status may have next, and the status it leaves the seal in. A verification whose number,
# VVTT or integrity fails leaves it in "discrepancy" instead (services.record_seal_event).
SEAL_TRANSITIONS = {
    SealStatus.IN_STOCK: {SealEventKind.ISSUED: SealStatus.ISSUED,
                          SealEventKind.AFFIXED: SealStatus.AFFIXED,
                          SealEventKind.LOST: SealStatus.LOST,
                          SealEventKind.DESTROYED: SealStatus.DESTROYED},
    SealStatus.ISSUED: {SealEventKind.AFFIXED: SealStatus.AFFIXED,
                        SealEventKind.LOST: SealStatus.LOST,
                        SealEventKind.DESTROYED: SealStatus.DESTROYED},
    SealStatus.AFFIXED: {SealEventKind.VERIFIED: SealStatus.VERIFIED,
                         SealEventKind.BROKEN: SealStatus.BROKEN,
                         SealEventKind.REMOVED: SealStatus.REMOVED,
                         SealEventKind.LOST: SealStatus.LOST},
    SealStatus.VERIFIED: {SealEventKind.REMOVED: SealStatus.REMOVED,
                          SealEventKind.BROKEN: SealStatus.BROKEN},
    SealStatus.DISCREPANCY: {SealEventKind.REMOVED: SealStatus.REMOVED},
    SealStatus.BROKEN: {SealEventKind.DESTROYED: SealStatus.DESTROYED},
    SealStatus.REMOVED: {SealEventKind.DESTROYED: SealStatus.DESTROYED},
    SealStatus.LOST: {},
    SealStatus.DESTROYED: {},
}
SEAL_BADGES = {SealStatus.DISCREPANCY: "text-bg-danger", SealStatus.BROKEN: "text-bg-danger",
               SealStatus.LOST: "text-bg-warning", SealStatus.VERIFIED: "text-bg-success",
               SealStatus.AFFIXED: "text-bg-primary"}


class SignatureRole(models.TextChoices):
    """Who signs a check run: the inspector, and the driver when the template asks for it."""

    INSPECTOR = "inspector", "Inspector"
    DRIVER = "driver", "Driver"


class FrequencyUnit(models.TextChoices):
    """How often a scheduled check is due; "every outbound trailer" has no calendar: each
    departure is its own check (the run list shows them)."""

    DAYS = "days", "Every N days"
    WEEKS = "weeks", "Every N weeks"
    MONTHS = "months", "Every N months"
    PER_TRAILER = "per_trailer", "Every outbound trailer (no calendar)"


class DueState(models.TextChoices):
    """Where a schedule stands today (computed, never stored)."""

    OVERDUE = "overdue", "Overdue"
    DUE = "due", "Due"
    PLANNED = "planned", "Planned"
    EVENT = "event", "Per trailer"
    INACTIVE = "inactive", "Not in force"


DUE_BADGES = {DueState.OVERDUE: "text-bg-danger", DueState.DUE: "text-bg-warning",
              DueState.PLANNED: "text-bg-success"}


class VisitorKind(models.TextChoices):
    VISITOR = "visitor", "Visitor"
    DRIVER = "driver", "Driver"
    CONTRACTOR = "contractor", "Contractor"


class IdType(models.TextChoices):
    """The identity document seen at the gate (its number is not recorded: data
    minimisation)."""

    PASSPORT = "passport", "Passport"
    NATIONAL_ID = "national_id", "National identity card"
    DRIVING_LICENCE = "driving_licence", "Driving licence"
    COMPANY_BADGE = "company_badge", "Company badge"
    OTHER = "other", "Other photo ID"


class KeyKind(models.TextChoices):
    KEY = "key", "Key"
    BADGE = "badge", "Access badge"
    CARD = "card", "Access card or fob"
