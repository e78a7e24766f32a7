"""Evidence: what proves a requirement is met — a link, a reference to another record, later a
controlled document version or an uploaded file (ISO 28000 7.5).
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import ExpiryMixin, PrimaryModel
from chainward.core.registry import register
from chainward.core.versioning import FrozenVersion, VersionedRecord

from .choices import Classification, DocumentType, VersionStatus

# FrozenVersion (core.versioning) is what a refused change of a version raises.
__all__ = ["Acknowledgement", "Document", "DocumentVersion", "Evidence", "EvidenceKind",
           "EvidenceLink", "FrozenVersion"]


class EvidenceKind(models.TextChoices):
    FILE = "file", "Uploaded file"
    LINK = "link", "Link (intranet, DMS, shared drive)"
    DOCUMENT = "document", "Controlled document version"
    RECORD = "record", "Another Chainward record"
    NOTE = "note", "Description of where it is kept"


class Evidence(ExpiryMixin, PrimaryModel):
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
    document_version = models.ForeignKey(
        "documents.DocumentVersion", on_delete=models.PROTECT, null=True, blank=True,
        related_name="evidence", verbose_name="document version",
        help_text="An approved version of a controlled document.")
    valid_until = models.DateField(
        "valid until", null=True, blank=True,
        help_text="Expired evidence no longer counts toward readiness.")
    file = models.CharField("stored file", max_length=300, blank=True, editable=False)
    filename = models.CharField("file name", max_length=200, blank=True, editable=False)
    content_type = models.CharField("content type", max_length=100, blank=True, editable=False)
    size = models.PositiveBigIntegerField("size", null=True, blank=True, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ("title",)
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.title


    def clean(self):
        super().clean()
        if self.kind == EvidenceKind.LINK and not self.link:
            raise ValidationError({"link": "A link needs its address."})
        if self.kind == EvidenceKind.FILE and not self.file and not getattr(
                self, "_upload_pending", False):
            raise ValidationError({"kind": "Upload the file, or choose another kind."})
        if self.kind == EvidenceKind.NOTE and not self.description:
            raise ValidationError({"description": "Say where the evidence is kept."})
        if self.kind == EvidenceKind.DOCUMENT:
            version = self.document_version if self.document_version_id else None
            if version is None:
                raise ValidationError({"document_version": "Choose the document version."})
            if self.organisation_id and version.organisation_id != self.organisation_id:
                raise ValidationError({"document_version": "Choose a document of this "
                                                           "organisation."})


class EvidenceLink(models.Model):
    """Evidence held by any record (a site, a partner, a finding…): many-to-many, generic."""

    organisation = models.ForeignKey("supplychain.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="links")
    holder_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    holder_id = models.PositiveBigIntegerField()
    holder = GenericForeignKey("holder_type", "holder_id")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("evidence", "holder_type", "holder_id"),
                                    name="documents_evidence_link_once",
                                    violation_error_message="Already attached."),
        ]
        indexes = [models.Index(fields=("holder_type", "holder_id"),
                                name="documents_evidence_holder")]

    def __str__(self):
        return f"{self.evidence} → {self.holder_type.model} #{self.holder_id}"


class Document(PrimaryModel):
    """ISO 28000 7.5 — a controlled document: policy, procedure, work instruction, form…"""

    reference_prefix = "DOC"

    title = models.CharField("title", max_length=200)
    doc_type = models.CharField("type", max_length=20, choices=DocumentType)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="owned_documents", verbose_name="owner")
    sites = models.ManyToManyField(
        "supplychain.Site", blank=True, related_name="documents", verbose_name="applies to",
        help_text="Leave empty when the document applies to the whole organisation.")
    classification = models.CharField("classification", max_length=12, choices=Classification,
                                      default=Classification.INTERNAL)
    review_months = models.PositiveSmallIntegerField("review every (months)", default=12)
    retention_years = models.PositiveSmallIntegerField("keep for (years)", default=3)
    description = models.TextField("description", blank=True)
    acknowledgement_roles = models.ManyToManyField(
        "access.Role", blank=True, related_name="+", verbose_name="to be acknowledged by roles",
        help_text="People holding these roles must confirm they read and understood it.")
    acknowledgement_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+",
        verbose_name="to be acknowledged by people")

    class Meta:
        ordering = ("reference",)

    def __str__(self):
        return f"{self.reference} {self.title}".strip()

    def current_version(self):
        """The approved version in force, if any."""
        return self.versions.filter(status=VersionStatus.APPROVED).order_by("-number").first()

    @property
    def current(self):
        """The approved version, from the list prefetch when there is one."""
        if hasattr(self, "approved_versions"):
            return self.approved_versions[0] if self.approved_versions else None
        return self.current_version()


class DocumentVersion(VersionedRecord, PrimaryModel):
    """One version of a document: draft → in review → approved → superseded (or obsolete), or
    returned to its author by the reviewer (`core.versioning`).

    An approved version is frozen: its file and texts can never change again, through any path.
    """

    reference_prefix = "DV"
    parent_field = "document"
    content_fields = ("change_summary", "file", "filename", "content_type", "size", "sha256",
                      "text")
    review_steps = ("submit", "approve", "return", "withdraw")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name="document")
    change_summary = models.TextField("what changed", blank=True)
    file = models.CharField("stored file", max_length=300, blank=True, editable=False)
    filename = models.CharField("file name", max_length=200, blank=True, editable=False)
    content_type = models.CharField("content type", max_length=100, blank=True, editable=False)
    size = models.PositiveBigIntegerField("size", null=True, blank=True, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False)
    text = models.TextField("text (for search)", blank=True, editable=False)

    class Meta:
        ordering = ("document", "-number")
        verbose_name = "document version"
        constraints = [
            models.UniqueConstraint(fields=("document", "number"),
                                    name="documents_version_number_unique",
                                    violation_error_message="This version number exists."),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"

    def review_details(self):
        """The approval names the file it approved by its hash."""
        return {**super().review_details(), "sha256": self.sha256}

    @property
    def next_review(self):
        """When the approved version is due for review."""
        if self.approved_at is None:
            return None
        months = self.document.review_months
        approved = self.approved_at.date()
        year, month = divmod(approved.month - 1 + months, 12)
        day = min(approved.day, 28)
        return datetime.date(approved.year + year, month + 1, day)

    @property
    def review_overdue(self) -> bool:
        """True when an approved version is past its review date."""
        due = self.next_review
        return self.status == VersionStatus.APPROVED and due is not None and \
            due < timezone.localdate()


class Acknowledgement(models.Model):
    """"Read and understood" — one person, one approved version (a new version resets it)."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT,
                                related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("version", "user"),
                                    name="documents_ack_once",
                                    violation_error_message="Already acknowledged."),
        ]

    def __str__(self):
        return f"{self.user} read {self.version}"


register(Evidence, roles=roles.matrix(officer=roles.EDIT, contributor=roles.EDIT))
register(Document, site_paths=("sites",), siteless_is_organisation_wide=True,
         actions=("approve",),
         roles=roles.matrix(manager=(*roles.FULL, "approve"), officer=roles.READ_EXPORT,
                            top=("view", "export", "approve"), contributor=roles.EDIT))
register(DocumentVersion, site_paths=("document__sites",), siteless_is_organisation_wide=True,
         actions=("approve",),
         roles=roles.matrix(manager=(*roles.FULL, "approve"), officer=roles.READ_EXPORT,
                            top=("view", "export", "approve"), contributor=roles.EDIT))
