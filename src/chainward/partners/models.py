"""Partner assurance records: questionnaire templates and their questions, requests sent to a
partner contact by a one-time link, the contact's answers, and the follow-up actions agreed
after review. All are organisation-wide records (partners belong to no site)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register
from chainward.supplychain.choices import PartnerKind

from . import choices


class QuestionnaireTemplate(PrimaryModel):
    """ISO 28001 4.2/4.5, C-TPAT 3.x, AEO — the questions a partner answers and the declaration
    it signs, built from a catalogue (one per partner type) or by hand."""

    reference_prefix = "QT"

    name = models.CharField("name", max_length=200)
    kind = models.CharField("kind", max_length=16, choices=choices.TemplateKind,
                            default=choices.TemplateKind.QUESTIONNAIRE)
    # The partners' own choice set (one enum in the API schema); blank = any kind.
    partner_kind = models.CharField("for partners of kind", max_length=20, blank=True,
                                    choices=PartnerKind,
                                    help_text="Leave empty for partners of any kind.")
    status = models.CharField("status", max_length=10, choices=choices.TemplateStatus,
                              default=choices.TemplateStatus.ACTIVE)
    description = models.TextField("description", blank=True)
    declaration_text = models.TextField(
        "declaration the contact signs",
        help_text="Shown above the signature; stored with every signature as signed.")
    validity_months = models.PositiveSmallIntegerField(
        "valid for (months)", default=12,
        help_text="An accepted answer counts this long; then the partner is asked again.")
    link_days = models.PositiveSmallIntegerField(
        "link valid for (days)", default=30,
        help_text="The one-time link expires after this many days.")
    source = models.CharField("built from", max_length=200, blank=True, editable=False,
                              help_text="The catalogue framework the questions came from.")

    class Meta:
        ordering = ("name",)
        verbose_name = "questionnaire template"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.validity_months is not None and not 1 <= self.validity_months <= 60:
            raise ValidationError({"validity_months": "Choose between 1 and 60 months."})
        if self.link_days is not None and not 1 <= self.link_days <= 90:
            raise ValidationError({"link_days": "Choose between 1 and 90 days."})


class Question(PrimaryModel):
    """One question of a template, in a section; a "no" may call for follow-up."""

    reference_prefix = "QQ"

    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.PROTECT,
                                 related_name="questions", verbose_name="template")
    section = models.CharField("section", max_length=200)
    order = models.PositiveIntegerField("order", default=0)
    text = models.TextField("question")
    guidance = models.TextField("guidance", blank=True)
    answer_type = models.CharField("answer type", max_length=10, choices=choices.AnswerType,
                                   default=choices.AnswerType.YES_NO)
    required = models.BooleanField("answer required", default=True)
    evidence_required = models.BooleanField(
        "evidence required", default=False,
        help_text="The contact must upload a document with a “yes”.")
    evidence_hint = models.CharField("evidence asked for", max_length=300, blank=True)
    follow_up_on_no = models.BooleanField(
        "“no” needs follow-up", default=True,
        help_text="A “no” is flagged for a follow-up action at review.")
    requirement_ref = models.CharField("catalogue criterion", max_length=200, blank=True)

    class Meta:
        ordering = ("template", "order", "pk")
        verbose_name = "questionnaire question"

    def __str__(self):
        return f"{self.section}: {self.text[:80]}"

    def clean(self):
        super().clean()
        if self.template_id and self.organisation_id and \
                self.template.organisation_id != self.organisation_id:
            raise ValidationError({"template": "Choose a template of this organisation."})
        if self.evidence_required and self.answer_type != choices.AnswerType.YES_NO:
            raise ValidationError({"evidence_required": "Evidence is asked for with a yes/no "
                                                        "answer (a “yes” is backed by it)."})


class QuestionnaireRequest(PrimaryModel):
    """A questionnaire or declaration sent to one partner contact by a one-time, expiring link
    (only the link's SHA-256 is stored); the contact answers and signs without an account."""

    reference_prefix = "QR"

    partner = models.ForeignKey("supplychain.Partner", on_delete=models.PROTECT,
                                related_name="questionnaire_requests", verbose_name="partner")
    contact = models.ForeignKey("supplychain.PartnerContact", on_delete=models.PROTECT,
                                related_name="questionnaire_requests", verbose_name="contact")
    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.PROTECT,
                                 related_name="requests", verbose_name="template")
    deadline = models.DateField("answer by")
    message = models.TextField("message to the contact", blank=True)
    status = models.CharField("status", max_length=10, choices=choices.RequestStatus,
                              default=choices.RequestStatus.SENT, editable=False)
    token_sha256 = models.CharField("link hash", max_length=64, unique=True, null=True,
                                    editable=False)
    # The browser that opened the link first (hash of a random cookie): the link works in
    # that one answering session only.
    session_sha256 = models.CharField("answering session", max_length=64, blank=True,
                                      editable=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                null=True, related_name="+", editable=False,
                                verbose_name="sent by")
    sent_at = models.DateTimeField("sent", null=True, blank=True, editable=False)
    link_expires_at = models.DateTimeField("link expires", null=True, blank=True,
                                           editable=False)
    opened_at = models.DateTimeField("opened", null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField("reminded", null=True, blank=True, editable=False)
    signed_at = models.DateTimeField("signed", null=True, blank=True, editable=False)
    signer_name = models.CharField("signed by", max_length=150, blank=True, editable=False)
    signer_role = models.CharField("signer's role", max_length=150, blank=True, editable=False)
    signed_text = models.TextField("text signed", blank=True, editable=False)
    signer_address = models.GenericIPAddressField("signed from address", null=True, blank=True,
                                                  editable=False)
    answers_sha256 = models.CharField("SHA-256 of the signed answers", max_length=64,
                                      blank=True, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+", editable=False,
                                    verbose_name="reviewed by")
    reviewed_at = models.DateTimeField("reviewed", null=True, blank=True, editable=False)
    review_notes = models.TextField("review notes", blank=True, editable=False)
    valid_until = models.DateField("declaration valid until", null=True, blank=True,
                                   editable=False)

    class Meta:
        ordering = ("-sent_at", "-pk")
        verbose_name = "questionnaire request"

    def __str__(self):
        return f"{self.reference} {self.template} — {self.partner}" if self.reference \
            else f"{self.template} — {self.partner}"

    def clean(self):
        super().clean()
        errors = {}
        org = self.organisation_id
        if self.partner_id and org and self.partner.organisation_id != org:
            errors["partner"] = "Choose a partner of this organisation."
        if self.contact_id and self.partner_id and self.contact.partner_id != self.partner_id:
            errors["contact"] = "Choose a contact of this partner."
        elif self.contact_id and not self.contact.email:
            errors["contact"] = "This contact has no e-mail address; add one first."
        if self.template_id and org and self.template.organisation_id != org:
            errors["template"] = "Choose a template of this organisation."
        elif self.template_id and self.template.status != choices.TemplateStatus.ACTIVE:
            errors["template"] = "Choose a template that is in use."
        elif self.template_id and self.pk is None and not self.template.questions.filter(
                archived=False).exists():
            errors["template"] = "This template has no questions yet."
        if self.deadline and self.pk is None and self.deadline < timezone.localdate():
            errors["deadline"] = "The deadline is in the past."
        if errors:
            raise ValidationError(errors)

    # What a sent request keeps for life (the link was issued for them).
    FIXED_ONCE_SENT = ("partner_id", "contact_id", "template_id")

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._as_sent = tuple(getattr(obj, name, None) for name in cls.FIXED_ONCE_SENT)
        return obj

    def check_fixed_once_sent(self):
        """A sent request keeps its partner, contact and template (every save path)."""
        before = getattr(self, "_as_sent", None)
        now = tuple(getattr(self, name) for name in self.FIXED_ONCE_SENT)
        if before is not None and before != now:
            raise ValidationError("A sent request keeps its partner, contact and template; "
                                  "send a new request instead.")

    @property
    def link_expired(self):
        """The link's expiry time has passed."""
        return self.link_expires_at is not None and self.link_expires_at <= timezone.now()

    @property
    def declaration_label(self):
        """"valid", "renew soon" or "expired" for an accepted request, else ""."""
        if self.valid_until is None:
            return ""
        today = timezone.localdate()
        if self.valid_until < today:
            return "expired"
        return "renew soon" if (self.valid_until - today).days <= 30 else "valid"

    @property
    def declaration_expired(self):
        """An accepted declaration past its validity."""
        return self.valid_until is not None and self.valid_until < timezone.localdate()


class Answer(PrimaryModel):
    """The contact's answer to one question (with its evidence file); frozen once signed."""

    reference_prefix = "ANS"

    request = models.ForeignKey(QuestionnaireRequest, on_delete=models.PROTECT,
                                related_name="answers", verbose_name="request")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers",
                                 verbose_name="question")
    value_yes = models.BooleanField("yes", null=True, blank=True)
    value_text = models.TextField("answer", blank=True)
    value_date = models.DateField("date", null=True, blank=True)
    comment = models.TextField("comment", blank=True)
    evidence_file = models.CharField("evidence file", max_length=300, blank=True,
                                     editable=False)
    evidence_name = models.CharField("evidence file name", max_length=255, blank=True)
    evidence_type = models.CharField("evidence content type", max_length=120, blank=True,
                                     editable=False)
    evidence_sha256 = models.CharField("evidence SHA-256", max_length=64, blank=True)
    needs_follow_up = models.BooleanField("needs follow-up", default=False)

    class Meta:
        ordering = ("request", "question__order", "question__pk")
        verbose_name = "questionnaire answer"
        constraints = [
            models.UniqueConstraint(fields=("request", "question"),
                                    name="partners_answer_once_per_question",
                                    violation_error_message="The question is answered already."),
        ]

    def __str__(self):
        return f"{self.request.reference} — {self.question.text[:60]}"

    def save(self, *args, **kwargs):
        # Signed answers are frozen: nothing writes an answer of a request past answering.
        status = QuestionnaireRequest._base_manager.filter(pk=self.request_id).values_list(
            "status", flat=True).first()
        if status is not None and status not in choices.ANSWERABLE:
            raise ValidationError("The answers were signed; they can no longer change.")
        super().save(*args, **kwargs)

    @property
    def display_value(self):
        """The answer as read by people."""
        if self.question.answer_type == choices.AnswerType.YES_NO:
            return {True: "Yes", False: "No"}.get(self.value_yes, "—")
        if self.question.answer_type == choices.AnswerType.DATE:
            return f"{self.value_date:%Y-%m-%d}" if self.value_date else "—"
        return self.value_text or "—"


class FollowUpAction(PrimaryModel):
    """What the partner must fix after a "no" or weak answer (ISO 28001 4.5: correction of
    partners), tracked to done; optionally opened as our own corrective action."""

    reference_prefix = "PFU"

    request = models.ForeignKey(QuestionnaireRequest, on_delete=models.PROTECT,
                                related_name="follow_ups", verbose_name="request")
    answer = models.ForeignKey(Answer, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="follow_ups", verbose_name="answer")
    description = models.TextField("action")
    due_date = models.DateField("due")
    status = models.CharField("status", max_length=10, choices=choices.FollowUpStatus,
                              default=choices.FollowUpStatus.OPEN)
    done_on = models.DateField("done on", null=True, blank=True)
    corrective_action = models.ForeignKey(
        "audits.CorrectiveAction", on_delete=models.PROTECT, null=True, blank=True,
        related_name="partner_follow_ups", verbose_name="corrective action", editable=False)

    class Meta:
        ordering = ("due_date", "pk")
        verbose_name = "partner follow-up action"

    def __str__(self):
        return f"{self.reference} {self.description[:60]}" if self.reference \
            else self.description[:60]

    def clean(self):
        super().clean()
        errors = {}
        if self.request_id and self.organisation_id and \
                self.request.organisation_id != self.organisation_id:
            errors["request"] = "Choose a request of this organisation."
        if self.answer_id and self.request_id and self.answer.request_id != self.request_id:
            errors["answer"] = "Choose an answer of this request."
        if self.status == choices.FollowUpStatus.DONE and not self.done_on:
            errors["done_on"] = "Give the date it was done."
        if errors:
            raise ValidationError(errors)


# Templates and questions are the security manager's (contributors draft them); requests are
# sent and reviewed by the manager ("review" accepts or returns signed answers); answers are
# written only by the partner contact through the link, so nobody edits them in the app;
# follow-up actions are tracked like other organisation records.
register(QuestionnaireTemplate, roles=roles.matrix(officer=roles.READ_EXPORT))
register(Question, roles=roles.matrix(officer=roles.READ_EXPORT))
register(QuestionnaireRequest, actions=("review",),
         roles=roles.matrix(admin=roles.ALL, manager=(*roles.FULL, "review"),
                            officer=roles.READ_EXPORT, contributor=roles.READ_EXPORT))
register(Answer, roles=roles.matrix(admin=roles.READ_EXPORT, manager=roles.READ_EXPORT,
                                    officer=roles.READ_EXPORT, contributor=roles.READ_EXPORT))
register(FollowUpAction, roles=roles.matrix(officer=roles.READ_EXPORT))
