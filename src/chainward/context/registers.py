"""Register declarations of the context app: the legal and other requirements register with
its compliance evaluations, the context issues, the interested parties and planned changes."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel
from chainward.core.registry import add_register

from . import filtersets, forms, models, services
from .api.serializers import ObligationSerializer
from .api.viewsets import PlannedChangeViewSet
from .choices import RESULT_BADGES
from .services import CHANGE_STEPS

# One menu dropdown for both apps (people and context): the navbar must not grow.
GROUP = "People & context"


@add_register
class InterestedPartyRegister(Register):
    model = models.InterestedParty
    url_prefix = "interested-parties"
    menu_group = GROUP
    columns = ("name", "kind", "relevant", "becomes_obligation", "review_date")
    filterset_class = filtersets.InterestedPartyFilterSet
    fields = ("name", "kind", "partner", "needs", "relevant", "becomes_obligation",
              "how_monitored", "review_date")
    import_required = ("name", "kind", "needs")
    import_lookups = {"partner": "name"}


@add_register
class ObligationRegister(Register):
    model = models.Obligation
    url_prefix = "obligations"
    menu_group = GROUP
    menu_label = "Legal and other requirements"
    columns = ("title", "kind", "source", "article",
               Column("owner", sort="owner__email"), "last_result", "next_evaluation_due")
    export_columns = ("reference", "title", "kind", "source", "article", "authority",
                      "jurisdiction", "summary", "processes", "owner", "how_we_comply",
                      "evaluation_interval_months", "law_changed_on", "change_note",
                      "last_evaluated_on", "last_result", "next_evaluation_due")
    filterset_class = filtersets.ObligationFilterSet
    fields = ("title", "kind", "source", "article", "authority", "jurisdiction",
              "interested_party", "summary", "sites", "processes", "owner", "how_we_comply",
              "documents", "countermeasures", "requirements", "evaluation_interval_months",
              "law_changed_on", "change_note", "last_evaluated_on", "last_result",
              "next_evaluation_due")
    form_class = forms.ObligationForm  # requirements of shipped and own frameworks only
    # ISO 28000 4.2.2 and 9.1: what the obligation is, where it applies and how we comply,
    # how often compliance is evaluated and what changed in the law.
    form_sections = (
        ("Obligation", ("title", "kind", "source", "article", "authority", "jurisdiction",
                        "interested_party", "summary")),
        ("Where it applies and how we comply", ("sites", "processes", "owner", "how_we_comply",
                                                "documents", "countermeasures",
                                                "requirements")),
        ("Evaluation and changes in law", ("evaluation_interval_months", "law_changed_on",
                                           "change_note")),
    )
    serializer_class = ObligationSerializer  # the same in the API
    # Standard requirements are not imported: a lookup by URN would reach other
    # organisations' own frameworks (link them on the form or through the API).
    import_fields = ("title", "kind", "source", "article", "authority", "jurisdiction",
                     "interested_party", "summary", "sites", "processes", "owner",
                     "how_we_comply", "documents", "countermeasures",
                     "evaluation_interval_months", "law_changed_on", "change_note")
    # Derived from the evaluations (services.refresh_obligation).
    read_only_fields = ("last_evaluated_on", "last_result", "next_evaluation_due")
    api_extra_fields = ("is_due",)
    select_related = ("owner",)
    detail_template = "context/obligation_detail.html"
    import_required = ("title", "kind", "source", "summary", "owner")
    import_lookups = {"owner": "email", "interested_party": "name"}

    def after_save(self, user, obj, created):
        """The schedule follows the interval and any change in the requirement (every
        path)."""
        services.refresh_obligation(user, obj)

    def detail_context(self, obj, request):
        from chainward.core.registry import get_register

        evaluations = get_register(models.ComplianceEvaluation).scoped(
            request.user, request.organisation).filter(obligation=obj, archived=False) \
            .select_related("site", "evaluated_by", "corrective_action")[:25]
        return {"evaluations": list(evaluations),
                "result_badge": RESULT_BADGES.get(obj.last_result, "text-bg-secondary"),
                "can_evaluate": request.user.has_perm("context.add_complianceevaluation")
                and not obj.archived}


@add_register
class ComplianceEvaluationRegister(Register):
    model = models.ComplianceEvaluation
    url_prefix = "evaluations"
    menu_group = GROUP
    menu_label = "Compliance evaluations"
    columns = (Column("obligation", sort="obligation__title"), "evaluated_on", "result",
               Column("site", sort="site__name"), Column("evaluated_by",
                                                         sort="evaluated_by__email"))
    export_columns = ("reference", "obligation", "site", "evaluated_on", "evaluated_by",
                      "result", "evidence", "actions", "corrective_action")
    filterset_class = filtersets.ComplianceEvaluationFilterSet
    fields = ("obligation", "site", "evaluated_on", "evaluated_by", "result", "evidence",
              "actions", "corrective_action")
    select_related = ("obligation", "site", "evaluated_by")
    import_required = ("obligation", "evaluated_on", "evaluated_by", "result", "evidence")
    import_lookups = {"site": "code", "evaluated_by": "email"}

    def after_save(self, user, obj, created):
        """The obligation's last result and next due date follow (every path)."""
        services.refresh_obligation(user, obj.obligation)


@add_register
class ContextIssueRegister(Register):
    model = models.ContextIssue
    url_prefix = "issues"
    menu_group = GROUP
    menu_label = "Context issues (incl. climate)"
    columns = ("title", "origin", "category", "effect", "relevance", "review_date")
    export_columns = ("reference", "title", "origin", "category", "description", "effect",
                      "effect_description", "relevance", "rationale", "consequences", "source",
                      "decided_on", "review_date")
    filterset_class = filtersets.ContextIssueFilterSet
    fields = ("title", "origin", "category", "description", "effect", "effect_description",
              "relevance", "rationale", "consequences", "source", "sites", "decided_on",
              "review_date")
    # ISO 28000 4.1 (and the 2024 climate amendment): the issue, its effect, the decision.
    form_sections = (
        ("Issue", ("title", "origin", "category", "description", "source", "sites")),
        ("Effect on security", ("effect", "effect_description")),
        ("Decision and review", ("relevance", "rationale", "consequences", "decided_on",
                                 "review_date")),
    )
    import_required = ("title", "origin", "category", "description", "review_date")


@add_register
class PlannedChangeRegister(Register):
    model = models.PlannedChange
    url_prefix = "changes"
    viewset_base = PlannedChangeViewSet  # POST …/transition/: the workflow
    menu_group = GROUP
    columns = ("title", "kind", "status", Column("site", sort="site__name"), "planned_for",
               Column("owner", sort="owner__email"))
    filterset_class = filtersets.PlannedChangeFilterSet
    fields = ("title", "kind", "site", "partner", "leg", "reason", "security_implications",
              "to_review", "owner",
              "planned_for", "status", "approved_by", "approved_on", "implemented_on",
              "post_change_review", "reviewed_on")
    # Moved only by services.transition_change.
    read_only_fields = ("status", "approved_by", "approved_on", "implemented_on",
                        "reviewed_on")
    # ISO 28000 6.3: what changes and where, why and what it means for security, who and when.
    form_sections = (
        ("Change", ("title", "kind", "site", "partner", "leg")),
        ("Why and security implications", ("reason", "security_implications", "to_review")),
        ("Responsibility and dates", ("owner", "planned_for", "post_change_review")),
    )
    select_related = ("site", "owner")
    detail_template = "context/plannedchange_detail.html"
    import_required = ("title", "kind", "reason", "security_implications", "owner",
                       "planned_for")
    import_lookups = {"site": "code", "owner": "email", "partner": "name", "leg": "reference"}
    # The prompts for a change record (services.changes_to_record) name what it is about.
    initial_from_query = ("site", "partner", "leg", "owner", "kind")

    def detail_context(self, obj, request):
        can = request.user.has_perm("context.change_plannedchange", obj) and not obj.archived
        return {"steps": list(CHANGE_STEPS[obj.status]) if can else []}


InterestedPartyRegister.related_panels = (
    RelatedPanel("Legal and other requirements it gives rise to", ObligationRegister,
                 "interested_party", add_field="interested_party"),)
