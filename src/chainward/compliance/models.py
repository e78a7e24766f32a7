"""Gap assessments: one status per assessable requirement of a framework, with evidence."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register

from .choices import AssessmentStatus, ComplianceStatus


class GapAssessment(PrimaryModel):
    """Seed step 1 (gap analysis): where the organisation stands against one framework."""

    reference_prefix = "GAP"

    title = models.CharField("title", max_length=200)
    framework = models.ForeignKey("library.Framework", on_delete=models.PROTECT,
                                  related_name="assessments", verbose_name="framework")
    all_sites = models.BooleanField("whole organisation", default=True)
    sites = models.ManyToManyField("supplychain.Site", blank=True, related_name="assessments",
                                   verbose_name="sites in scope")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="gap_assessments",
                                 verbose_name="assessor")
    start_date = models.DateField("start", null=True, blank=True)
    end_date = models.DateField("end", null=True, blank=True)
    status = models.CharField("status", max_length=12, choices=AssessmentStatus,
                              default=AssessmentStatus.DRAFT)
    baseline = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="followers", verbose_name="baseline",
                                 editable=False)
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("-start_date", "title")
        verbose_name = "gap assessment"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end is before the start."})


class RequirementStatus(PrimaryModel):
    """Where one requirement stands in one assessment, and what proves it."""

    reference_prefix = "RQS"

    assessment = models.ForeignKey(GapAssessment, on_delete=models.PROTECT,
                                   related_name="statuses", verbose_name="assessment")
    requirement = models.ForeignKey("library.Requirement", on_delete=models.PROTECT,
                                    related_name="statuses", verbose_name="requirement")
    status = models.CharField("status", max_length=16, choices=ComplianceStatus,
                              default=ComplianceStatus.NOT_ASSESSED)
    justification = models.TextField(
        "justification", blank=True, help_text="Why the requirement does not apply.")
    notes = models.TextField("notes", blank=True)
    evidence = models.ManyToManyField("documents.Evidence", blank=True,
                                      related_name="requirement_statuses",
                                      verbose_name="evidence")
    to_reconfirm = models.BooleanField(
        "to re-confirm", default=False, editable=False,
        help_text="Carried over from the baseline assessment; confirm or change it.")

    class Meta:
        ordering = ("assessment", "requirement__order")
        verbose_name = "requirement status"
        verbose_name_plural = "requirement statuses"
        constraints = [
            models.UniqueConstraint(fields=("assessment", "requirement"),
                                    name="compliance_status_once_per_requirement",
                                    violation_error_message="This requirement already has a "
                                    "status in this assessment."),
        ]

    def __str__(self):
        return f"{self.requirement.ref_id} — {self.get_status_display()}"

    def clean(self):
        super().clean()
        if self.assessment_id:
            from .services import check_status

            check_status(self)


# An assessment is at its sites unless it covers the whole organisation; statuses follow it.
register(GapAssessment, site_paths=("sites",), organisation_wide_flag="all_sites",
         roles=roles.matrix(officer=roles.READ_EXPORT))
register(RequirementStatus, site_paths=("assessment__sites",),
         organisation_wide_flag="assessment__all_sites",
         roles=roles.matrix(officer=roles.READ_EXPORT, manager=roles.EDIT))
