"""Management review (ISO 28000 9.3), the certification cycle (ISO 28003 / ISO/IEC 17021-1 logic,
standards.md §3) and the auditor's evidence pack."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register

from .choices import (
    MILESTONE_ORDER,
    ActionStatus,
    CertificateStatus,
    MilestoneKind,
    PackStatus,
    ReviewStatus,
)


def _members_only(errors, organisation_id, field, user):
    if user is not None and organisation_id and not user.role_assignments.filter(
            organisation_id=organisation_id, archived=False).exists():
        errors[field] = "Choose a person with a role in this organisation."


class ManagementReview(PrimaryModel):
    """ISO 28000 9.3 — top management reviews the security management system.

    The review pack is compiled from the registers (`services.compile_pack`) and stored as a
    snapshot: what management saw on that day, never recomputed.
    """

    reference_prefix = "MR"

    title = models.CharField("title", max_length=200)
    date = models.DateField("meeting date")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="chaired_reviews", verbose_name="chair",
                              help_text="Top management chairs the review.")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                       related_name="attended_reviews",
                                       verbose_name="attendees")
    external_attendees = models.TextField(
        "other attendees", blank=True,
        help_text="People without an account, one per line (name, function).")
    status = models.CharField("status", max_length=10, choices=ReviewStatus,
                              default=ReviewStatus.PLANNED, editable=False)
    decisions = models.TextField(
        "decisions", blank=True,
        help_text="ISO 28000 9.3.3: decisions on improvement and on changes to the system.")
    minutes = models.TextField("minutes", blank=True)
    snapshot = models.JSONField("review pack", default=dict, blank=True, editable=False)
    compiled_at = models.DateTimeField("pack compiled", null=True, blank=True, editable=False)
    compiled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+", editable=False,
                                    verbose_name="pack compiled by")
    minutes_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                            null=True, blank=True, related_name="+",
                                            editable=False, verbose_name="minutes approved by")
    minutes_approved_at = models.DateTimeField("minutes approved", null=True, blank=True,
                                               editable=False)

    class Meta:
        ordering = ("-date", "title")
        verbose_name = "management review"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "title"),
                                    name="certification_review_unique_title",
                                    violation_error_message="A review with this title exists "
                                    "already; give this one a distinct title."),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.chair_id:
            _members_only(errors, self.organisation_id, "chair", self.chair)
        if self.date and self.status in (ReviewStatus.HELD, ReviewStatus.MINUTES_APPROVED):
            # The meeting took place: its date is neither in the future nor before the pack
            # management reviewed was compiled (services.mark_held checks the same).
            if self.date > timezone.localdate():
                errors["date"] = "The review was held: its meeting date cannot be in the future."
            elif self.compiled_at and self.date < timezone.localdate(self.compiled_at):
                errors["date"] = (f"The review pack was compiled on "
                                  f"{timezone.localdate(self.compiled_at):%Y-%m-%d}: the "
                                  "meeting cannot be before that.")
        if errors:
            raise ValidationError(errors)


class ReviewAction(PrimaryModel):
    """An action decided in a management review, tracked until done (ISO 28000 9.3.3)."""

    reference_prefix = "MRA"

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT,
                               related_name="actions", verbose_name="management review")
    description = models.TextField("action")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="review_actions", verbose_name="owner")
    due_date = models.DateField("due date")
    status = models.CharField("status", max_length=6, choices=ActionStatus,
                              default=ActionStatus.OPEN)
    done_on = models.DateField("done on", null=True, blank=True)

    class Meta:
        ordering = ("due_date", "pk")
        verbose_name = "review action"

    def __str__(self):
        return self.description[:80]

    @property
    def overdue(self):
        """Open and past its due date."""
        return self.status == ActionStatus.OPEN and self.due_date < timezone.localdate()

    def clean(self):
        super().clean()
        errors = {}
        if self.review_id and self.organisation_id and \
                self.review.organisation_id != self.organisation_id:
            errors["review"] = "Choose a review of this organisation."
        if self.owner_id:
            _members_only(errors, self.organisation_id, "owner", self.owner)
        if self.status == ActionStatus.DONE and not self.done_on:
            errors["done_on"] = "Give the day the action was done."
        if self.status == ActionStatus.OPEN and self.done_on:
            errors["done_on"] = "An open action has no completion day; set the status to done."
        if self.done_on and self.done_on > timezone.localdate():
            errors["done_on"] = "The completion day cannot be in the future."
        if errors:
            raise ValidationError(errors)


class CertificationBody(PrimaryModel):
    """The accredited body that audits and certifies the system (ISO 28003)."""

    reference_prefix = "CB"

    name = models.CharField("name", max_length=200)
    accreditation_body = models.CharField("accredited by", max_length=200, blank=True,
                                          help_text="e.g. DAkkS, UKAS, COFRAC.")
    accreditation_number = models.CharField("accreditation number", max_length=60, blank=True)
    contact = models.TextField("contact", blank=True,
                               help_text="Lead auditor, e-mail, phone.")

    class Meta:
        ordering = ("name",)
        verbose_name = "certification body"
        verbose_name_plural = "certification bodies"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "name"),
                                    name="certification_body_unique_name",
                                    violation_error_message="This certification body exists "
                                    "already."),
        ]

    def __str__(self):
        return self.name


class Certificate(PrimaryModel):
    """A management-system certificate (usually ISO 28000) with its three-year cycle."""

    reference_prefix = "CRT"

    body = models.ForeignKey(CertificationBody, on_delete=models.PROTECT,
                             related_name="certificates", verbose_name="certification body")
    number = models.CharField("certificate number", max_length=80)
    framework = models.ForeignKey("library.Framework", on_delete=models.PROTECT,
                                  related_name="certificates", verbose_name="standard")
    scope = models.TextField("scope", help_text="The scope wording as on the certificate.")
    sites = models.ManyToManyField("supplychain.Site", blank=True, related_name="certificates",
                                   verbose_name="sites covered",
                                   help_text="Leave empty when it covers the whole "
                                             "organisation.")
    issued_on = models.DateField("issued on", null=True, blank=True,
                                 help_text="The day of the certification decision.")
    expires_on = models.DateField("expires on", null=True, blank=True)
    status = models.CharField("status", max_length=10, choices=CertificateStatus,
                              default=CertificateStatus.PLANNED)

    class Meta:
        ordering = ("-issued_on", "number")
        constraints = [
            models.UniqueConstraint(fields=("organisation", "number"),
                                    name="certification_certificate_unique_number",
                                    violation_error_message="A certificate with this number "
                                    "exists already."),
        ]

    def __str__(self):
        return f"{self.framework.ref_id if self.framework_id else ''} {self.number}".strip()

    def clean(self):
        super().clean()
        errors = {}
        if self.body_id and self.organisation_id and \
                self.body.organisation_id != self.organisation_id:
            errors["body"] = "Choose a certification body of this organisation."
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            errors["expires_on"] = "The certificate must expire after it was issued."
        if self.status == CertificateStatus.ACTIVE and not (self.issued_on and self.expires_on):
            errors["issued_on"] = "An active certificate has an issue and an expiry date."
        if errors:
            raise ValidationError(errors)


class CycleMilestone(PrimaryModel):
    """One step of the certification cycle: stage 1, stage 2, decision, surveillance,
    recertification."""

    reference_prefix = "CYC"

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT,
                                    related_name="milestones", verbose_name="certificate")
    kind = models.CharField("milestone", max_length=16, choices=MilestoneKind)
    due_date = models.DateField("due date")
    done_on = models.DateField("done on", null=True, blank=True)
    notes = models.TextField("notes", blank=True,
                             help_text="Auditor, findings in short, report reference.")

    class Meta:
        ordering = ("certificate", "due_date")
        verbose_name = "cycle milestone"
        constraints = [
            models.UniqueConstraint(fields=("certificate", "kind"),
                                    name="certification_milestone_once",
                                    violation_error_message="This certificate already has "
                                    "this milestone."),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.certificate}"

    @property
    def step(self):
        return MILESTONE_ORDER.index(self.kind)

    @property
    def overdue(self):
        return self.done_on is None and self.due_date < timezone.localdate()

    def clean(self):
        super().clean()
        errors = {}
        if self.certificate_id and self.organisation_id and \
                self.certificate.organisation_id != self.organisation_id:
            errors["certificate"] = "Choose a certificate of this organisation."
        if self.done_on and self.done_on > timezone.localdate():
            errors["done_on"] = "The completion day cannot be in the future."
        if errors:
            raise ValidationError(errors)


class EvidencePack(PrimaryModel):
    """A ZIP for the certification auditor: every requirement of one framework with its status
    and evidence, plus the sections the apps contribute (`chainward.certification.pack`).

    It holds only what its producer could see; `index` is the table of contents (JSON).
    """

    reference_prefix = "EVP"

    framework = models.ForeignKey("library.Framework", on_delete=models.PROTECT,
                                  related_name="evidence_packs", verbose_name="framework")
    status = models.CharField("status", max_length=8, choices=PackStatus,
                              default=PackStatus.QUEUED, editable=False)
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="produced by",
                                    editable=False)
    produced_at = models.DateTimeField("produced", null=True, blank=True, editable=False)
    producer_scope = models.CharField("producer's scope", max_length=300, blank=True,
                                      editable=False)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+", editable=False)
    file = models.CharField("stored file", max_length=300, blank=True, editable=False)
    size = models.PositiveBigIntegerField("size", null=True, blank=True, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False)
    index = models.JSONField("contents", default=dict, blank=True, editable=False)
    error = models.TextField("error", blank=True, editable=False)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "evidence pack"

    def __str__(self):
        return f"{self.reference} {self.framework.ref_id if self.framework_id else ''}".strip()

    @property
    def filename(self):
        return f"{self.reference}-evidence-pack.zip"


# Reviews and their actions are organisation-wide management records; officers and
# contributors read them. The cycle follows the certificate's sites.
register(ManagementReview, roles=roles.matrix(officer=roles.READ_EXPORT,
                                               top=("view", "change", "export"),
                                               contributor=roles.READ))
register(ReviewAction, roles=roles.matrix(officer=roles.READ_EXPORT, contributor=roles.EDIT,
                                          top=("view", "add", "change", "export")))
register(CertificationBody, roles=roles.matrix(officer=roles.READ_EXPORT,
                                                contributor=roles.READ))
register(Certificate, site_paths=("sites",), siteless_is_organisation_wide=True,
         roles=roles.matrix(officer=roles.READ_EXPORT, contributor=roles.READ))
register(CycleMilestone, site_paths=("certificate__sites",), siteless_is_organisation_wide=True,
         roles=roles.matrix(officer=roles.READ_EXPORT, contributor=roles.READ))
# Producing a pack ("pack"; "add" creates its record) is for administrators, security
# managers and internal auditors; packs are never edited.
register(EvidencePack, actions=("pack",),
         roles=roles.matrix(admin=("view", "add", "export", "pack", "delete"),
                            manager=("view", "add", "export", "pack"), officer=roles.NONE,
                            auditor=("view", "add", "export", "pack"), contributor=roles.NONE,
                            viewer=roles.NONE, external=roles.READ, top=roles.READ))
