"""Awareness (ISO 28000 7.3): campaigns of material people must read by a date."""


from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core.models import PrimaryModel

from .common import _same_organisation
from .staff import SecurityRole


class AwarenessCampaign(PrimaryModel):
    """ISO 28000 7.3 — an awareness campaign: a topic, the material people must read (a
    controlled document, acknowledged through the documents' read-and-understood mechanism),
    the audience by security role and site, and the date by which they must have read it."""

    reference_prefix = "AWR"

    topic = models.CharField("topic", max_length=200)
    messages = models.TextField("key messages", blank=True,
                                help_text="What everybody must take away.")
    material = models.ForeignKey("documents.Document", on_delete=models.PROTECT,
                                 related_name="awareness_campaigns", verbose_name="material",
                                 help_text="Its approved version is what people acknowledge.")
    audience_roles = models.ManyToManyField(
        SecurityRole, blank=True, related_name="awareness_campaigns",
        verbose_name="audience (security roles)",
        help_text="Leave empty for everybody at the chosen sites.")
    sites = models.ManyToManyField(
        "supplychain.Site", blank=True, related_name="awareness_campaigns",
        verbose_name="sites", help_text="Leave empty for the whole organisation.")
    starts_on = models.DateField("starts on", default=timezone.localdate)
    due_on = models.DateField("to be acknowledged by")

    class Meta:
        ordering = ("-due_on", "pk")
        verbose_name = "awareness campaign"

    def __str__(self):
        return self.topic

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("material",))
        if self.due_on and self.starts_on and self.due_on < self.starts_on:
            errors["due_on"] = "A campaign cannot be due before it starts."
        if errors:
            raise ValidationError(errors)
