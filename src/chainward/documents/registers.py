"""Register declarations of evidence, controlled documents and their versions."""

from django.db.models import Prefetch

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel, add_register
from chainward.ledger.events import record_event

from . import filtersets, forms, models, services
from .api.serializers import DocumentSerializer, DocumentVersionSerializer, EvidenceSerializer
from .choices import VersionStatus


@add_register
class EvidenceRegister(Register):
    model = models.Evidence
    url_prefix = "evidence"
    menu_group = "Compliance"
    columns = ("title", "kind", "valid_until", Column("is_expired", label="expired"))
    filterset_class = filtersets.EvidenceFilterSet
    form_class = forms.EvidenceForm
    form_fields = ("title", "kind", "link", "document_version", "description", "valid_until")
    detail_fields = ("title", "kind", "link", "document_version", "description", "valid_until",
                     "filename", "size", "sha256")
    detail_template = "documents/evidence_detail.html"
    import_fields = ("title", "kind", "link", "description", "valid_until")
    import_required = ("title",)
    serializer_class = EvidenceSerializer

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
    form_fields = ("title", "doc_type", "owner", "sites", "classification", "review_months",
                   "retention_years", "description", "acknowledgement_roles",
                   "acknowledgement_users")
    detail_template = "documents/document_detail.html"
    select_related = ("owner",)
    can_import = False
    serializer_class = DocumentSerializer

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
    form_fields = ("change_summary",)
    detail_fields = ("document", "number", "status", "change_summary", "filename", "size",
                     "sha256", "author", "approver", "approved_at")
    detail_template = "documents/version_detail.html"
    select_related = ("document", "author")
    can_add = False
    can_import = False
    api_can_add = False
    serializer_class = DocumentVersionSerializer

    def detail_context(self, obj, request):
        user = request.user
        return {
            "can_submit": obj.status == VersionStatus.DRAFT and user.has_perm(
                "documents.change_documentversion", obj),
            "can_approve": obj.status == VersionStatus.IN_REVIEW and obj.author_id != user.pk
            and user.has_perm("documents.approve_documentversion", obj),
            "can_withdraw": obj.status == VersionStatus.APPROVED and user.has_perm(
                "documents.approve_documentversion", obj),
            "acknowledged": obj.acknowledgements.filter(user=user).exists(),
        }


DocumentRegister.related_panels = (
    RelatedPanel("Versions", DocumentVersionRegister, "document"),
)
