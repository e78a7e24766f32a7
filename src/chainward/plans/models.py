"""Security objectives and their measurements (ISO 28000 6.2)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.access import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register

from .choices import Direction, ObjectiveStatus, ReviewFrequency
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


# Objectives are set by management; measurements are recorded by whoever keeps records.
register(SecurityObjective, roles=roles.matrix(officer=roles.READ_EXPORT,
                                                contributor=roles.READ_EXPORT))
register(Measurement, roles=roles.matrix())
