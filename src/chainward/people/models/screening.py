"""Screening and conduct: personnel screening (C-TPAT 11.x, AEO 6.12) and the
acknowledgements of the code of conduct."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from chainward.context.models import add_months
from chainward.core.models import PrimaryModel
from chainward.people.choices import ScreeningResult

from .common import SiteFromParent, _same_organisation
from .staff import Person


class ScreeningRecord(SiteFromParent, PrimaryModel):
    """C-TPAT 11.x, AEO 6.12 — that a person in a security-sensitive role was screened: when,
    by whom, the outcome as pass or refer only, and when the check is due again. No details of
    the check are kept here (data minimisation); the lawful basis is stated on every record and
    the record is kept only for a period after the person leaves."""

    reference_prefix = "SCR"

    # The person's home site, copied (a direct scope column); declared before the person.
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name="site", editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="screening_records", verbose_name="person")
    checked_on = models.DateField("checked on")
    checked_by = models.CharField("checked by", max_length=200,
                                  help_text="Who carried out the check (HR, an accredited "
                                            "provider…); the details stay with them.")
    result = models.CharField("result", max_length=10, choices=ScreeningResult)
    next_due = models.DateField("next check due", null=True, blank=True)
    lawful_basis = models.TextField(
        "lawful basis", help_text="Why this check may be made and recorded, e.g. the "
        "national law on regulated agents or Art. 6(1)(c) GDPR with the AEO rules.")
    retention_months = models.PositiveSmallIntegerField(
        "keep after the person leaves (months)", default=12,
        validators=[MinValueValidator(0), MaxValueValidator(120)])

    class Meta:
        ordering = ("-checked_on", "-pk")
        verbose_name = "screening record"

    def __str__(self):
        return f"{self.person} — screening {self.checked_on:%Y-%m-%d}" \
            if self.person_id and self.checked_on else self.reference


    @property
    def erase_after(self) -> datetime.date | None:
        """The day after which the record is no longer kept (None while the person stays)."""
        if not self.person_id or self.person.left_on is None:
            return None
        return add_months(self.person.left_on, self.retention_months)

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("person",))
        if self.checked_on and self.checked_on > timezone.localdate():
            errors["checked_on"] = "Record a screening once it has been carried out."
        if self.next_due and self.checked_on and self.next_due <= self.checked_on:
            errors["next_due"] = "The next check falls after this one."
        if errors:
            raise ValidationError(errors)


class ConductAcknowledgement(SiteFromParent, PrimaryModel):
    """C-TPAT 11.x (employee code of conduct), AEO 6.12 — that a person acknowledged the
    organisation's code of conduct: the controlled document, the approved version in force on
    the day (derived, never typed: a new version asks again), and the signed form as evidence.
    For staff without an account; people who log in can also acknowledge the document through
    the documents' read-and-understood mechanism."""

    reference_prefix = "COC"

    # The person's home site, copied (a direct scope column); declared before the person.
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name="site", editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="conduct_acknowledgements", verbose_name="person")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT,
        related_name="conduct_acknowledgements", verbose_name="code of conduct",
        help_text="The controlled document; the version approved on the day is recorded.")
    document_version = models.ForeignKey(
        "documents.DocumentVersion", on_delete=models.PROTECT, null=True, blank=True,
        related_name="conduct_acknowledgements", verbose_name="version acknowledged",
        editable=False, help_text="The approved version in force on the day (derived).")
    acknowledged_on = models.DateField("acknowledged on", default=timezone.localdate)
    signed_form = models.ForeignKey("documents.Evidence", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="conduct_acknowledgements",
                                    verbose_name="signed form (evidence)")
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("-acknowledged_on", "-pk")
        verbose_name = "code-of-conduct acknowledgement"
        constraints = [
            models.UniqueConstraint(fields=("person", "document_version"),
                                    name="people_conduct_once",
                                    violation_error_message="This person's acknowledgement of "
                                    "this version is already recorded."),
        ]

    def __str__(self):
        return f"{self.person} — {self.document}" if self.person_id and self.document_id \
            else self.reference

    def version_in_force(self):
        """The document's latest version approved on or before the acknowledgement day."""
        from chainward.documents.models import DocumentVersion

        if not self.document_id or not self.acknowledged_on:
            return None
        return DocumentVersion.objects.filter(
            document_id=self.document_id, approved_at__isnull=False,
            approved_at__date__lte=self.acknowledged_on).order_by("-number").first()

    def save(self, *args, **kwargs):
        self.document_version = self.version_in_force()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("person", "document", "signed_form"))
        if self.acknowledged_on and self.acknowledged_on > timezone.localdate():
            errors["acknowledged_on"] = "Record an acknowledgement once it has been given."
        if self.person_id and self.person.left_on and self.acknowledged_on and \
                self.acknowledged_on > self.person.left_on:
            errors["person"] = f"{self.person} left on {self.person.left_on:%Y-%m-%d}."
        if "document" not in errors and "acknowledged_on" not in errors and \
                self.document_id and self.acknowledged_on:
            self.document_version = self.version_in_force()
            if self.document_version is None:
                errors["document"] = ("No version of this document was approved by that day: "
                                      "approve the code of conduct before recording "
                                      "acknowledgements of it.")
        if errors:
            raise ValidationError(errors)
