"""Register declarations of the audits app: programmes, audits, checklists, findings, CAPA."""

from django.db.models import Count

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel, without
from chainward.core.registry import add_register

from . import filtersets, forms, models, services
from .api.serializers import (
    AuditProgrammeSerializer,
    AuditSerializer,
    ChecklistItemSerializer,
    CorrectiveActionSerializer,
    FindingSerializer,
)
from .api.viewsets import AuditViewSet, CorrectiveActionViewSet
from .choices import (
    AUDIT_TRANSITIONS,
    BADGES,
    CAPA_TRANSITIONS,
    COMPLETED,
    AuditStatus,
    CapaStatus,
)
from .root_cause import WHYS

GROUP = "Audits"


@add_register
class AuditProgrammeRegister(Register):
    model = models.AuditProgramme
    url_prefix = "programmes"
    menu_group = GROUP
    menu_label = "Audit programmes"
    columns = ("title", "period_start", "period_end")
    filterset_class = filtersets.AuditProgrammeFilterSet
    form_class = forms.AuditProgrammeForm
    fields = ("title", "period_start", "period_end", "frameworks", "sites", "objectives")
    detail_template = "audits/programme_detail.html"
    # Not import columns: frameworks (a framework has no `reference` a file could name it
    # by) and, as before, sites.
    import_fields = without(fields, "frameworks", "sites")
    import_required = ("title", "period_start", "period_end")
    serializer_class = AuditProgrammeSerializer  # frameworks: shipped and the organisation's


@add_register
class AuditRegister(Register):
    model = models.Audit
    url_prefix = "audits"
    viewset_base = AuditViewSet  # POST …/transition/ (and …/verify/): the workflow
    menu_group = GROUP
    menu_label = "Audits"
    columns = ("title", "audit_type", "status", "planned_start",
               Column("lead_auditor", sort="lead_auditor__email"),
               Column("programme", sort="programme__title"))
    filterset_class = filtersets.AuditFilterSet
    form_class = forms.AuditForm
    fields = ("programme", "title", "audit_type", "scope", "sites", "partner", "criteria",
              "requirements", "responsible_persons", "lead_auditor", "team", "planned_start",
              "planned_end", "actual_start", "actual_end", "status", "summary", "conclusion")
    read_only_fields = ("status",)  # changed only by the workflow (POST …/transition/)
    # ISO 28000 9.2.2: what is audited against which criteria, who audits (independent of it),
    # when, and what was found.
    form_sections = (
        ("The audit", ("programme", "title", "audit_type", "scope", "criteria")),
        ("What is audited", ("sites", "partner", "requirements", "responsible_persons")),
        ("Audit team", ("lead_auditor", "team")),
        ("Dates", ("planned_start", "planned_end", "actual_start", "actual_end")),
        ("Results", ("summary", "conclusion")),
    )
    # The title is the page's heading; the status is shown near the top; the requirements
    # are not listed on the page (as before).
    detail_fields = ("programme", "audit_type", "status", "scope", "sites", "partner",
                     "criteria", "responsible_persons", "lead_auditor", "team", "planned_start",
                     "planned_end", "actual_start", "actual_end", "summary", "conclusion")
    detail_template = "audits/audit_detail.html"
    select_related = ("lead_auditor", "programme")
    can_import = False
    serializer_class = AuditSerializer  # frameworks and requirements offered

    def after_save(self, user, obj, created):
        """The independence rule is checked again on the saved team and sites (ISO 28000 9.2)."""
        services.assert_independent(obj)

    def detail_context(self, obj, request):
        from chainward.people.services import auditor_competence_gaps

        results = dict(obj.checklist.filter(archived=False).values_list("result")
                       .annotate(n=Count("pk")).values_list("result", "n"))
        can_change = request.user.has_perm("audits.change_audit", obj)
        return {
            "badge": BADGES.get(obj.status, "text-bg-secondary"),
            "transitions": [AuditStatus(s) for s in AUDIT_TRANSITIONS.get(obj.status, ())]
            if can_change and not obj.archived else [],
            "checklist_counts": results, "checklist_total": sum(results.values()),
            "templates": services.checklist_templates() if can_change else [],
            "can_generate": can_change and obj.status not in COMPLETED,
            # ISO 28000 9.2: warn when an assigned auditor lacks the competence the
            # internal-auditor roles require (issue 16; the people app decides).
            "competence_warnings": auditor_competence_gaps(
                request.user, obj.organisation, [obj.lead_auditor, *obj.team.all()]),
        }


@add_register
class ChecklistItemRegister(Register):
    model = models.ChecklistItem
    url_prefix = "checklist-items"
    menu_group = GROUP
    columns = ("question", Column("audit", sort="audit__title"), "result")
    filterset_class = filtersets.ChecklistItemFilterSet
    form_class = forms.RequirementChoiceForm
    fields = ("audit", "requirement", "order", "question", "result", "notes", "samples")
    select_related = ("audit",)
    can_import = False
    serializer_class = ChecklistItemSerializer  # requirements offered


@add_register
class FindingRegister(Register):
    model = models.Finding
    url_prefix = "findings"
    menu_group = GROUP
    columns = (Column("reference", label="finding"), "grade", Column("audit", sort="audit__title"),
               Column("site", sort="site__name"), Column("statement"))
    filterset_class = filtersets.FindingFilterSet
    form_class = forms.RequirementChoiceForm
    fields = ("audit", "grade", "statement", "requirement", "site", "checklist_item")
    select_related = ("audit", "site")
    prefetch_related = ("corrective_actions",)  # listed by the API: one query per page
    can_import = False
    serializer_class = FindingSerializer  # requirements offered; adds corrective_actions


@add_register
class CorrectiveActionRegister(Register):
    model = models.CorrectiveAction
    url_prefix = "corrective-actions"
    viewset_base = CorrectiveActionViewSet  # POST …/transition/ (and …/verify/): the workflow
    menu_group = GROUP
    menu_label = "Corrective actions"
    columns = ("title", "status", Column("owner", sort="owner__email"), "due_date",
               Column("is_overdue", label="overdue", sort=None), Column("site", sort="site__name"))
    filterset_class = filtersets.CorrectiveActionFilterSet
    fields = ("source", "finding", "title", "description", "site", "owner", "due_date",
              "status", "containment_action", "containment_on", "root_cause", "verified_by",
              "verified_on", "verification_notes", "reopen_count")
    # Changed only by the workflow steps and the verification (POST …/transition/, …/verify/).
    read_only_fields = ("status", "verified_by", "verified_on", "verification_notes",
                        "reopen_count")
    form_class = forms.CorrectiveActionForm
    # The root cause is entered through the structured fields of CorrectiveActionForm (five
    # whys or cause categories, `root_cause.RootCauseFields`; no form asks for JSON).
    form_fields = ("source", "finding", "title", "description", "site", "owner", "due_date",
                   "containment_action", "containment_on")
    form_sections = (
        ("The action", ("title", "source", "finding", "description", "site", "owner",
                        "due_date")),
        ("Containment", ("containment_action", "containment_on")),
        # Each "why?" beside its "because" (two columns from medium width).
        ("Root cause", ("rc_method", *(f"{part}_{n}" for n in range(1, WHYS + 1)
                                       for part in ("why", "answer")), "cause_*")),
    )
    # The title is the page's heading and the root cause has its own panel (capa_detail.html);
    # the status is shown near the top.
    detail_fields = ("source", "finding", "status", "description", "site", "owner", "due_date",
                     "containment_action", "containment_on", "verified_by", "verified_on",
                     "verification_notes", "reopen_count")
    detail_template = "audits/capa_detail.html"
    select_related = ("owner", "site")
    can_import = False
    serializer_class = CorrectiveActionSerializer  # adds is_overdue

    def after_save(self, user, obj, created):
        """Every save from every path: a new owner hears that the action is theirs."""
        services.announce_owner(user, obj)

    def detail_context(self, obj, request):
        user = request.user
        can_change = user.has_perm("audits.change_correctiveaction", obj) and not obj.archived
        steps = list(obj.steps.filter(archived=False).select_related("owner"))
        return {
            "transitions": [CapaStatus(s) for s in CAPA_TRANSITIONS.get(obj.status, ())]
            if can_change else [],
            "steps": steps,
            "can_verify": obj.status == CapaStatus.ACTIONS_DONE and
            user.has_perm("audits.verify_correctiveaction", obj),
            "is_owner": obj.owner_id == user.pk,
            "root_cause": obj.root_cause or {},
            "forms_verification": forms.VerificationForm(),
        }


@add_register
class CorrectiveActionStepRegister(Register):
    model = models.CorrectiveActionStep
    url_prefix = "corrective-action-steps"
    menu_group = GROUP
    menu_label = "Corrective action steps"
    columns = ("description", Column("corrective_action", sort="corrective_action__title"),
               Column("owner", sort="owner__email"), "due_date", "done_on")
    filterset_class = filtersets.CorrectiveActionStepFilterSet
    fields = ("corrective_action", "description", "owner", "due_date", "done_on")
    select_related = ("corrective_action", "owner")
    can_import = False


AuditProgrammeRegister.related_panels = (
    RelatedPanel("Audits", AuditRegister, "programme", add_field="programme"),
)
AuditRegister.related_panels = (
    RelatedPanel("Findings", FindingRegister, "audit", add_field="audit"),
)
FindingRegister.related_panels = (
    RelatedPanel("Corrective actions", CorrectiveActionRegister, "finding", add_field="finding"),
)
CorrectiveActionRegister.related_panels = (
    RelatedPanel("Steps", CorrectiveActionStepRegister, "corrective_action",
                 add_field="corrective_action"),
)
