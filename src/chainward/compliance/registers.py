"""Register declarations of gap assessments and requirement statuses."""

from chainward.core.columns import Column
from chainward.core.register import Register, add_register

from . import filtersets, forms, models, services
from .api.serializers import GapAssessmentSerializer, RequirementStatusSerializer
from .readiness import readiness


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
    form_fields = ("title", "framework", "all_sites", "sites", "assessor", "start_date",
                   "end_date", "status", "notes")
    detail_fields = form_fields
    detail_template = "compliance/assessment_detail.html"
    select_related = ("framework", "assessor")
    can_import = False
    serializer_class = GapAssessmentSerializer

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
    form_fields = ("status", "justification", "notes", "evidence")
    detail_fields = ("assessment", "requirement", "status", "justification", "notes",
                     "evidence", "to_reconfirm")
    select_related = ("requirement", "assessment")
    can_add = False
    can_import = False
    serializer_class = RequirementStatusSerializer
