"""Security objectives and their measurements (ISO 28000 6.2); security plans (ISO 28001 5.4,
ISO 28000 8.6)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register
from chainward.core.versioning import FrozenVersion, VersionedRecord
from chainward.documents.choices import Classification

from .choices import Direction, IncidentMeasure, ObjectiveStatus, PlanStatus, ReviewFrequency
from .status import assess

VALUE = {"max_digits": 12, "decimal_places": 2}


class SecurityObjective(PrimaryModel):
    """ISO 28000 6.2.1 — one measurable security objective with its KPI, target and due date;
    6.2.2 — the plan to reach it: what will be done, with which resources, by whom and when.

    Its status (on track / at risk / off track) is computed from the measurements, never
    stored: see `chainward.plans.status` for the rule.
    """

    reference_prefix = "OBJ"

    title = models.CharField("objective", max_length=200)
    description = models.TextField(
        "description", blank=True,
        help_text="Why this objective, and how it follows from the security policy and the "
                  "risk assessment.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="security_objectives", verbose_name="owner",
                              help_text="Who is responsible for reaching the objective.")
    sites = models.ManyToManyField("supplychain.Site", blank=True,
                                   related_name="security_objectives",
                                   verbose_name="sites concerned",
                                   help_text="Leave empty when it concerns the whole "
                                             "organisation.")
    kpi_name = models.CharField("measure (KPI)", max_length=200,
                                help_text="What is measured, e.g. cargo-theft incidents per "
                                          "1,000 shipments.")
    unit = models.CharField("unit", max_length=40, blank=True, help_text="e.g. %, incidents.")
    incident_measure = models.CharField(
        "measured from the incident register", max_length=20, choices=IncidentMeasure,
        blank=True, help_text="Leave empty for a KPI measured by hand. Counted over the review "
        "period at the objective's sites; for a value lost, give the currency (EUR) as unit.")
    direction = models.CharField("direction", max_length=16, choices=Direction,
                                 default=Direction.HIGHER_IS_BETTER)
    baseline = models.DecimalField("baseline", null=True, blank=True, **VALUE,
                                   help_text="The value when the objective was set.")
    target = models.DecimalField("target", **VALUE)
    due_date = models.DateField("due date", help_text="When the target must be reached.")
    planned_actions = models.TextField(
        "planned actions",
        help_text="What will be done, who is responsible and when each step will be "
                  "completed (ISO 28000 6.2.2).")
    resources = models.TextField("resources required", blank=True,
                                 help_text="Budget, people and tools the actions need.")
    review_frequency = models.CharField("review frequency", max_length=12,
                                        choices=ReviewFrequency,
                                        default=ReviewFrequency.QUARTERLY)

    class Meta:
        ordering = ("due_date", "title")
        verbose_name = "security objective"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "title"),
                                    name="plans_objective_unique_title",
                                    violation_error_message="An objective with this title "
                                    "already exists; give this one a distinct title."),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.owner_id and self.organisation_id and not self.owner.role_assignments.filter(
                organisation_id=self.organisation_id, archived=False).exists():
            raise ValidationError({"owner": "Choose a person with a role in this organisation."})

    def assessment(self, today=None):
        """The computed status with its figures (uses prefetched measurements when present)."""
        points = [(m.measured_on, m.value) for m in self.measurements.all() if not m.archived]
        return assess(self.direction, self.target, self.due_date,
                      today or timezone.localdate(), points)

    @property
    def status(self):
        """The computed status value (see `chainward.plans.status`)."""
        return self.assessment().status

    def get_status_display(self):
        """The computed status as people read it (lists and exports use this)."""
        return ObjectiveStatus(self.status).label


class Measurement(PrimaryModel):
    """ISO 28000 6.2.2 e / 9.1 — one value of an objective's KPI on one date."""

    reference_prefix = "MEA"

    objective = models.ForeignKey(SecurityObjective, on_delete=models.PROTECT,
                                  related_name="measurements", verbose_name="objective")
    measured_on = models.DateField("measured on")
    value = models.DecimalField("value", **VALUE)
    note = models.CharField("note", max_length=300, blank=True,
                            help_text="Source of the figure, or what explains it.")

    class Meta:
        ordering = ("-measured_on",)
        constraints = [
            models.UniqueConstraint(fields=("objective", "measured_on"),
                                    name="plans_measurement_unique_date",
                                    violation_error_message="This objective already has a "
                                    "measurement on this date; edit that one instead."),
        ]

    def __str__(self):
        return f"{self.objective} — {self.measured_on}"

    def clean(self):
        super().clean()
        errors = {}
        if self.objective_id and self.organisation_id and \
                self.objective.organisation_id != self.organisation_id:
            errors["objective"] = "Choose an objective of this organisation."
        if self.measured_on and self.measured_on > timezone.localdate():
            errors["measured_on"] = "A measurement cannot be dated in the future."
        if errors:
            raise ValidationError(errors)


class SecurityPlan(PrimaryModel):
    """ISO 28001 5.4 / ISO 28000 8.6 — the supply-chain security plan written from a completed
    security assessment. Its content lives in versions: each is generated from the assessment,
    completed with the response, communication and recovery arrangements, then approved.

    Security-sensitive (ISO 28001 5.8): restricted by default, visible only to roles granted
    on the sites it covers.
    """

    reference_prefix = "SP"

    title = models.CharField("title", max_length=200)
    assessment = models.ForeignKey("risk.SecurityAssessment", on_delete=models.PROTECT,
                                   related_name="security_plans",
                                   verbose_name="security assessment",
                                   help_text="The completed assessment the plan answers.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="security_plans", verbose_name="owner")
    sites = models.ManyToManyField("supplychain.Site", blank=True, related_name="security_plans",
                                   verbose_name="sites covered",
                                   help_text="Taken from the assessment's scope.")
    classification = models.CharField("classification", max_length=12, choices=Classification,
                                      default=Classification.RESTRICTED)

    class Meta:
        ordering = ("title",)
        verbose_name = "security plan"

    def __str__(self):
        return self.title

    def current_version(self):
        """The approved version, or None."""
        return self.versions.filter(status=PlanStatus.APPROVED).first()


# What a refused change of a plan version raises (core.versioning), under its old name.
FrozenPlan = FrozenVersion


class SecurityPlanVersion(VersionedRecord, PrimaryModel):
    """One version of a security plan: the generated part (scope, threat scenarios and their
    ratings, countermeasures with owners and dates — a snapshot of the assessment) and the
    arrangements people write (ISO 28000 8.6.2 response structure, 8.6.3 warning and
    communication, 8.6.5 recovery; monitoring and review triggers; ISO 28001 5.8 protection of
    the information). Reviewed like a controlled document (`core.versioning`): draft → in
    review → approved, or returned to its author; approved versions are frozen.
    """

    reference_prefix = "SPV"
    parent_field = "plan"
    content_fields = ("content", "generated_at", "change_summary", "response_structure",
                      "warning_and_communication", "recovery", "monitoring_and_review",
                      "information_protection")
    new_version_hint = "generate a new version instead"
    reviewed_noun = "plan version"

    plan = models.ForeignKey(SecurityPlan, on_delete=models.PROTECT, related_name="versions",
                             verbose_name="security plan")
    content = models.JSONField("generated content", default=dict, editable=False)
    generated_at = models.DateTimeField("generated", null=True, editable=False)
    response_structure = models.TextField(
        "response structure", help_text="ISO 28000 8.6.2 — the response team: roles, "
        "authority, competence, call-out and escalation.")
    warning_and_communication = models.TextField(
        "warning and communication", help_text="ISO 28000 8.6.3 — how incidents are detected "
        "and reported, and who tells the authorities, partners and the media.")
    recovery = models.TextField("recovery", help_text="ISO 28000 8.6.5 — restoring operations "
                                "and standing down temporary measures after an incident.")
    monitoring_and_review = models.TextField(
        "monitoring and review triggers", help_text="When the plan is tested, reviewed and "
        "re-assessed (annually, new sites/legs/partners, incidents, threat-level changes).")
    information_protection = models.TextField(
        "protection of the information", help_text="ISO 28001 5.8 — who may see the plan, "
        "how copies are controlled and how it is transmitted.")
    change_summary = models.CharField("what changed", max_length=300, blank=True)
    # The rendered PDF (made in the request for small plans, by a job for large ones); the
    # download stamps it with the reader's name on the way out.
    pdf_file = models.CharField(max_length=300, blank=True, editable=False)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("plan", "-number")
        verbose_name = "security plan version"
        constraints = [
            models.UniqueConstraint(fields=("plan", "number"),
                                    name="plans_planversion_unique_number"),
        ]

    def __str__(self):
        return f"{self.plan} v{self.number}"


# Objectives are set by management; measurements are recorded by whoever keeps records.
register(SecurityObjective, roles=roles.matrix(officer=roles.READ_EXPORT,
                                                contributor=roles.READ_EXPORT))
register(Measurement, roles=roles.matrix())
# Security plans are restricted (ISO 28001 5.8): only people granted on the sites covered see
# them — a plan without sites is seen by organisation-wide grants only. Viewers see none.
PLAN_ROLES = roles.matrix(manager=(*roles.FULL, "approve"), officer=roles.READ_EXPORT,
                          top=("view", "export", "approve"), contributor=roles.READ,
                          viewer=roles.NONE)
register(SecurityPlan, roles=PLAN_ROLES, site_paths=("sites",),
         siteless_is_organisation_wide=False, actions=("approve",))
register(SecurityPlanVersion, roles=PLAN_ROLES, site_paths=("plan__sites",),
         siteless_is_organisation_wide=False, actions=("approve",))
