"""Register declarations of the risk app: matrices, assessments and their parts, processes
(ratable targets), the risk register (ratings), pairs judged not credible, countermeasures and
risk acceptances."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel, without
from chainward.core.registry import add_register

from . import filtersets, forms, models, services
from .api.viewsets import RatingViewSet, RiskAcceptanceViewSet, SecurityAssessmentViewSet

GROUP = "Risk"


def rating_level(name, code):
    """A rating's level (`name` property, `code` field) as (label, colour) of its matrix,
    for `Register.level_badges`: the colours of the heat map (`RiskMatrix.level_info`)."""
    def badge(rating):
        return getattr(rating, name), rating.assessment.matrix.level_info(
            getattr(rating, code))["colour"]
    return badge


@add_register
class RiskMatrixRegister(Register):
    model = models.RiskMatrix
    url_prefix = "matrices"
    menu_group = GROUP
    columns = ("name", "acceptance_level", "threat_level_changed_on", "frozen")
    filterset_class = filtersets.RiskMatrixFilterSet
    form_class = forms.RiskMatrixForm
    fields = ("name", "source_urn", "likelihood_levels", "consequence_levels",
              "consequence_categories", "risk_levels", "grid", "acceptance_level",
              "threat_level_changed_on", "threat_level_note", "frozen")
    read_only_fields = ("source_urn", "frozen")
    # The scales, categories and grid are edited as one grid editor (`forms.RiskMatrixForm`,
    # `matrix_editor.MatrixEditor`), never as JSON; the API reads and writes them as JSON.
    form_fields = ("name", "acceptance_level", "threat_level_changed_on", "threat_level_note")
    # The acceptance level (a code) and the scales, categories and grid (JSON) are shown by
    # name in matrix_detail.html; the API keeps the raw definition.
    detail_fields = ("name", "threat_level_changed_on", "threat_level_note", "frozen",
                     "source_urn")
    detail_template = "risk/matrix_detail.html"
    can_import = False

    def empty_note(self):
        """An assessment's empty matrix picker offers the default in one step."""
        from django.urls import reverse

        return {"text": "No risk matrix yet.", "url": reverse("risk:default_matrix"),
                "link": "Create the default matrix"}

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
    form_class = forms.SecurityAssessmentForm  # says when no matrix exists yet
    fields = ("title", "statement", "sites", "legs", "partners", "processes", "matrix",
              "assessor", "status", "baseline", "classification", "method", "completed_on")
    read_only_fields = ("status", "completed_on")  # set by services.complete_assessment
    form_sections = (
        ("Assessment", ("title", "matrix", "assessor", "baseline", "classification",
                        "method")),
        ("Scope (ISO 28001 5.2)", ("statement", "sites", "legs", "partners", "processes")),
    )
    detail_template = "risk/assessment_detail.html"
    select_related = ("assessor",)
    can_import = False

    def detail_context(self, obj, request):
        from .views import assessment_context

        return assessment_context(obj, request)


@add_register
class AssessmentMemberRegister(Register):
    model = models.AssessmentMember
    url_prefix = "team"
    menu_group = GROUP
    menu_label = "Assessment teams"
    columns = (Column("person", sort="person__full_name"), "role_in_team",
               Column("assessment", sort="assessment__title"), "undertaking_signed_on")
    filterset_class = filtersets.AssessmentMemberFilterSet
    fields = ("assessment", "person", "role_in_team", "qualifications", "undertaking_signed_on",
              "user")
    read_only_fields = ("user",)  # the person's account, copied
    select_related = ("person", "user", "assessment")
    can_import = False


@add_register
class ProcessRegister(Register):
    model = models.Process
    url_prefix = "processes"
    menu_group = GROUP
    menu_label = "Processes and information flows"
    columns = ("name", "kind", Column("owner", sort="owner__email"))
    filterset_class = filtersets.ProcessFilterSet
    fields = ("name", "kind", "owner", "description", "sites")
    select_related = ("owner",)
    import_required = ("name", "kind", "owner")
    import_lookups = {"owner": "email", "sites": "code"}


@add_register
class ExistingMeasureRegister(Register):
    model = models.ExistingMeasure
    url_prefix = "existing-measures"
    menu_group = GROUP
    columns = ("description", "measure_type", Column("target_label", label="target",
                                                     sort=None),
               Column("assessment", sort="assessment__title"))
    filterset_class = filtersets.ExistingMeasureFilterSet
    fields = ("assessment", "site", "leg", "partner", "process", "measure_type",
              "description", "reference_control", "requirement")
    select_related = ("assessment", "site", "leg", "partner", "process")
    can_import = False

    def after_save(self, user, obj, created):
        """A measure stays in the assessment of the ratings relying on it (every path)."""
        if not created:
            services.check_measure_links(obj)


@add_register
class ThreatApplicabilityRegister(Register):
    model = models.ThreatApplicability
    url_prefix = "applicability"
    menu_group = GROUP
    menu_label = "Threat applicability"
    columns = (Column("scenario_label", label="scenario", sort="scenario__order"),
               "applicable", "justification", Column("assessment", sort="assessment__title"))
    filterset_class = filtersets.ThreatApplicabilityFilterSet
    fields = ("assessment", "scenario", "custom_scenario", "custom_categories", "applicable",
              "justification")
    form_class = forms.ThreatApplicabilityForm
    select_related = ("assessment", "scenario")
    can_import = False

    def empty_note(self):
        """A rating's empty scenario picker leads to declaring the scenarios."""
        return {"text": "No threat scenario is declared applicable yet.",
                "link": "Declare which threat scenarios apply"}


@add_register
class NotCredibleRegister(Register):
    model = models.NotCredible
    url_prefix = "not-credible"
    menu_group = GROUP
    menu_label = "Not credible here"
    columns = ("reference", Column("threat", label="threat scenario",
                                   sort="threat__scenario__order"),
               Column("target_label", label="target", sort=None), "reason",
               Column("assessment", sort="assessment__title"))
    filterset_class = filtersets.NotCredibleFilterSet
    fields = ("assessment", "threat", "site", "leg", "partner", "process", "reason")
    select_related = ("assessment", "threat__scenario", "site", "leg", "partner", "process")
    import_required = ("assessment", "threat", "reason")
    import_lookups = {"site": "code", "process": "name"}

    def after_save(self, user, obj, created):
        """Reason, target, scenario and the pair's uniqueness (ISO 28001 5.3), every path."""
        services.check_not_credible(obj)


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
    filterset_class = filtersets.RatingFilterSet
    form_class = forms.RatingForm
    viewset_base = RatingViewSet  # adds GET …/likelihood-suggestion/
    fields = ("assessment", "threat", "site", "leg", "partner", "process", "existing_measures",
              "consequences", "consequence", "likelihood", "inherent_level", "inherent_rank",
              "decision", "countermeasures", "residual_likelihood", "residual_consequence",
              "residual_level", "residual_rank", "above_appetite", "owner", "reviewed", "notes")
    # Levels, ranks and the appetite flag are computed from the matrix on every save.
    read_only_fields = ("consequence", "inherent_level", "inherent_rank", "residual_level",
                        "residual_rank", "above_appetite")
    # The consequences (JSON per category) are asked one level per matrix category by
    # RatingForm, which writes them; the API takes the JSON itself.
    form_fields = without(fields, *read_only_fields, "consequences")
    # RatingForm adds one "consequence_<category>" field per category of the matrix.
    form_sections = (
        ("What is rated", ("assessment", "threat", "site", "leg", "partner", "process")),
        ("Inherent risk", ("existing_measures", "likelihood", "consequence_*")),
        ("Treatment and residual risk", ("decision", "countermeasures", "residual_likelihood",
                                         "residual_consequence")),
        ("Owner and review", ("owner", "reviewed", "notes")),
    )
    # Likelihood, consequences (JSON per category), the computed level codes and the appetite
    # flag are shown readably (matrix names, colours) in rating_detail.html's summary, not as
    # raw values; the API keeps the raw values (RatingSerializer).
    detail_fields = without(form_fields, "likelihood", "residual_likelihood",
                            "residual_consequence")
    level_badges = {"inherent_name": rating_level("inherent_name", "inherent_level"),
                    "residual_name": rating_level("residual_name", "residual_level")}
    detail_template = "risk/rating_detail.html"
    select_related = ("assessment__matrix", "threat__scenario", "site", "leg", "partner",
                      "process", "owner")
    # Not imported: the countermeasures treating a rating are chosen on its page once they
    # exist, and "reviewed" only flags ratings carried over from a baseline (a file's rows
    # are reviewed ratings: the default).
    import_fields = without(form_fields, "countermeasures", "reviewed")
    import_required = ("assessment", "threat", "likelihood")
    import_lookups = {"owner": "email", "site": "code", "process": "name"}

    def after_save(self, user, obj, created):
        """Relied-on measures of the same assessment; a pair not judged not credible."""
        services.check_rating(obj)

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
    fields = ("title", "measure_type", "description", "status", "owner", "due_date", "cost",
              "sites", "requirements", "source_control", "effectiveness_review", "reviewed_on")
    # The reference control is set when a measure is made from a catalogue suggestion
    # (services); the API can name one.
    form_fields = without(fields, "source_control")
    form_sections = (
        ("Measure", ("title", "measure_type", "status", "owner", "due_date", "cost",
                     "description")),
        ("Where it applies", ("sites", "requirements")),
        ("Effectiveness", ("effectiveness_review", "reviewed_on")),
    )
    select_related = ("owner",)
    # Not imported: requirements (a catalogue requirement is named by framework and clause,
    # more than one column's lookup can say) and the effectiveness review, recorded on a
    # measure after it has run.
    import_fields = without(form_fields, "requirements", "effectiveness_review", "reviewed_on")
    import_required = ("title", "measure_type", "owner")
    import_lookups = {"owner": "email", "sites": "code"}


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
    fields = ("rating", "accepted_by", "accepted_on", "justification", "conditions",
              "valid_until")
    # The person accepting and the date: set by services.save_acceptance, never typed in.
    read_only_fields = ("accepted_by", "accepted_on")
    select_related = ("rating", "accepted_by")
    # An acceptance is a person's act: recorded in the UI or the API (as the token's owner)
    # through services.save_acceptance, never imported in bulk.
    can_import = False
    viewset_base = RiskAcceptanceViewSet


SecurityAssessmentRegister.related_panels = (
    RelatedPanel("Team", AssessmentMemberRegister, "assessment", add_field="assessment"),
    RelatedPanel("Threat applicability", ThreatApplicabilityRegister, "assessment",
                 add_field="assessment"),
    RelatedPanel("Existing measures", ExistingMeasureRegister, "assessment",
                 add_field="assessment"),
    RelatedPanel("Ratings", RatingRegister, "assessment", add_field="assessment"),
    RelatedPanel("Scenarios judged not credible here", NotCredibleRegister, "assessment",
                 add_field="assessment"),
)
RatingRegister.related_panels = (
    RelatedPanel("Existing measures relied on", ExistingMeasureRegister, "ratings",
                 add_field=None),
    RelatedPanel("Countermeasures", CountermeasureRegister, "ratings", add_field=None),
    RelatedPanel("Risk acceptances", RiskAcceptanceRegister, "rating", add_field="rating"),
)
ExistingMeasureRegister.related_panels = (
    RelatedPanel("Ratings relying on it", RatingRegister, "existing_measures"),
)
ProcessRegister.related_panels = (
    RelatedPanel("Ratings", RatingRegister, "process"),
    RelatedPanel("Existing measures", ExistingMeasureRegister, "process"),
)
CountermeasureRegister.related_panels = (
    RelatedPanel("Ratings treated", RatingRegister, "countermeasures"),
)
