from django.db import models


class TemplateKind(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", "Security questionnaire"
    DECLARATION = "declaration", "Security declaration"


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "In use"
    RETIRED = "retired", "Retired"


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", "Yes / no"
    TEXT = "text", "Text"
    DATE = "date", "Date"


class RequestStatus(models.TextChoices):
    SENT = "sent", "Sent"
    OPENED = "opened", "Opened"
    SIGNED = "signed", "Answered and signed"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned (not accepted)"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The contact may still answer; the link is spent in every other state.
ANSWERABLE = (RequestStatus.SENT, RequestStatus.OPENED)


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
