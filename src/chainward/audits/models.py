"""Audit programme, audits, checklists, findings and corrective action (ISO 28000 9.2, 10)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register

from .choices import (
    CAPA_DONE,
    CAUSE_CATEGORIES,
    AuditStatus,
    AuditType,
    CapaSource,
    CapaStatus,
    ChecklistResult,
    Grade,
)

USER = settings.AUTH_USER_MODEL


class AuditProgramme(PrimaryModel):
    """ISO 28000 9.2.2 — the plan of audits over a period (a year or a three-year cycle)."""

    reference_prefix = "APR"

    title = models.CharField("title", max_length=200)
    period_start = models.DateField("period start")
    period_end = models.DateField("period end")
    frameworks = models.ManyToManyField("library.Framework", blank=True, related_name="+",
                                        verbose_name="frameworks (audit criteria)")
    sites = models.ManyToManyField("supplychain.Site", blank=True,
                                   related_name="audit_programmes", verbose_name="sites in scope")
    objectives = models.TextField("objectives and method", blank=True,
                                  help_text="What the programme must show, frequency, methods.")

    class Meta:
        ordering = ("-period_start", "title")
        verbose_name = "audit programme"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "title"),
                                    name="audits_programme_unique_title",
                                    violation_error_message="A programme with this title exists; "
                                    "choose another title."),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period ends before it starts."})


class Audit(PrimaryModel):
    """ISO 28000 9.2 — one audit: criteria, scope, team, dates, report; status by buttons."""

    reference_prefix = "AUD"

    programme = models.ForeignKey(AuditProgramme, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="audits", verbose_name="programme")
    title = models.CharField("title", max_length=200)
    audit_type = models.CharField("type", max_length=16, choices=AuditType,
                                  default=AuditType.INTERNAL)
    scope = models.TextField("scope", blank=True,
                             help_text="Processes, areas and activities audited.")
    sites = models.ManyToManyField("supplychain.Site", blank=True, related_name="audits",
                                   verbose_name="sites audited")
    partner = models.ForeignKey("supplychain.Partner", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="audits", verbose_name="partner",
                                help_text="For partner / supplier audits.")
    criteria = models.ManyToManyField("library.Framework", blank=True, related_name="+",
                                      verbose_name="criteria (frameworks)")
    requirements = models.ManyToManyField(
        "library.Requirement", blank=True, related_name="+", verbose_name="requirements in scope",
        help_text="Leave empty to audit every assessable requirement of the criteria.")
    responsible_persons = models.ManyToManyField(
        USER, blank=True, related_name="+", verbose_name="responsible for the audited scope",
        help_text="Process owners of what is audited; they cannot be on the audit team.")
    lead_auditor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="led_audits", verbose_name="lead auditor")
    team = models.ManyToManyField(USER, blank=True, related_name="audit_teams",
                                  verbose_name="audit team")
    planned_start = models.DateField("planned start")
    planned_end = models.DateField("planned end")
    actual_start = models.DateField("actual start", null=True, blank=True)
    actual_end = models.DateField("actual end", null=True, blank=True)
    status = models.CharField("status", max_length=12, choices=AuditStatus,
                              default=AuditStatus.PLANNED, editable=False)
    summary = models.TextField("report summary", blank=True)
    conclusion = models.TextField("conclusion", blank=True,
                                  help_text="Is the SMS conforming and effectively implemented?")

    class Meta:
        ordering = ("-planned_start", "title")

    def __str__(self):
        return f"{self.reference} {self.title}".strip()

    def clean(self):
        super().clean()
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = "The planned end is before the planned start."
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = "The actual end is before the actual start."
        if self.audit_type == AuditType.PARTNER and not self.partner_id:
            errors["partner"] = "A partner audit names the partner audited."
        if self.programme_id and self.organisation_id and \
                self.programme.organisation_id != self.organisation_id:
            errors["programme"] = "Choose a programme of this organisation."
        if errors:
            raise ValidationError(errors)


class ChecklistItem(PrimaryModel):
    """One question of an audit checklist, from a requirement or a checklist template."""

    reference_prefix = "CLI"

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="checklist",
                              verbose_name="audit")
    requirement = models.ForeignKey("library.Requirement", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name="requirement")
    order = models.PositiveIntegerField("order", default=0)
    question = models.TextField("question")
    result = models.CharField("result", max_length=16, choices=ChecklistResult,
                              default=ChecklistResult.NOT_CHECKED)
    notes = models.TextField("notes", blank=True)
    samples = models.TextField("samples taken", blank=True,
                               help_text="Records sampled, people interviewed, areas seen.")

    class Meta:
        ordering = ("audit", "order", "pk")
        verbose_name = "checklist item"

    def __str__(self):
        return self.question[:80]

    def clean(self):
        super().clean()
        if self.audit_id and self.organisation_id and \
                self.audit.organisation_id != self.organisation_id:
            raise ValidationError({"audit": "Choose an audit of this organisation."})
        # Whatever the path (inline editor, edit form, API, import): a closed audit's checklist
        # is part of its record.
        if self.audit_id and self.audit.status == AuditStatus.CLOSED:
            raise ValidationError("The audit is closed; its checklist is final.")


class Finding(PrimaryModel):
    """ISO 28000 9.2 / 10.2 — what the audit found; a nonconformity opens a corrective action."""

    reference_prefix = "FND"

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings",
                              verbose_name="audit")
    grade = models.CharField("grade", max_length=16, choices=Grade)
    statement = models.TextField("statement",
                                 help_text="What was found, against which requirement, with the "
                                           "objective evidence seen.")
    requirement = models.ForeignKey("library.Requirement", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name="requirement")
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="findings", verbose_name="site")
    checklist_item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="findings",
                                       verbose_name="checklist item")

    class Meta:
        ordering = ("audit", "pk")

    def __str__(self):
        return f"{self.reference} {self.get_grade_display()}".strip()

    def clean(self):
        super().clean()
        errors = {}
        if self.audit_id and self.organisation_id and \
                self.audit.organisation_id != self.organisation_id:
            errors["audit"] = "Choose an audit of this organisation."
        if self.checklist_item_id and self.audit_id and \
                self.checklist_item.audit_id != self.audit_id:
            errors["checklist_item"] = "Choose an item of this audit's checklist."
        if errors:
            raise ValidationError(errors)

    @property
    def is_nonconformity(self):
        """Major or minor nonconformity."""
        return self.grade in (Grade.MAJOR, Grade.MINOR)


def validate_root_cause(value):
    """ISO 28000 10.2 — a root-cause analysis as {"method": …}; errors say what to fix.

    The one rule for the form fields (`root_cause.RootCauseFields`), the API and imports."""
    if value in (None, {}, ""):
        return
    if not isinstance(value, dict):
        raise ValidationError('Give an object such as {"method": "five_whys", "whys": [...]}.')
    method = value.get("method")
    if method == "five_whys":
        whys = value.get("whys")
        if not isinstance(whys, list) or not whys:
            raise ValidationError("Five whys: write at least one why with its answer "
                                  '("whys": a list of {"why": …, "answer": …}).')
        for number, step in enumerate(whys, 1):
            if not isinstance(step, dict) or not str(step.get("why", "")).strip() or \
                    not str(step.get("answer", "")).strip():
                raise ValidationError(f"Why number {number} needs both the question and its "
                                      "answer.")
        if len(whys) > 10:
            raise ValidationError("Keep the five whys to at most ten steps.")
    elif method == "cause_categories":
        categories = value.get("categories")
        if not isinstance(categories, dict) or not categories:
            raise ValidationError("Cause categories: describe the cause in at least one "
                                  'category ("categories": {"people": …, …}).')
        unknown = sorted(set(categories) - set(CAUSE_CATEGORIES))
        if unknown:
            raise ValidationError(f"Unknown cause categories: {', '.join(unknown)}; use "
                                  f"{', '.join(CAUSE_CATEGORIES)}.")
        if not any(str(text).strip() for text in categories.values()):
            raise ValidationError("Describe at least one cause.")
    else:
        raise ValidationError('Choose the method: five whys or cause categories ("method" must '
                              'be "five_whys" or "cause_categories").')


class CorrectiveAction(PrimaryModel):
    """ISO 28000 10.2 — a corrective action (CAPA): contain, find the cause, act, verify."""

    reference_prefix = "CA"

    source = models.CharField("source", max_length=20, choices=CapaSource,
                              default=CapaSource.AUDIT_FINDING)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="corrective_actions", verbose_name="finding")
    title = models.CharField("title", max_length=200)
    description = models.TextField("description", blank=True)
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="corrective_actions", verbose_name="site",
                             help_text="Leave empty when it concerns the whole organisation.")
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="corrective_actions",
                              verbose_name="owner")
    due_date = models.DateField("due date")
    status = models.CharField("status", max_length=20, choices=CapaStatus,
                              default=CapaStatus.OPEN, editable=False)
    containment_action = models.TextField("containment (immediate action)", blank=True)
    containment_on = models.DateField("contained on", null=True, blank=True)
    root_cause = models.JSONField(
        "root-cause analysis", default=dict, blank=True, validators=[validate_root_cause],
        # The API's description; the form asks for it as fields (root_cause.RootCauseFields).
        help_text='{"method": "five_whys", "whys": [{"why": "…", "answer": "…"}]} or '
                  '{"method": "cause_categories", "categories": {"process": "…"}}; categories: '
                  + ", ".join(CAUSE_CATEGORIES) + ".")
    verified_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="verified by", editable=False)
    verified_on = models.DateField("verified on", null=True, blank=True, editable=False)
    verification_notes = models.TextField("verification notes", blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField("times reopened", default=0, editable=False)

    class Meta:
        ordering = ("due_date", "pk")
        verbose_name = "corrective action"

    def __str__(self):
        return f"{self.reference} {self.title}".strip()

    def clean(self):
        super().clean()
        errors = {}
        if self.source == CapaSource.AUDIT_FINDING and not self.finding_id:
            errors["finding"] = "An audit-finding corrective action names its finding."
        if self.finding_id and self.organisation_id and \
                self.finding.organisation_id != self.organisation_id:
            errors["finding"] = "Choose a finding of this organisation."
        if self.containment_on and self.containment_on > timezone.localdate():
            errors["containment_on"] = "Containment cannot be dated in the future."
        if errors:
            raise ValidationError(errors)

    @property
    def is_overdue(self):
        """Past its due date and not closed."""
        return self.status not in CAPA_DONE and self.due_date < timezone.localdate()


class CorrectiveActionStep(PrimaryModel):
    """One planned action of a corrective action, with its owner and due date."""

    reference_prefix = "CAS"

    corrective_action = models.ForeignKey(CorrectiveAction, on_delete=models.PROTECT,
                                          related_name="steps", verbose_name="corrective action")
    description = models.TextField("action")
    owner = models.ForeignKey(USER, on_delete=models.PROTECT,
                              related_name="corrective_action_steps", verbose_name="owner")
    due_date = models.DateField("due date")
    done_on = models.DateField("done on", null=True, blank=True)

    class Meta:
        ordering = ("due_date", "pk")
        verbose_name = "corrective action step"

    def __str__(self):
        return self.description[:80]

    def clean(self):
        super().clean()
        if self.done_on and self.done_on > timezone.localdate():
            raise ValidationError({"done_on": "An action cannot be done in the future."})

    @property
    def is_overdue(self):
        """Past its due date and not done."""
        return self.done_on is None and self.due_date < timezone.localdate()


# Audits are kept by the security manager and internal auditors; site officers read their
# sites' audits and keep their sites' corrective actions; external auditors read only.
AUDIT_ROLES = roles.matrix(manager=roles.FULL, officer=roles.READ_EXPORT, auditor=roles.EDIT,
                           contributor=roles.READ, viewer=roles.READ, external=roles.READ)
register(AuditProgramme, roles=AUDIT_ROLES)
register(Audit, site_paths=("sites",), siteless_is_organisation_wide=True, roles=AUDIT_ROLES)
register(ChecklistItem, site_paths=("audit__sites",), siteless_is_organisation_wide=True,
         roles=AUDIT_ROLES)
# A finding at a site belongs to that site; one without a site follows its audit's sites.
register(Finding, site_paths=("site", "audit__sites"), site_fallback=True,
         siteless_is_organisation_wide=True, roles=AUDIT_ROLES)
# "site_id", not "site": the add check of an unsaved record (core.scope.allows) compares the
# column with the person's site ids, so an officer can open one at their own site.
register(CorrectiveAction, site_paths=("site_id",), siteless_is_organisation_wide=True,
         actions=("verify",),
         roles=roles.matrix(manager=(*roles.FULL, "verify"), officer=roles.EDIT,
                            auditor=(*roles.EDIT, "verify"), contributor=roles.EDIT,
                            viewer=roles.READ, external=roles.READ))
register(CorrectiveActionStep, site_paths=("corrective_action__site",),
         siteless_is_organisation_wide=True,
         roles=roles.matrix(officer=roles.EDIT, auditor=roles.EDIT, contributor=roles.EDIT,
                            viewer=roles.READ, external=roles.READ))
