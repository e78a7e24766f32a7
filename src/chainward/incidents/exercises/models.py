"""ISO 28000 8.6 — exercises that test a security plan: the programme (planned exercises with
due dates, optionally repeating) and the record of each one held.

Scope: an exercise is placed at the site where it is held (one of its plan's sites); an
exercise across the whole plan has no site and is seen by organisation-wide grants only, like
a security plan without sites (restricted, ISO 28001 5.8).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register


class ExerciseType(models.TextChoices):
    TABLETOP = "tabletop", "Tabletop exercise"
    DRILL = "drill", "Drill"
    FULL_SCALE = "full_scale", "Full-scale exercise"


class ExerciseResult(models.TextChoices):
    MET = "met", "Objectives met"
    PARTLY_MET = "partly_met", "Objectives partly met"
    NOT_MET = "not_met", "Objectives not met"


class Exercise(PrimaryModel):
    """ISO 28000 8.6 — one exercise of a security plan's programme: a tabletop, drill or
    full-scale exercise of a threat scenario (from the catalogue or a past incident), due on a
    date; once held, who took part, what was tested, what was observed, the result and the
    corrective actions it opened."""

    reference_prefix = "EXR"

    plan = models.ForeignKey("plans.SecurityPlan", on_delete=models.PROTECT,
                             related_name="exercises", verbose_name="security plan")
    title = models.CharField("title", max_length=200,
                             help_text="e.g. 'Hijacking on the A2: call-out and police "
                                       "notification'.")
    exercise_type = models.CharField("type", max_length=12, choices=ExerciseType)
    threat_scenario = models.ForeignKey(
        "library.CatalogEntry", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="threat scenario",
        limit_choices_to={"kind": "threat_scenario", "retired": False},
        help_text="The scenario exercised, from the threat catalogue.")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="exercises",
                                 verbose_name="incident replayed",
                                 help_text="Or a past incident the exercise replays.")
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="security_exercises", verbose_name="site",
                             help_text="Where it is held: one of the plan's sites. Leave empty "
                                       "for an exercise across the whole plan.")
    due_on = models.DateField("due by")
    repeat_months = models.PositiveSmallIntegerField(
        "repeat every (months)", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="When it is held, the next one is planned this many months later.")
    held_on = models.DateField("held on", null=True, blank=True)
    participants = models.TextField("participants", blank=True,
                                    help_text="Who took part, with their function (and the "
                                              "authorities or partners who joined).")
    tested = models.TextField("what was tested", blank=True,
                              help_text="The parts of the plan and the countermeasures "
                                        "tested, e.g. call-out, notification of the police, "
                                        "gate lockdown.")
    observations = models.TextField("observations", blank=True)
    result = models.CharField("result", max_length=12, choices=ExerciseResult, blank=True)
    corrective_actions = models.ManyToManyField(
        "audits.CorrectiveAction", blank=True, related_name="exercises", editable=False,
        verbose_name="corrective actions",
        help_text="Opened from the exercise's actions (ISO 28000 10.2).")
    follows = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="followed_by", editable=False,
                                verbose_name="follows",
                                help_text="The exercise whose repetition planned this one.")

    class Meta:
        ordering = ("due_on", "pk")
        verbose_name = "exercise"
        indexes = [models.Index(fields=("organisation", "archived", "held_on", "due_on"),
                                name="incidents_exercise_due")]

    def __str__(self):
        return f"{self.reference} {self.title}".strip()

    @property
    def is_overdue(self) -> bool:
        """Not held and past its due date."""
        return self.held_on is None and self.due_on is not None and \
            self.due_on < timezone.localdate()

    @property
    def state(self) -> str:
        """held, overdue or planned (computed, never stored)."""
        if self.held_on:
            return "held"
        return "overdue" if self.is_overdue else "planned"

    def clean(self):
        super().clean()
        errors = {}
        org = self.organisation_id
        plan = self.plan if self.plan_id else None
        if plan is not None and org and plan.organisation_id != org:
            errors["plan"] = "Choose a security plan of this organisation."
        elif plan is not None and plan.archived and not self.archived:
            errors["plan"] = "This security plan is archived; restore it or choose another."
        if not (self.threat_scenario_id or self.incident_id):
            errors["threat_scenario"] = ("Name the scenario exercised: a threat scenario of "
                                         "the catalogue or a past incident.")
        if self.threat_scenario_id and self.threat_scenario.kind != "threat_scenario":
            errors["threat_scenario"] = "Choose a threat scenario of the catalogue."
        if self.incident_id and org and self.incident.organisation_id != org:
            errors["incident"] = "Choose an incident of this organisation."
        if self.site_id and org and self.site.organisation_id != org:
            errors["site"] = "Choose a site of this organisation."
        elif self.site_id and plan is not None and plan.pk and "plan" not in errors:
            plan_sites = set(plan.sites.values_list("pk", flat=True))
            if plan_sites and self.site_id not in plan_sites:
                errors["site"] = ("Choose one of the plan's sites, or leave it empty for an "
                                  "exercise across the whole plan.")
        errors.update(self._held_errors())
        if errors:
            raise ValidationError(errors)

    def _held_errors(self):
        errors = {}
        if self.held_on is None:
            if self.result:
                errors["held_on"] = "Give the date it was held before recording its result."
            return errors
        if self.held_on > timezone.localdate():
            errors["held_on"] = ("An exercise cannot be held in the future; change its due "
                                 "date instead.")
        if not self.participants.strip():
            errors["participants"] = "Say who took part."
        if not self.tested.strip():
            errors["tested"] = "Say what the exercise tested."
        if not self.result:
            errors["result"] = "Record the result of the exercise."
        elif self.result != ExerciseResult.MET and not self.observations.strip():
            errors["observations"] = ("Write what was observed: objectives that were not met "
                                      "need the observations the actions start from.")
        return errors


# Exercises are restricted like the plans they test and the incidents they replay (ISO 28001
# 5.8): site officers and contributors plan and record them at their sites, Viewers see none,
# top management and auditors read and export, the external auditor samples the drill reports
# at stage 2 (read). Only the security manager archives or imports.
register(Exercise, site_paths=("site_id",), siteless_is_organisation_wide=False,
         roles=roles.matrix(viewer=roles.NONE))
