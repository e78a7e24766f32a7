"""The context of the security management system (ISO 28000 clause 4) and what follows from
it: legal and other requirements with their compliance evaluations (4.2.2, 9.1), internal and
external issues with the climate decision of Amd 1:2024 (4.1, 6.1), interested parties and
their requirements (4.2.1), and planned changes (6.3).

Design decisions (see also `services.py`):

* The legal register, the issues and the interested parties are organisation-wide records the
  security manager keeps; everybody in the organisation reads them (an obligation names the
  sites it applies to, but that does not hide it from anybody).
* A compliance evaluation may be made at one site: the site security officer records the
  evaluations of their site. The obligation's last result and next due date are derived from
  its evaluations by `services.refresh_obligation` on every save, from every path.
* A planned change may concern one site; its status moves only through
  `services.transition_change` (proposed → approved → implemented → reviewed, or rejected).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register

from .choices import (
    NEEDS_ACTION,
    ChangeKind,
    ChangeStatus,
    Effect,
    EvaluationResult,
    IssueCategory,
    IssueOrigin,
    ObligationKind,
    PartyKind,
    Relevance,
)

USER = settings.AUTH_USER_MODEL


def _same_organisation(obj, names):
    """Field errors for related records of another organisation."""
    errors = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            continue
        related = getattr(obj, name) if getattr(obj, f"{name}_id") else None
        if related is not None and obj.organisation_id and \
                related.organisation_id != obj.organisation_id:
            errors[name] = f"Choose a {field.verbose_name} of this organisation."
    return errors


class InterestedParty(PrimaryModel):
    """ISO 28000 4.2.1 — a party with a stake in the security management system (a customer,
    customs, CBP, an insurer, the staff, neighbours…) and its security-relevant requirements."""

    reference_prefix = "IP"

    name = models.CharField("name", max_length=200)
    kind = models.CharField("kind", max_length=20, choices=PartyKind)
    partner = models.ForeignKey("supplychain.Partner", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="interested_parties",
                                verbose_name="business partner",
                                help_text="When the party is one of the supply-chain partners.")
    needs = models.TextField(
        "needs and expectations",
        help_text="What the party requires of our security (Amd 1:2024: including any "
                  "climate-related requirement).")
    relevant = models.BooleanField(
        "relevant to the SMS", default=True,
        help_text="Whether these requirements are addressed through the SMS.")
    becomes_obligation = models.BooleanField(
        "becomes a compliance obligation", default=False,
        help_text="Tick when a requirement is binding (law, contract, programme): list it in "
                  "the legal and other requirements register with this party.")
    how_monitored = models.CharField("how we follow it", max_length=300, blank=True,
                                     help_text="e.g. annual customer audit, AEO monitoring "
                                               "visit, tender questionnaires.")
    review_date = models.DateField("next review", null=True, blank=True)

    class Meta:
        ordering = ("kind", "name")
        verbose_name = "interested party"
        verbose_name_plural = "interested parties"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("partner",))
        if self.becomes_obligation and not self.relevant:
            errors["becomes_obligation"] = ("A binding requirement is relevant to the SMS: tick "
                                            "'relevant' or untick this.")
        if errors:
            raise ValidationError(errors)


class Obligation(PrimaryModel):
    """ISO 28000 4.2.2 — a legal, regulatory or other requirement the organisation must or has
    chosen to meet: where it comes from, what it applies to, who owns it, how we comply, and
    when its compliance is evaluated next (9.1)."""

    reference_prefix = "LEG"

    title = models.CharField("title", max_length=200,
                             help_text="A short name, e.g. 'AEO security and safety criteria'.")
    kind = models.CharField("kind", max_length=20, choices=ObligationKind)
    source = models.CharField("regulation or source", max_length=200,
                              help_text="e.g. Regulation (EU) No 952/2013 (Union Customs Code).")
    article = models.CharField("article or clause", max_length=100, blank=True,
                               help_text="e.g. Art. 39(e).")
    authority = models.CharField("authority", max_length=200, blank=True,
                                 help_text="Who enforces or monitors it, e.g. Hauptzollamt "
                                           "Hamburg.")
    jurisdiction = models.CharField("jurisdiction", max_length=100, blank=True,
                                    help_text="e.g. EU, Germany, Poland, United States (CBP).")
    interested_party = models.ForeignKey(
        InterestedParty, on_delete=models.PROTECT, null=True, blank=True,
        related_name="obligations", verbose_name="interested party",
        help_text="The party that requires it (ISO 28000 4.2.1 → 4.2.2).")
    summary = models.TextField("what it requires", help_text="In our own words.")
    sites = models.ManyToManyField("supplychain.Site", blank=True, related_name="obligations",
                                   verbose_name="applies to sites",
                                   help_text="Leave empty when it applies to every site.")
    processes = models.CharField("applies to processes", max_length=300, blank=True,
                                 help_text="e.g. bonded storage, air cargo screening, CCTV.")
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="obligations",
                              verbose_name="owner")
    how_we_comply = models.TextField("how we comply", blank=True)
    documents = models.ManyToManyField("documents.Document", blank=True,
                                       related_name="obligations",
                                       verbose_name="documents that implement it")
    countermeasures = models.ManyToManyField("risk.Countermeasure", blank=True,
                                             related_name="obligations",
                                             verbose_name="countermeasures that meet it")
    requirements = models.ManyToManyField(
        "library.Requirement", blank=True, related_name="+",
        verbose_name="standard requirements it relates to",
        help_text="e.g. the AEO criteria or C-TPAT requirements it is part of (shipped "
                  "frameworks and the organisation's own).")
    evaluation_interval_months = models.PositiveSmallIntegerField(
        "evaluate every (months)", default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How often compliance is evaluated (ISO 28000 9.1).")
    law_changed_on = models.DateField(
        "last change in the requirement", null=True, blank=True,
        help_text="When the requirement itself last changed; a change after the last "
                  "evaluation makes a new evaluation due at once.")
    change_note = models.TextField("what changed", blank=True)
    # Derived from the evaluations by services.refresh_obligation (never typed).
    last_evaluated_on = models.DateField("last evaluated", null=True, blank=True,
                                         editable=False)
    last_result = models.CharField("last result", max_length=20, choices=EvaluationResult,
                                   blank=True, editable=False)
    next_evaluation_due = models.DateField("next evaluation due", null=True, blank=True,
                                           editable=False)

    class Meta:
        ordering = ("title", "pk")
        verbose_name = "legal or other requirement"
        indexes = [models.Index(fields=("organisation", "archived", "next_evaluation_due"),
                                name="context_obligation_due")]

    def __str__(self):
        return f"{self.reference} {self.title}".strip()

    @property
    def is_due(self) -> bool:
        """Its compliance evaluation is due (or overdue) today; never scheduled is due."""
        return self.next_evaluation_due is None or \
            self.next_evaluation_due <= timezone.localdate()

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("interested_party",))
        if self.law_changed_on and self.law_changed_on > timezone.localdate():
            errors["law_changed_on"] = ("Record a change once it is published; a change still "
                                        "to come goes in 'what changed'.")
        if self.law_changed_on and not self.change_note.strip():
            errors["change_note"] = "Say what changed."
        if errors:
            raise ValidationError(errors)


class ComplianceEvaluation(PrimaryModel):
    """ISO 28000 9.1 — one evaluation of compliance with a legal or other requirement: when, by
    whom, where, the result, the evidence seen and the actions that follow."""

    reference_prefix = "EVL"

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT,
                                   related_name="evaluations",
                                   verbose_name="legal or other requirement")
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="compliance_evaluations",
                             verbose_name="site",
                             help_text="Leave empty for an evaluation of the whole "
                                       "organisation.")
    evaluated_on = models.DateField("evaluated on", default=timezone.localdate)
    evaluated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="evaluated by")
    result = models.CharField("result", max_length=20, choices=EvaluationResult)
    evidence = models.TextField("evidence seen",
                                help_text="Records, permits, inspection reports you checked.")
    actions = models.TextField("actions", blank=True,
                               help_text="Needed when the result is short of compliant.")
    corrective_action = models.ForeignKey(
        "audits.CorrectiveAction", on_delete=models.PROTECT, null=True, blank=True,
        related_name="compliance_evaluations", verbose_name="corrective action",
        help_text="The corrective action that follows a non-compliance (ISO 28000 10.2).")

    class Meta:
        ordering = ("-evaluated_on", "-pk")
        verbose_name = "compliance evaluation"

    def __str__(self):
        return f"{self.reference} — {self.obligation.title}" if self.obligation_id \
            else self.reference

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("obligation", "site", "corrective_action"))
        if self.evaluated_on and self.evaluated_on > timezone.localdate():
            errors["evaluated_on"] = "An evaluation cannot be dated in the future."
        if self.result in NEEDS_ACTION and not (self.actions.strip() or
                                               self.corrective_action_id):
            errors["actions"] = ("A result short of compliant needs the actions that follow: "
                                 "describe them or link a corrective action.")
        if self.result == EvaluationResult.NOT_COMPLIANT and not self.corrective_action_id:
            errors["corrective_action"] = ("A non-compliance needs a corrective action (ISO "
                                           "28000 10.2): open one and link it here.")
        if self.site_id and self.obligation_id and self.pk is None:
            applies = set(self.obligation.sites.values_list("pk", flat=True))
            if applies and self.site_id not in applies:
                errors["site"] = "This requirement does not apply to that site."
        if errors:
            raise ValidationError(errors)


class ContextIssue(PrimaryModel):
    """ISO 28000 4.1 / 6.1 — an internal or external issue that bears on the security
    management system, its effect (risk or opportunity) and when it is reviewed. The climate
    decision of Amd 1:2024 is an issue of category 'climate' with its relevance and reasons."""

    reference_prefix = "CTX"

    title = models.CharField("issue", max_length=200)
    origin = models.CharField("internal or external", max_length=10, choices=IssueOrigin)
    category = models.CharField("category", max_length=20, choices=IssueCategory)
    description = models.TextField("description")
    effect = models.CharField("effect on security", max_length=12, choices=Effect,
                              default=Effect.RISK)
    effect_description = models.TextField("how it affects security", blank=True)
    relevance = models.CharField(
        "relevant to the SMS?", max_length=12, choices=Relevance, default=Relevance.RELEVANT,
        help_text="For the climate decision: is climate change a relevant issue?")
    rationale = models.TextField("why", blank=True,
                                 help_text="The reasons for the relevance decision.")
    consequences = models.TextField("what follows", blank=True,
                                    help_text="Risks rated, objectives set, plans changed…")
    source = models.CharField("source", max_length=200, blank=True,
                              help_text="e.g. management workshop, SWOT, threat briefing.")
    sites = models.ManyToManyField("supplychain.Site", blank=True, related_name="context_issues",
                                   verbose_name="sites concerned")
    decided_on = models.DateField("decided on", default=timezone.localdate)
    review_date = models.DateField("next review")

    class Meta:
        ordering = ("category", "title")
        verbose_name = "context issue"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.category == IssueCategory.CLIMATE and not self.rationale.strip():
            errors["rationale"] = ("The climate decision (ISO 28000 4.1, Amd 1:2024) needs its "
                                   "reasons: say why climate change is or is not relevant.")
        if self.relevance == Relevance.RELEVANT and self.effect in (Effect.RISK, Effect.BOTH,
                                                                    Effect.OPPORTUNITY) \
                and self.category == IssueCategory.CLIMATE and not self.consequences.strip():
            errors["consequences"] = "A relevant climate issue needs what follows from it."
        if self.review_date and self.decided_on and self.review_date < self.decided_on:
            errors["review_date"] = "The review cannot come before the decision."
        if errors:
            raise ValidationError(errors)


class PlannedChange(PrimaryModel):
    """ISO 28000 6.3 — a change to the security management system or what it covers (a new
    site, carrier, IT system, reorganisation): why, its security implications, what must be
    reviewed, approval, implementation and the review after the change."""

    reference_prefix = "CHG"

    title = models.CharField("change", max_length=200)
    kind = models.CharField("kind", max_length=20, choices=ChangeKind)
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="planned_changes", verbose_name="site",
                             help_text="Leave empty for a change of the whole organisation.")
    # The new partner or leg the change is about (a new site is `site`): a supply-chain record
    # added without one is prompted for (services.changes_to_record).
    partner = models.ForeignKey("supplychain.Partner", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="planned_changes",
                                verbose_name="partner")
    leg = models.ForeignKey("supplychain.Leg", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="planned_changes", verbose_name="leg")
    reason = models.TextField("why")
    security_implications = models.TextField("security implications")
    to_review = models.TextField("ratings, plans and documents to review", blank=True)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="planned_changes",
                              verbose_name="owner")
    planned_for = models.DateField("planned for")
    status = models.CharField("status", max_length=12, choices=ChangeStatus,
                              default=ChangeStatus.PROPOSED, editable=False)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="approved by",
                                    editable=False)
    approved_on = models.DateField("approved on", null=True, blank=True, editable=False)
    implemented_on = models.DateField("implemented on", null=True, blank=True, editable=False)
    post_change_review = models.TextField("post-change review", blank=True)
    reviewed_on = models.DateField("reviewed on", null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-planned_for", "-pk")
        verbose_name = "planned change"

    def __str__(self):
        return f"{self.reference} {self.title}".strip()

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("site", "partner", "leg"))
        if errors:
            raise ValidationError(errors)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


# The legal register, the context and the interested parties are the organisation's: the
# security manager keeps them, officers and contributors read and export them, everybody reads.
CONTEXT_RECORD = roles.matrix(officer=roles.READ_EXPORT, contributor=roles.READ_EXPORT)
register(InterestedParty, roles=CONTEXT_RECORD)
register(Obligation, roles=CONTEXT_RECORD)
register(ContextIssue, roles=CONTEXT_RECORD)
# Evaluations and planned changes may belong to a site: its officer keeps them there.
register(ComplianceEvaluation, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.SITE_RECORD)
# Approving a change (ISO 28000 6.3) is for the security manager and top management.
register(PlannedChange, site_paths=("site_id",), siteless_is_organisation_wide=True,
         actions=("approve",),
         roles=roles.matrix(manager=(*roles.FULL, "approve"),
                            top=("view", "export", "approve")))
