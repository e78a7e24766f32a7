"""Register declarations of gap assessments and requirement statuses."""

from chainward.core.columns import Column
from chainward.core.register import RECORD_FIELDS, Register, without
from chainward.core.registry import add_register

from . import filtersets, forms, models, services
from .api.serializers import GapAssessmentSerializer, RequirementStatusSerializer
from .api.viewsets import RequirementStatusViewSet
from .readiness import readiness

# As before, the compliance API does not list the created/updated stamps.
NO_TIMESTAMPS = without(RECORD_FIELDS, "created_at", "updated_at")


@add_register
class GapAssessmentRegister(Register):
    model = models.GapAssessment
    url_prefix = "assessments"
    menu_group = "Compliance"
    menu_label = "Gap assessments"
    columns = ("title", Column("framework", sort="framework__name"), "status", "start_date",
               Column("assessor", sort="assessor__email"))
    filterset_class = filtersets.GapAssessmentFilterSet
    form_class = forms.GapAssessmentForm
    fields = ("title", "framework", "all_sites", "sites", "assessor", "start_date", "end_date",
              "status", "baseline", "notes")
    read_only_fields = ("baseline",)  # set by a re-assessment (services), never chosen
    api_record_fields = NO_TIMESTAMPS
    detail_template = "compliance/assessment_detail.html"
    select_related = ("framework", "assessor")
    can_import = False
    serializer_class = GapAssessmentSerializer  # adds readiness; frameworks offered

    def detail_context(self, obj, request):
        return {"readiness": readiness(obj)}

    def after_save(self, user, obj, created):
        """A new assessment lists every assessable requirement of its framework."""
        if created:
            services.populate_statuses(user, obj)


@add_register
class RequirementStatusRegister(Register):
    model = models.RequirementStatus
    url_prefix = "statuses"
    menu_group = "Compliance"
    menu_label = "Requirement statuses"
    columns = (Column("requirement", sort="requirement__order"),
               Column("assessment", sort="assessment__title"), "status", "to_reconfirm")
    filterset_class = filtersets.RequirementStatusFilterSet
    fields = ("assessment", "requirement", "status", "justification", "notes", "evidence",
              "to_reconfirm")
    # A status row is made for each requirement when its assessment starts; "to reconfirm"
    # is set by a re-assessment; evidence is attached through one service
    # (`services.attach_evidence`: the work page's dialog, "Attach" on this page, POST
    # …/evidence/ in the API), which checks what the person may see.
    read_only_fields = ("assessment", "requirement", "evidence", "to_reconfirm")
    # The page lists the evidence in its evidence card, by the one definition
    # (`compliance.evidence`, which also counts older generic links).
    detail_fields = without(fields, "evidence")
    api_record_fields = NO_TIMESTAMPS
    select_related = ("requirement", "assessment")
    form_class = forms.RequirementStatusForm
    can_add = False
    can_import = False
    serializer_class = RequirementStatusSerializer  # adds requirement_ref
    viewset_base = RequirementStatusViewSet  # POST …/evidence/: attach evidence

    def after_save(self, user, obj, created):
        """Not applicable only where the framework allows exclusions (every path)."""
        services.check_status(obj)
