"""Personal records of the notification service: what a person was told, how they want to be
told, and which daily digests went out. They belong to a person, not to an organisation's
register: each person reads only their own (like their jobs), so they are not registered."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """One thing a person was told (in the app, and by e-mail when it matters)."""

    class Kind(models.TextChoices):
        ASSIGNMENT = "assignment", "Assigned to you"
        DUE = "due", "Falls due"
        QUESTIONNAIRE = "questionnaire", "Partner questionnaire"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="notifications", verbose_name="recipient")
    organisation = models.ForeignKey("supplychain.Organisation", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name="organisation")
    kind = models.CharField("kind", max_length=16, choices=Kind)
    title = models.CharField("title", max_length=250)
    body = models.TextField("text", blank=True)
    url = models.CharField("link", max_length=500, blank=True)
    # Idempotency: one notification per recipient and key (e.g. "capa-owner:12:7").
    key = models.CharField("key", max_length=120)
    created_at = models.DateTimeField("created", default=timezone.now)
    read_at = models.DateTimeField("read", null=True, blank=True)
    emailed_at = models.DateTimeField("e-mailed", null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(fields=("recipient", "key"),
                                    name="notifications_notification_unique_key",
                                    violation_error_message="This person was told already."),
        ]

    def __str__(self):
        return self.title


class Preference(models.Model):
    """How one person wants to be told; the defaults apply until they change them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name="person")
    daily_digest = models.BooleanField(
        "daily digest", default=True,
        help_text="One e-mail a day listing what falls due for you (only when something does).")
    immediate_assignments = models.BooleanField(
        "immediate e-mail for assignments", default=True,
        help_text="An e-mail as soon as a corrective action is assigned to you.")
    updated_at = models.DateTimeField("updated", default=timezone.now)

    class Meta:
        verbose_name = "notification preference"

    def __str__(self):
        return f"Notification preferences of {self.user}"


class DigestRun(models.Model):
    """The daily digest of one person on one day: written before the e-mail goes out, so a
    second run the same day sends nothing (the unique constraint is the guard)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="digest_runs", verbose_name="person")
    day = models.DateField("day")
    items = models.PositiveIntegerField("items", default=0)
    sent_at = models.DateTimeField("sent", null=True, blank=True)

    class Meta:
        ordering = ("-day",)
        constraints = [
            models.UniqueConstraint(fields=("user", "day"),
                                    name="notifications_digest_once_a_day",
                                    violation_error_message="One digest per person per day."),
        ]

    def __str__(self):
        return f"Digest for {self.user} on {self.day:%Y-%m-%d}"
