"""Register declarations of the risk app: matrices, assessments and their parts, the risk
register (ratings), countermeasures and risk acceptances."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel, add_register

from . import filtersets, forms, models, services
from .api import serializers
from .api.viewsets import RiskAcceptanceViewSet, SecurityAssessmentViewSet

GROUP = "Risk"


@add_register
class RiskMatrixRegister(Register):
    model = models.RiskMatrix
    url_prefix = "matrices"
    menu_group = GROUP
    columns = ("name", "acceptance_level", "threat_level_changed_on", "frozen")
    filterset_class = filtersets.RiskMatrixFilterSet
    form_class = forms.RiskMatrixForm
    form_fields = ("name", "acceptance_level", "threat_level_changed_on", "threat_level_note")
    # The acceptance level (a code) and the scales, categories and grid (JSON) are shown by
    # name in matrix_detail.html; the API keeps the raw definition.
    detail_fields = ("name", "threat_level_changed_on", "threat_level_note", "frozen",
                     "source_urn")
    detail_template = "risk/matrix_detail.html"
    can_import = False
    serializer_class = serializers.RiskMatrixSerializer

    def after_save(self, user, obj, created):
        """Stored rating levels follow the matrix (every save: UI and API), each change
        ledgered."""
        if not created:
            services.recompute_levels(user, obj)

    def detail_context(self, obj, request):
        from .heatmap import matrix_table
        from .levels import acceptance_authority, authority_name

        return {"matrix_table": matrix_table(obj),
                "acceptance": obj.level_info(obj.acceptance_level),
                "authorities": [(level, authority_name(acceptance_authority(obj, level["ref_id"])))
                                for level in obj.risk_levels]}


@add_register
class SecurityAssessmentRegister(Register):
    model = models.SecurityAssessment
    url_prefix = "assessments"
    viewset_base = SecurityAssessmentViewSet  # adds POST …/complete/
    menu_group = GROUP
    columns = ("title", "status", Column("assessor", sort="assessor__email"), "completed_on",
               "classification")
    filterset_class = filtersets.SecurityAssessmentFilterSet
    form_fields = ("title", "statement", "sites", "legs", "partners", "processes", "matrix",
                   "assessor", "baseline", "classification", "method")
    detail_fields = (*form_fields, "status", "completed_on")
    detail_template = "risk/assessment_detail.html"
    select_related = ("assessor",)
    can_import = False
    serializer_class = serializers.SecurityAssessmentSerializer

    def detail_context(self, obj, request):
        from .views import assessment_context

        return assessment_context(obj, request)


@add_register
class AssessmentMemberRegister(Register):
    model = models.AssessmentMember
    url_prefix = "team"
    menu_group = GROUP
    menu_label = "Assessment teams"
    columns = (Column("user", sort="user__email"), "role_in_team",
               Column("assessment", sort="assessment__title"), "undertaking_signed_on")
    filterset_class = filtersets.AssessmentMemberFilterSet
    form_fields = ("assessment", "user", "role_in_team", "qualifications",
                   "undertaking_signed_on")
    select_related = ("user", "assessment")
    initial_from_query = ("assessment",)
    can_import = False
    serializer_class = serializers.AssessmentMemberSerializer


@add_register
class ExistingMeasureRegister(Register):
    model = models.ExistingMeasure
    url_prefix = "existing-measures"
    menu_group = GROUP
    columns = ("description", "measure_type", Column("target_label", label="target",
                                                     sort=None),
               Column("assessment", sort="assessment__title"))
    filterset_class = filtersets.ExistingMeasureFilterSet
    form_fields = ("assessment", "site", "leg", "partner", "measure_type", "description")
    select_related = ("assessment", "site", "leg", "partner")
    initial_from_query = ("assessment", "site", "leg", "partner")
    can_import = False
    serializer_class = serializers.ExistingMeasureSerializer


@add_register
class ThreatApplicabilityRegister(Register):
    model = models.ThreatApplicability
    url_prefix = "applicability"
    menu_group = GROUP
    menu_label = "Threat applicability"
    columns = (Column("scenario_label", label="scenario", sort="scenario__order"),
               "applicable", "justification", Column("assessment", sort="assessment__title"))
    filterset_class = filtersets.ThreatApplicabilityFilterSet
    form_fields = ("assessment", "scenario", "custom_scenario", "custom_categories",
                   "applicable", "justification")
    select_related = ("assessment", "scenario")
    initial_from_query = ("assessment",)
    can_import = False
    serializer_class = serializers.ThreatApplicabilitySerializer


@add_register
class RatingRegister(Register):
    model = models.Rating
    url_prefix = "register"
    menu_group = GROUP
    menu_label = "Risk register"
    columns = ("reference", Column("threat", label="threat scenario",
                                   sort="threat__scenario__order"),
               Column("target_label", label="target", sort=None),
               Column("inherent_name", label="inherent level", sort="inherent_rank"),
               "decision",
               Column("residual_name", label="residual level", sort="residual_rank"),
               Column("owner", sort="owner__email"), "reviewed",
               Column("assessment", sort="assessment__title"))
    search_fields = ("reference", "threat__custom_scenario", "threat__scenario__name")
    filterset_class = filtersets.RatingFilterSet
    form_class = forms.RatingForm
    form_fields = ("assessment", "threat", "site", "leg", "partner", "likelihood", "decision",
                   "countermeasures", "residual_likelihood",
                   "residual_consequence", "owner", "reviewed", "notes")
    # Likelihood, consequences (JSON per category), the computed level codes and the appetite
    # flag are shown readably (matrix names, colours) in rating_detail.html's summary, not as
    # raw values; the API keeps the raw values (RatingSerializer).
    detail_fields = tuple(f for f in form_fields if f not in {
        "likelihood", "residual_likelihood", "residual_consequence"})
    detail_template = "risk/rating_detail.html"
    select_related = ("assessment__matrix", "threat__scenario", "site", "leg", "partner",
                      "owner")
    initial_from_query = ("assessment", "threat", "site", "leg", "partner")
    import_fields = ("assessment", "threat", "site", "leg", "partner", "likelihood",
                     "decision", "residual_likelihood", "residual_consequence", "owner", "notes")
    import_required = ("assessment", "threat", "likelihood")
    import_lookups = {"owner": "email", "site": "code"}
    serializer_class = serializers.RatingSerializer

    def detail_context(self, obj, request):
        from .views import rating_context

        return rating_context(obj, request)


@add_register
class CountermeasureRegister(Register):
    model = models.Countermeasure
    url_prefix = "countermeasures"
    menu_group = GROUP
    columns = ("title", "measure_type", "status", Column("owner", sort="owner__email"),
               "due_date", Column("is_overdue", label="overdue", sort=None))
    filterset_class = filtersets.CountermeasureFilterSet
    form_fields = ("title", "measure_type", "description", "status", "owner", "due_date",
                   "cost", "sites", "requirements", "effectiveness_review", "reviewed_on")
    select_related = ("owner",)
    import_fields = ("title", "measure_type", "description", "status", "owner", "due_date",
                     "cost", "sites")
    import_required = ("title", "measure_type", "owner")
    import_lookups = {"owner": "email", "sites": "code"}
    serializer_class = serializers.CountermeasureSerializer


@add_register
class RiskAcceptanceRegister(Register):
    model = models.RiskAcceptance
    url_prefix = "acceptances"
    menu_group = GROUP
    columns = ("reference", Column("rating", sort="rating__reference"),
               Column("accepted_by", sort="accepted_by__email"), "accepted_on",
               "valid_until", Column("is_expired", label="expired", sort=None))
    filterset_class = filtersets.RiskAcceptanceFilterSet
    form_class = forms.RiskAcceptanceForm
    form_fields = ("rating", "justification", "conditions", "valid_until")
    detail_fields = (*form_fields, "accepted_by", "accepted_on")
    select_related = ("rating", "accepted_by")
    initial_from_query = ("rating",)
    # An acceptance is a person's act: recorded in the UI or the API (as the token's owner)
    # through services.save_acceptance, never imported in bulk.
    can_import = False
    viewset_base = RiskAcceptanceViewSet
    serializer_class = serializers.RiskAcceptanceSerializer


SecurityAssessmentRegister.related_panels = (
    RelatedPanel("Team", AssessmentMemberRegister, "assessment", add_field="assessment"),
    RelatedPanel("Threat applicability", ThreatApplicabilityRegister, "assessment",
                 add_field="assessment"),
    RelatedPanel("Existing measures", ExistingMeasureRegister, "assessment",
                 add_field="assessment"),
    RelatedPanel("Ratings", RatingRegister, "assessment", add_field="assessment"),
)
RatingRegister.related_panels = (
    RelatedPanel("Countermeasures", CountermeasureRegister, "ratings", add_field=None),
    RelatedPanel("Risk acceptances", RiskAcceptanceRegister, "rating", add_field="rating"),
)
CountermeasureRegister.related_panels = (
    RelatedPanel("Ratings treated", RatingRegister, "countermeasures"),
)
