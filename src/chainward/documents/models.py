"""Evidence: what proves a requirement is met — a link, a reference to another record, later a
controlled document version or an uploaded file (ISO 28000 7.5).
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from chainward.access import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register


class EvidenceKind(models.TextChoices):
    LINK = "link", "Link (intranet, DMS, shared drive)"
    RECORD = "record", "Another Chainward record"
    NOTE = "note", "Description of where it is kept"


class Evidence(PrimaryModel):
    """A piece of evidence; the same evidence can support requirements of several frameworks."""

    reference_prefix = "EVD"

    title = models.CharField("title", max_length=200)
    kind = models.CharField("kind", max_length=10, choices=EvidenceKind,
                            default=EvidenceKind.LINK)
    link = models.URLField("link", max_length=500, blank=True)
    description = models.TextField("description", blank=True)
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="record type")
    record_id = models.PositiveBigIntegerField("record id", null=True, blank=True)
    record = GenericForeignKey("record_type", "record_id")
    valid_until = models.DateField(
        "valid until", null=True, blank=True,
        help_text="Expired evidence no longer counts toward readiness.")

    class Meta:
        ordering = ("title",)
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.title

    @property
    def is_expired(self) -> bool:
        """True once the last valid day has passed."""
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.kind == EvidenceKind.LINK and not self.link:
            raise ValidationError({"link": "A link needs its address."})
        if self.kind == EvidenceKind.NOTE and not self.description:
            raise ValidationError({"description": "Say where the evidence is kept."})


register(Evidence, roles=roles.matrix(officer=roles.EDIT, contributor=roles.EDIT))
