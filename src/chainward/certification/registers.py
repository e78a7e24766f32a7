"""Register declarations of the certification app: management reviews and their actions,
certification bodies, certificates, cycle milestones and evidence packs."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel, without
from chainward.core.registry import add_register

from . import filtersets, forms, models
from .api import serializers
from .api.viewsets import ManagementReviewViewSet

GROUP = "Certification"


@add_register
class ManagementReviewRegister(Register):
    model = models.ManagementReview
    url_prefix = "reviews"
    menu_group = GROUP
    columns = ("title", "date", "status", Column("chair", sort="chair__email"))
    filterset_class = filtersets.ManagementReviewFilterSet
    form_class = forms.MembersForm
    viewset_base = ManagementReviewViewSet  # POST …/compile/, …/held/, …/approve-minutes/
    fields = ("title", "date", "chair", "attendees", "external_attendees", "status",
              "decisions", "minutes", "snapshot", "compiled_at", "compiled_by",
              "minutes_approved_by", "minutes_approved_at")
    # Set by compiling the inputs and approving the minutes (services), never typed in.
    read_only_fields = ("status", "snapshot", "compiled_at", "compiled_by",
                        "minutes_approved_by", "minutes_approved_at")
    # Decisions, minutes and the compiled inputs are the page's own sections
    # (review_detail.html); the status is shown near the top.
    detail_fields = ("title", "date", "status", "chair", "attendees", "external_attendees",
                     "compiled_at", "compiled_by", "minutes_approved_by", "minutes_approved_at")
    detail_template = "certification/review_detail.html"
    select_related = ("chair",)
    prefetch_related = ("attendees",)
    # Not an import column (as before): the attendees, people of the organisation chosen on
    # the form; a file names them in external_attendees.
    import_fields = without(fields, "attendees", *read_only_fields)
    import_required = ("title", "date", "chair")
    import_lookups = {"chair": "email"}

    def detail_context(self, obj, request):
        from .views import review_context

        return review_context(obj, request)


@add_register
class ReviewActionRegister(Register):
    model = models.ReviewAction
    url_prefix = "review-actions"
    menu_group = GROUP
    columns = ("description", Column("review", sort="review__date"),
               Column("owner", sort="owner__email"), "due_date", "status", "done_on",
               Column("overdue", label="overdue"))
    filterset_class = filtersets.ReviewActionFilterSet
    form_class = forms.MembersForm
    fields = ("review", "description", "owner", "due_date", "status", "done_on")
    select_related = ("review", "owner")
    import_required = ("review", "description", "owner", "due_date")
    import_lookups = {"owner": "email"}
    serializer_class = serializers.OverdueSerializer  # adds overdue


@add_register
class CertificationBodyRegister(Register):
    model = models.CertificationBody
    url_prefix = "bodies"
    menu_group = GROUP
    columns = ("name", "accreditation_body", "accreditation_number")
    filterset_class = filtersets.CertificationBodyFilterSet
    fields = ("name", "accreditation_body", "accreditation_number", "contact")
    import_required = ("name",)


@add_register
class CertificateRegister(Register):
    model = models.Certificate
    url_prefix = "certificates"
    menu_group = GROUP
    columns = ("number", Column("framework", sort="framework__name"),
               Column("body", sort="body__name"), "issued_on", "expires_on", "status")
    filterset_class = filtersets.CertificateFilterSet
    form_class = forms.CertificateForm
    fields = ("body", "number", "framework", "scope", "sites", "issued_on", "expires_on",
              "status")
    detail_template = "certification/certificate_detail.html"
    select_related = ("framework", "body")
    prefetch_related = ("sites",)
    can_import = False
    serializer_class = serializers.CertificateSerializer  # frameworks offered


@add_register
class CycleMilestoneRegister(Register):
    model = models.CycleMilestone
    url_prefix = "milestones"
    menu_group = GROUP
    columns = ("kind", Column("certificate", sort="certificate__number"), "due_date", "done_on",
               Column("overdue", label="overdue"))
    export_columns = ("reference", "kind", "certificate", "due_date", "done_on", "notes")
    filterset_class = filtersets.CycleMilestoneFilterSet
    fields = ("certificate", "kind", "due_date", "done_on", "notes")
    select_related = ("certificate", "certificate__framework")
    can_import = False
    serializer_class = serializers.OverdueSerializer  # adds overdue


@add_register
class EvidencePackRegister(Register):
    model = models.EvidencePack
    url_prefix = "evidence-packs"
    menu_group = GROUP
    columns = ("reference", Column("framework", sort="framework__name"), "status",
               Column("produced_by", sort="produced_by__email"), "produced_at",
               "producer_scope")
    filterset_class = filtersets.EvidencePackFilterSet
    fields = ("framework", "status", "produced_by", "produced_at", "producer_scope", "size",
              "sha256", "index", "error")
    read_only_fields = fields  # produced by the pack job (evidence_pack.py), never entered
    # Status, production time, size, digest and error are in the summary, which updates
    # itself while the pack is being prepared (pack_detail.html).
    detail_fields = ("framework", "produced_by", "producer_scope")
    detail_template = "certification/pack_detail.html"
    select_related = ("framework", "produced_by")
    can_add = False
    # Produced by the pack job, so the list offers the request page rather than a form (issue
    # 13 item 8: packs from where people look for them, no certificate needed).
    list_links = (("Produce an evidence pack", "certification:pack_request",
                   "certification.pack_evidencepack"),)
    can_import = False
    api_can_add = False

    def detail_context(self, obj, request):
        from .views import pack_context

        return pack_context(obj, request)


ManagementReviewRegister.related_panels = (
    RelatedPanel("Actions from this review", ReviewActionRegister, "review", add_field="review"),
)
CertificationBodyRegister.related_panels = (
    RelatedPanel("Certificates", CertificateRegister, "body", add_field="body"),
)
CertificateRegister.related_panels = (
    RelatedPanel("Certification cycle", CycleMilestoneRegister, "certificate",
                 add_field="certificate"),
)
