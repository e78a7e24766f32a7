"""Register declarations of partner assurance, and the partner page's panel of requests."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel
from chainward.core.registry import add_register
from chainward.risk.likelihood import partner_risk_source
from chainward.supplychain.models import Partner
from chainward.supplychain.registers import PartnerRegister

from . import assurance, filtersets, models, services
from .api.serializers import AssuredPartnerSerializer, QuestionnaireRequestSerializer
from .choices import ANSWERABLE, RequestStatus
from .forms import RequestForm

GROUP = "Supply chain"


@add_register
class QuestionnaireTemplateRegister(Register):
    model = models.QuestionnaireTemplate
    url_prefix = "questionnaire-templates"
    menu_group = GROUP
    menu_label = "Questionnaire templates"
    columns = ("name", "kind", "partner_kind", "status", "validity_months")
    filterset_class = filtersets.QuestionnaireTemplateFilterSet
    fields = ("name", "kind", "partner_kind", "status", "description", "declaration_text",
              "validity_months", "link_days", "source")
    read_only_fields = ("source",)
    # Beside "Add" (a template by hand): built from a catalogue or a shipped declaration.
    list_links = (("Build from a catalogue or declaration", "partners:from_catalogue",
                   "partners.add_questionnairetemplate"),)
    can_import = False


@add_register
class QuestionRegister(Register):
    model = models.Question
    url_prefix = "questions"
    menu_group = ""  # reached from its template
    columns = ("text", Column("template", sort="template__name"), "section", "order",
               "answer_type", "evidence_required")
    filterset_class = filtersets.QuestionFilterSet
    fields = ("template", "section", "order", "text", "guidance", "answer_type", "required",
              "evidence_required", "evidence_hint", "follow_up_on_no", "requirement_ref")
    form_sections = (
        ("Question", ("template", "section", "order", "text", "guidance", "requirement_ref")),
        ("Answer", ("answer_type", "required", "follow_up_on_no")),
        ("Evidence", ("evidence_required", "evidence_hint")),
    )
    select_related = ("template",)
    import_required = ("template", "section", "text")
    import_lookups = {"template": "reference"}


@add_register
class QuestionnaireRequestRegister(Register):
    model = models.QuestionnaireRequest
    url_prefix = "questionnaire-requests"
    menu_group = GROUP
    menu_label = "Partner questionnaires"
    # The partner page's panel shows the first five (without the partner): the declaration's
    # state and expiry are among them (issue 17 item 3).
    columns = ("reference", Column("partner", sort="partner__name"),
               Column("template", sort="template__name"), "status",
               Column("declaration_label", label="declaration", sort=None), "valid_until",
               "sent_at", "deadline", "signed_at")
    filterset_class = filtersets.QuestionnaireRequestFilterSet
    fields = ("partner", "contact", "template", "deadline", "message", "status", "sent_by",
              "sent_at", "link_expires_at", "opened_at", "reminded_at", "signed_at",
              "signer_name", "signer_role", "signed_text", "signer_address", "answers_sha256",
              "reviewed_by", "reviewed_at", "review_notes", "valid_until")
    # Set by sending, by the contact through the link and by the review, never typed in.
    read_only_fields = ("status", "sent_by", "sent_at", "link_expires_at", "opened_at",
                        "reminded_at", "signed_at", "signer_name", "signer_role",
                        "signed_text", "signer_address", "answers_sha256", "reviewed_by",
                        "reviewed_at", "review_notes", "valid_until")
    select_related = ("partner", "template", "contact")
    detail_template = "partners/request_detail.html"
    can_import = False
    form_class = RequestForm  # says when the template is lighter than the partner's risk calls for
    serializer_class = QuestionnaireRequestSerializer  # the same advice, read-only

    def after_save(self, user, obj, created):
        """Creating a request sends it: every path (form, API, demo) issues the one-time link
        and e-mails it to the contact after commit."""
        if created:
            services.issue_link(user, obj)
        else:
            obj.check_fixed_once_sent()

    def detail_context(self, obj, request):
        user = request.user
        may_review = user.has_perm("partners.review_questionnairerequest", obj)
        answers = list(obj.answers.filter(archived=False).select_related("question")
                       .order_by("question__order", "question__pk"))
        history = [(label, when) for label, when in (
            ("Sent", obj.sent_at), ("Opened", obj.opened_at), ("Reminded", obj.reminded_at),
            ("Answered and signed", obj.signed_at), ("Reviewed", obj.reviewed_at)) if when]
        return {
            "answers": answers, "request_history": history,
            "follow_ups": list(obj.follow_ups.filter(archived=False)
                               .select_related("answer", "corrective_action")),
            "can_review": may_review and obj.status == RequestStatus.SIGNED,
            "can_follow_up": may_review and obj.status in (RequestStatus.SIGNED,
                                                           RequestStatus.ACCEPTED),
            "can_resend": user.has_perm("partners.change_questionnairerequest", obj)
            and obj.status in ANSWERABLE,
            "people": _people(obj) if may_review else [],
            "depth_advice": assurance.depth_advice(obj.partner, obj.template)
            if obj.status in (*ANSWERABLE, RequestStatus.SIGNED) else "",
        }


def _people(obj):
    from chainward.audits.services import people_of

    return list(people_of(obj.organisation).order_by("full_name", "email")[:200])


@add_register
class AnswerRegister(Register):
    model = models.Answer
    url_prefix = "answers"
    menu_group = ""  # read on the request's page
    columns = ("reference", Column("request", sort="request__reference"),
               Column("question", sort="question__order"), "value_yes", "needs_follow_up")
    filterset_class = filtersets.AnswerFilterSet
    fields = ("request", "question", "value_yes", "value_text", "value_date", "comment",
              "evidence_name", "evidence_sha256", "needs_follow_up")
    # Written only by the partner contact through the link.
    read_only_fields = fields
    select_related = ("request__template", "request__partner", "question")
    can_add = False
    api_can_add = False
    can_import = False


@add_register
class FollowUpActionRegister(Register):
    model = models.FollowUpAction
    url_prefix = "partner-follow-ups"
    menu_group = GROUP
    menu_label = "Partner follow-up actions"
    columns = ("description", Column("request", sort="request__reference"), "due_date",
               "status", "done_on")
    filterset_class = filtersets.FollowUpActionFilterSet
    fields = ("request", "answer", "description", "due_date", "status", "done_on",
              "corrective_action")
    read_only_fields = ("corrective_action",)
    select_related = ("request__template", "request__partner", "answer__question")
    can_import = False


PartnerRegister.related_panels = (
    *PartnerRegister.related_panels,
    RelatedPanel("Questionnaires and declarations (by link)", QuestionnaireRequestRegister,
                 "partner", add_field="partner"),
)
QuestionnaireTemplateRegister.related_panels = (
    RelatedPanel("Questions", QuestionRegister, "template", add_field="template"),
)


# --- the partner register with its assurance (issue 17 items 3 and 4) ----------------------------
# The supply-chain register stays the declaration of the partner; this one extends it (and
# replaces it on the model's entry) with what partner assurance adds: the risk score and the
# declaration's expiry in the list, on the page and in the API. Everything else is inherited.
Partner.assurance = property(assurance.assurance_of, doc="The partner's assurance "
                             "(`partners.assurance.assurance_of`).")


HISTORY_ROWS = 20


@add_register
class AssuredPartnerRegister(PartnerRegister):
    columns = (*PartnerRegister.columns,
               Column("assurance_score", label="risk score (ISO 28001 4.5)",
                      accessor="assurance.score_label", sort=None),
               Column("declaration_expired", label="declaration",
                      accessor="assurance.declaration_label", sort=None))
    serializer_class = AssuredPartnerSerializer
    detail_template = "partners/partner_detail.html"

    def base_queryset(self):
        """The supply-chain register's partners with what their assurance needs annotated."""
        return assurance.with_assurance(super().base_queryset())

    def detail_context(self, obj, request):
        """Item 2: each request's history (sent, opened, reminded, signed, reviewed) on the
        partner page, for the requests the reader may see (one query)."""
        requests = (models.QuestionnaireRequest.objects.restrict(request.user, "view")
                    .filter(partner=obj, archived=False).select_related("template")
                    .order_by("-sent_at", "-pk")[:HISTORY_ROWS])
        return {**super().detail_context(obj, request), "questionnaire_history": requests}



partner_risk_source(assurance.rating_partner_risks)
