"""Register declarations of evidence, controlled documents and their versions."""

from django.db.models import Prefetch

from chainward.core.columns import Column
from chainward.core.register import RECORD_FIELDS, Register, RelatedPanel, without
from chainward.core.registry import add_register
from chainward.core.versioning import review_context
from chainward.core.versioning_views import VersionViewSet
from chainward.ledger.events import record_event

from . import filtersets, forms, models, services
from .api.serializers import EvidenceSerializer
from .choices import VersionStatus

# As before, the documents API does not list the created/updated stamps.
NO_TIMESTAMPS = without(RECORD_FIELDS, "created_at", "updated_at")


@add_register
class EvidenceRegister(Register):
    model = models.Evidence
    url_prefix = "evidence"
    menu_group = "Compliance"
    columns = ("title", "kind", "valid_until", Column("is_expired", label="expired"))
    filterset_class = filtersets.EvidenceFilterSet
    form_class = forms.EvidenceForm
    fields = ("title", "kind", "link", "document_version", "description", "valid_until",
              "filename", "size", "sha256")
    read_only_fields = ("filename", "size", "sha256")  # from the checked upload (EvidenceForm)
    # The API takes a file as `upload` (EvidenceSerializer), checked like the form's; as
    # before it leaves out what describes the stored file and the link to a document version
    # (not added yet).
    api_fields = without(fields, "document_version", *read_only_fields)
    serializer_class = EvidenceSerializer
    api_record_fields = NO_TIMESTAMPS
    api_extra_fields = ("is_expired",)
    detail_template = "documents/evidence_detail.html"
    # A document version is chosen by document and number, more than one column can name.
    import_fields = without(fields, "document_version", *read_only_fields)
    import_required = ("title",)

    def after_save(self, user, obj, created):
        """A newly stored file's hash goes into the ledger with the record it belongs to."""
        if getattr(obj, "_new_file", False):
            record_event("file_stored", obj=obj, details={
                "sha256": obj.sha256, "size": obj.size, "name": obj.filename,
                "storage": obj.file})
            obj._new_file = False


@add_register
class DocumentRegister(Register):
    model = models.Document
    url_prefix = "documents"
    menu_group = "Documents"
    menu_label = "Controlled documents"
    columns = ("title", "doc_type", Column("owner", sort="owner__email"), "classification",
               Column("current", label="current version"))
    filterset_class = filtersets.DocumentFilterSet
    fields = ("title", "doc_type", "owner", "sites", "classification", "review_months",
              "retention_years", "description", "acknowledgement_roles", "acknowledgement_users")
    # Who must acknowledge the document is set in the UI only; the API has not offered it
    # (adding it is an API change of its own).
    api_fields = without(fields, "acknowledgement_roles", "acknowledgement_users")
    api_record_fields = NO_TIMESTAMPS
    form_sections = (
        ("Document", ("title", "doc_type", "owner", "sites", "description")),
        ("Control", ("classification", "review_months", "retention_years")),
        ("Who acknowledges it", ("acknowledgement_roles", "acknowledgement_users")),
    )
    detail_template = "documents/document_detail.html"
    select_related = ("owner",)
    can_import = False

    def base_queryset(self):
        approved = models.DocumentVersion.objects.filter(status=VersionStatus.APPROVED)
        return super().base_queryset().prefetch_related(
            Prefetch("versions", queryset=approved, to_attr="approved_versions"))

    def detail_context(self, obj, request):
        current = obj.current_version()
        people = list(services.audience(obj))
        done = set(current.acknowledgements.values_list("user_id", flat=True)) if current \
            else set()
        return {"current": current, "audience": [(p, p.pk in done) for p in people],
                "can_version": request.user.has_perm("documents.change_document", obj)}


@add_register
class DocumentVersionRegister(Register):
    model = models.DocumentVersion
    url_prefix = "versions"
    menu_group = "Documents"
    columns = (Column("document", sort="document__reference"), "number", "status",
               Column("author", sort="author__email"), "approved_at", "filename")
    filterset_class = filtersets.DocumentVersionFilterSet
    fields = ("document", "number", "status", "change_summary", "filename", "content_type",
              "size", "sha256", "author", "approver", "approved_at", "returned_by",
              "returned_at", "return_comment")
    # Everything but the summary comes from the upload or the review steps (core.versioning).
    read_only_fields = without(fields, "change_summary")
    detail_fields = without(fields, "content_type")  # the page offers the file itself
    api_record_fields = NO_TIMESTAMPS
    detail_template = "documents/version_detail.html"
    select_related = ("document", "author", "approver", "returned_by")
    can_add = False
    can_import = False
    api_can_add = False
    viewset_base = VersionViewSet  # POST …/submit/, …/approve/, …/return/ (core.versioning)

    def detail_context(self, obj, request):
        user = request.user
        return {"review": review_context(user, obj),
                "acknowledged": obj.acknowledgements.filter(user=user).exists()}


DocumentRegister.related_panels = (
    RelatedPanel("Versions", DocumentVersionRegister, "document"),
)
