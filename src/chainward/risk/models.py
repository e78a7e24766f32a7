"""The ISO 28001 security assessment (5.2-5.6) and ISO 28000 6.1 / 8.2-8.5 risk treatment.

Design decisions (see also `services.py`):

* A `RiskMatrix` is data owned by an organisation; the default is copied from the catalogue
  entry of kind `risk_matrix` (`services.default_matrix`). A matrix used by a COMPLETED
  assessment is frozen (`frozen` is set on completion and the form refuses any change to its
  scales, grid or acceptance level): an assessment keeps the matrix it was made with. Build a
  new matrix for new criteria.
* Levels are computed on the server when a rating is saved (`Rating.compute_levels`) and stored
  with their rank, so lists, filters, heat maps and the map read the same value.
* Threat scenarios are the library's (CatalogEntry kind `threat_scenario`) or the
  organisation's own: a `ThreatApplicability` with `custom_scenario` text and the ISO 28001
  threat categories (ref_ids) it belongs to.
* Ratings, assessments and acceptances are restricted (ISO 28001 5.8): site-limited people see
  only records reaching their sites; partner-only ratings and site-less assessments are seen by
  organisation-wide grants only (`siteless_is_organisation_wide=False`).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import ExpiryMixin, PrimaryModel
from chainward.core.registry import register

from . import levels
from .choices import (
    DONE,
    AssessmentStatus,
    Classification,
    CountermeasureStatus,
    Decision,
    MeasureType,
)
from .scope import scope_errors
from .targets import Process, Target

MATRIX_FIELDS = ("likelihood_levels", "consequence_levels", "consequence_categories",
                 "risk_levels", "grid", "acceptance_level")
CLOSED = {AssessmentStatus.COMPLETED, AssessmentStatus.ARCHIVED}


class RiskMatrix(PrimaryModel):
    """An organisation's likelihood × consequence matrix and its acceptance criterion."""

    reference_prefix = "RMX"

    name = models.CharField("name", max_length=200)
    source_urn = models.CharField("copied from", max_length=200, blank=True, editable=False)
    likelihood_levels = models.JSONField(
        "likelihood scale", default=list,
        help_text='Ascending list of {"value": 1, "name": "Rare", "description": "…"}.')
    consequence_levels = models.JSONField(
        "consequence scale", default=list,
        help_text='Ascending list of {"value": 1, "name": "Negligible", "description": "…"}.')
    consequence_categories = models.JSONField(
        "consequence categories", default=list,
        help_text='List of {"ref_id": "life", "name": "Life and injury", "description": "…"}.')
    risk_levels = models.JSONField(
        "risk levels", default=list,
        help_text='Lowest first: {"ref_id": "low", "name": "Low", "colour": "#4caf50"}.')
    grid = models.JSONField(
        "grid", default=list,
        help_text="One row per likelihood level (ascending), one cell per consequence level "
                  "(ascending); each cell is a risk level's ref_id.")
    acceptance_level = models.CharField(
        "acceptable up to", max_length=40,
        help_text="The highest risk level acceptable without a formal risk acceptance.")
    threat_level_changed_on = models.DateField(
        "threat level changed on", null=True, blank=True,
        help_text="When the threat environment last changed (alert level, intelligence, "
                  "incident in the sector): assessments completed before it are due for "
                  "re-assessment.")
    threat_level_note = models.CharField("threat level change", max_length=300, blank=True)
    frozen = models.BooleanField(
        "frozen", default=False, editable=False,
        help_text="Used by a completed assessment: its scales and grid can no longer change.")

    class Meta:
        ordering = ("name",)
        verbose_name = "risk matrix"
        verbose_name_plural = "risk matrices"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "name"),
                                    name="risk_matrix_unique_name",
                                    violation_error_message="A risk matrix with this name "
                                    "already exists."),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = levels.validate({f: getattr(self, f) for f in MATRIX_FIELDS})
        if self.pk and self.frozen:
            saved = RiskMatrix._base_manager.filter(pk=self.pk).values(*MATRIX_FIELDS).first()
            changed = [f for f in MATRIX_FIELDS if saved and saved[f] != getattr(self, f)]
            for name in changed:
                errors.setdefault(name, "This matrix was used by a completed assessment and "
                                        "is frozen; create a new matrix instead.")
        if errors:
            raise ValidationError(errors)

    def level_for(self, likelihood, consequence):
        return levels.level_for(self, likelihood, consequence)

    def rank_of(self, ref_id):
        return levels.rank_of(self, ref_id)

    def level_info(self, ref_id):
        return levels.level_info(self, ref_id)

    @property
    def acceptance_rank(self):
        return levels.acceptance_rank(self)

    def category_ids(self):
        return [c["ref_id"] for c in self.consequence_categories]


class SecurityAssessment(PrimaryModel):
    """ISO 28001 5.2-5.6: one security assessment of a scope, with its team and ratings."""

    reference_prefix = "SA"

    title = models.CharField("title", max_length=200)
    statement = models.ForeignKey(
        "supplychain.StatementOfApplication", on_delete=models.PROTECT, null=True, blank=True,
        related_name="security_assessments", verbose_name="statement of application")
    sites = models.ManyToManyField("supplychain.Site", blank=True,
                                   related_name="security_assessments", verbose_name="sites")
    legs = models.ManyToManyField("supplychain.Leg", blank=True,
                                  related_name="security_assessments", verbose_name="legs")
    partners = models.ManyToManyField("supplychain.Partner", blank=True,
                                      related_name="security_assessments",
                                      verbose_name="partners")
    processes = models.TextField(
        "processes in scope", blank=True,
        help_text="In words. The process records running at these sites (or serving the whole "
                  "organisation) are in scope as targets and must be rated or judged not "
                  "credible.")
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT,
                               related_name="assessments", verbose_name="risk matrix")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="security_assessments",
                                 verbose_name="lead assessor")
    status = models.CharField("status", max_length=12, choices=AssessmentStatus,
                              default=AssessmentStatus.DRAFT, editable=False)
    baseline = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="reassessments",
                                 verbose_name="baseline (previous assessment)")
    classification = models.CharField("classification", max_length=12,
                                      choices=Classification,
                                      default=Classification.RESTRICTED)
    method = models.TextField("method and sources", blank=True,
                              help_text="How the assessment was made: interviews, site "
                                        "visits, intelligence sources.")
    completed_on = models.DateField("completed on", null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "security assessment"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "title"),
                                    name="risk_assessment_unique_title",
                                    violation_error_message="An assessment with this title "
                                    "already exists."),
        ]

    def __str__(self):
        return self.title

    @property
    def is_closed(self):
        return self.status in CLOSED

    def clean(self):
        super().clean()
        errors = {}
        if self.pk and self.status in CLOSED:
            raise ValidationError("A completed assessment is a record and cannot be edited; "
                                  "start a re-assessment from it instead.")
        if self.matrix_id and self.organisation_id and \
                self.matrix.organisation_id != self.organisation_id:
            errors["matrix"] = "Choose a matrix of this organisation."
        if self.baseline_id and self.pk and self.baseline_id == self.pk:
            errors["baseline"] = "An assessment cannot be its own baseline."
        if self.pk and self.assessor_id and RiskAcceptance.objects.filter(
                rating__assessment_id=self.pk, accepted_by_id=self.assessor_id,
                archived=False).exists():
            # Independence (ISO 28000 6.1.2): the acceptor of a risk never becomes its assessor.
            errors["assessor"] = ("This person accepted a risk of this assessment; the assessor "
                                  "must be someone else.")
        if errors:
            raise ValidationError(errors)


class AssessmentChild(PrimaryModel):
    """A record of an assessment: edits stop once the assessment is completed."""

    assessment = models.ForeignKey(SecurityAssessment, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="assessment")

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.assessment_id:
            if self.organisation_id and self.assessment.organisation_id != self.organisation_id:
                raise ValidationError({"assessment": "Choose an assessment of this "
                                                     "organisation."})
            if self.assessment.is_closed:
                raise ValidationError({"assessment": "This assessment is completed; start a "
                                                     "re-assessment to change it."})


class AssessmentMember(AssessmentChild):
    """ISO 28001 5.3: a member of the assessment team, qualified and bound to confidentiality.

    The member is a person of the staff register (people app), so their qualification is shown
    by their training records (ISO 28000 7.2) rather than typed in; their user account, when
    they have one, is copied from that person. Rows from before the staff register keep their
    account and free-text notes until someone links the person (`person` is required on every
    save, nullable in the table only for them)."""

    reference_prefix = "SAM"

    assessment = models.ForeignKey(SecurityAssessment, on_delete=models.PROTECT,
                                   related_name="members", verbose_name="assessment")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True,
                               related_name="assessment_memberships", verbose_name="person",
                               help_text="From the staff register: their training records "
                                         "show their qualification.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, editable=False, related_name="assessment_memberships",
                             verbose_name="user account")
    role_in_team = models.CharField("role in the team", max_length=120)
    qualifications = models.TextField(
        "qualification notes", blank=True,
        help_text="Only what the person's training records do not show (experience, sector "
                  "knowledge); the records themselves are listed on the assessment.")
    undertaking_signed_on = models.DateField(
        "confidentiality undertaking signed on", null=True, blank=True)

    class Meta:
        ordering = ("assessment", "role_in_team")
        verbose_name = "assessment team member"
        constraints = [
            models.UniqueConstraint(fields=("assessment", "person"),
                                    name="risk_member_person_once",
                                    violation_error_message="This person is already in the "
                                    "team."),
        ]

    def __str__(self):
        who = self.person if self.person_id else self.user
        return f"{who} — {self.role_in_team}"

    def save(self, *args, **kwargs):
        if self.person_id:  # the account follows the person (None when they have none)
            self.user_id = self.person.user_id
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.person_id and self.organisation_id and \
                self.person.organisation_id != self.organisation_id:
            raise ValidationError({"person": "Choose a person of this organisation."})


class ExistingMeasure(AssessmentChild, Target):
    """ISO 28001 5.3: a security measure already in place at a target, which the ratings of its
    assessment rely on (`Rating.existing_measures`)."""

    reference_prefix = "EXM"

    assessment = models.ForeignKey(SecurityAssessment, on_delete=models.PROTECT,
                                   related_name="existing_measures", verbose_name="assessment")
    measure_type = models.CharField("type", max_length=16, choices=MeasureType)
    description = models.TextField("description")
    reference_control = models.ForeignKey(
        "library.CatalogEntry", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="reference control",
        limit_choices_to={"kind": "reference_control"},
        help_text="The catalogue's reference control this measure is an instance of.")
    requirement = models.ForeignKey(
        "library.Requirement", on_delete=models.PROTECT, null=True, blank=True,
        related_name="existing_measures", verbose_name="requirement",
        help_text="A clause or criterion (ISO 28000, C-TPAT, AEO…) this measure meets.")

    class Meta:
        ordering = ("assessment", "measure_type")
        verbose_name = "existing measure"

    def __str__(self):
        return f"{self.reference} {self.get_measure_type_display()}: {self.description[:60]}"

    def clean(self):
        super().clean()
        errors = self.target_errors()
        if self.reference_control_id and self.reference_control.kind != "reference_control":
            errors["reference_control"] = "Choose a reference control of the catalogue."
        if errors:
            raise ValidationError(errors)


class ThreatApplicability(AssessmentChild):
    """ISO 28001 5.3: whether a threat scenario applies to the assessed scope, and why not."""

    reference_prefix = "TAP"

    assessment = models.ForeignKey(SecurityAssessment, on_delete=models.PROTECT,
                                   related_name="applicability", verbose_name="assessment")
    scenario = models.ForeignKey(
        "library.CatalogEntry", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="library scenario",
        limit_choices_to={"kind": "threat_scenario", "retired": False})
    custom_scenario = models.CharField(
        "own scenario", max_length=300, blank=True,
        help_text="A scenario of your own, when the library has none that fits.")
    custom_categories = models.JSONField(
        "threat categories of the own scenario", default=list, blank=True,
        help_text='ISO 28001 category codes, e.g. ["CI", "UA"].')
    applicable = models.BooleanField("applicable", default=True)
    justification = models.TextField("justification", blank=True,
                                     help_text="Required when the scenario does not apply.")

    class Meta:
        ordering = ("assessment", "scenario__order", "custom_scenario")
        verbose_name = "threat applicability"
        verbose_name_plural = "threat applicability"
        constraints = [
            models.UniqueConstraint(fields=("assessment", "scenario"),
                                    name="risk_applicability_once",
                                    violation_error_message="This scenario is already "
                                    "considered in this assessment."),
        ]

    def __str__(self):
        return self.scenario_label

    @property
    def scenario_label(self):
        if self.scenario_id:
            return str(self.scenario)
        return self.custom_scenario

    @property
    def categories(self):
        """ISO 28001 threat category codes this scenario belongs to."""
        if self.scenario_id:
            return list(self.scenario.data.get("iso28001_categories") or [])
        return list(self.custom_categories or [])

    def clean(self):
        super().clean()
        errors = {}
        if self.custom_categories is None:
            self.custom_categories = []
        if bool(self.scenario_id) == bool(self.custom_scenario.strip()):
            errors["scenario"] = "Choose a library scenario or describe your own (not both)."
        if self.scenario_id and self.scenario.kind != "threat_scenario":
            errors["scenario"] = "Choose a threat scenario."
        if not isinstance(self.custom_categories, list) or not all(
                isinstance(c, str) for c in self.custom_categories):
            errors["custom_categories"] = 'Give a list of category codes, e.g. ["CI"].'
        elif self.custom_scenario.strip() and not self.custom_categories:
            errors["custom_categories"] = "Say which ISO 28001 threat categories it covers."
        elif self.custom_categories:
            from chainward.library.models import CatalogEntry

            known = set(CatalogEntry.objects.filter(kind="threat_category", retired=False)
                        .values_list("ref_id", flat=True))
            unknown = sorted(set(self.custom_categories) - known)
            if unknown:
                errors["custom_categories"] = (
                    f"Unknown ISO 28001 threat categories: {', '.join(unknown)}; use "
                    f"{', '.join(sorted(known)) or 'the catalogue codes'}.")
        if not self.applicable and not self.justification.strip():
            errors["justification"] = "Say why this scenario does not apply."
        if errors:
            raise ValidationError(errors)


class Countermeasure(PrimaryModel):
    """ISO 28000 8.2-8.5 / ISO 28001 5.3: a security measure planned or in place.

    The security plan (ISO 28001 5.4) lists it and its execution (5.5) is tracked here.
    """

    reference_prefix = "CM"

    title = models.CharField("countermeasure", max_length=200)
    measure_type = models.CharField("type", max_length=16, choices=MeasureType)
    description = models.TextField("description", blank=True)
    status = models.CharField("status", max_length=12, choices=CountermeasureStatus,
                              default=CountermeasureStatus.PLANNED)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="countermeasures", verbose_name="owner")
    due_date = models.DateField("due date", null=True, blank=True)
    cost = models.DecimalField("estimated cost", max_digits=12, decimal_places=2, null=True,
                               blank=True)
    sites = models.ManyToManyField("supplychain.Site", blank=True,
                                   related_name="countermeasures", verbose_name="sites",
                                   help_text="Leave empty when it applies to the whole "
                                             "organisation.")
    requirements = models.ManyToManyField(
        "library.Requirement", blank=True, related_name="countermeasures",
        verbose_name="requirements satisfied",
        help_text="ISO 28000 clauses, C-TPAT criteria… this measure helps satisfy.")
    source_control = models.ForeignKey(
        "library.CatalogEntry", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="reference control",
        limit_choices_to={"kind": "reference_control"})
    effectiveness_review = models.TextField("effectiveness review", blank=True)
    reviewed_on = models.DateField("effectiveness reviewed on", null=True, blank=True)

    class Meta:
        ordering = ("due_date", "title")
        verbose_name = "countermeasure"

    def __str__(self):
        return self.title

    @property
    def is_overdue(self):
        return (self.due_date is not None and self.due_date < timezone.localdate()
                and self.status not in DONE)

    def clean(self):
        super().clean()
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            raise ValidationError({"reviewed_on": "A review cannot be dated in the future."})


class Rating(AssessmentChild, Target):
    """ISO 28001 5.3: one threat scenario rated at one target (site, leg, partner or process)."""

    reference_prefix = "RAT"

    assessment = models.ForeignKey(SecurityAssessment, on_delete=models.PROTECT,
                                   related_name="ratings", verbose_name="assessment")
    threat = models.ForeignKey(ThreatApplicability, on_delete=models.PROTECT,
                               related_name="ratings", verbose_name="threat scenario")
    consequences = models.JSONField(
        "consequence per category", default=dict, blank=True,
        help_text='{category ref_id: consequence level}, e.g. {"economic": 4, "legal": 3}.')
    consequence = models.PositiveSmallIntegerField("consequence (worst category)", null=True,
                                                   blank=True, editable=False)
    existing_measures = models.ManyToManyField(
        ExistingMeasure, blank=True, related_name="ratings",
        verbose_name="existing measures relied on",
        help_text="Measures of this assessment already in place that the likelihood counts "
                  "on.")
    likelihood = models.PositiveSmallIntegerField(
        "likelihood", null=True, blank=True, help_text="Given the existing measures.")
    inherent_level = models.CharField("inherent level", max_length=40, blank=True,
                                      editable=False)
    inherent_rank = models.PositiveSmallIntegerField("inherent rank", default=0,
                                                     editable=False, db_index=True)
    decision = models.CharField("decision", max_length=12, choices=Decision, blank=True)
    countermeasures = models.ManyToManyField(Countermeasure, blank=True,
                                             related_name="ratings",
                                             verbose_name="countermeasures")
    residual_likelihood = models.PositiveSmallIntegerField("residual likelihood", null=True,
                                                           blank=True)
    residual_consequence = models.PositiveSmallIntegerField("residual consequence", null=True,
                                                            blank=True)
    residual_level = models.CharField(
        "residual level", max_length=40, blank=True, editable=False,
        help_text="From the residual rating; the inherent level while there is none.")
    residual_rank = models.PositiveSmallIntegerField("residual rank", default=0,
                                                     editable=False, db_index=True)
    above_appetite = models.BooleanField("above appetite", default=False, editable=False,
                                         db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="risk_ratings", verbose_name="risk owner")
    reviewed = models.BooleanField(
        "reviewed", default=True,
        help_text="Unticked on ratings carried over from a baseline until someone reviews them.")
    notes = models.TextField("notes", blank=True,
                             help_text="Vulnerabilities found, existing measures considered.")

    class Meta:
        ordering = ("assessment", "-residual_rank", "reference")
        verbose_name = "risk rating"
        indexes = [models.Index(fields=("organisation", "archived", "residual_rank"),
                                name="risk_rating_register")]

    def __str__(self):
        return f"{self.reference} {self.threat} @ {self.target_label}"

    def save(self, *args, **kwargs):
        self.compute_levels(self.assessment.matrix)
        super().save(*args, **kwargs)

    @property
    def label(self):
        """Reference, scenario and target: how completion errors name a rating."""
        return f"{self.reference} ({self.threat.scenario_label} @ {self.target_label})"

    @property
    def inherent_name(self):
        return self.assessment.matrix.level_info(self.inherent_level)["name"]

    @property
    def residual_name(self):
        return self.assessment.matrix.level_info(self.residual_level)["name"]

    def compute_levels(self, matrix):
        """Store the worst consequence, inherent and residual levels from `matrix`."""
        self.consequence = levels.worst_consequence(self.consequences)
        self.inherent_level = matrix.level_for(self.likelihood, self.consequence)
        self.inherent_rank = matrix.rank_of(self.inherent_level)
        if self.residual_likelihood and self.residual_consequence:
            self.residual_level = matrix.level_for(self.residual_likelihood,
                                                   self.residual_consequence)
        else:
            self.residual_level = self.inherent_level
        self.residual_rank = matrix.rank_of(self.residual_level)
        self.above_appetite = self.residual_rank > matrix.acceptance_rank

    def clean(self):
        super().clean()
        errors = self.target_errors()
        if not self.assessment_id:
            if errors:
                raise ValidationError(errors)
            return
        matrix = self.assessment.matrix
        if self.threat_id:
            if self.threat.assessment_id != self.assessment_id:
                errors["threat"] = "Choose a scenario considered in this assessment."
            elif not self.threat.applicable:
                errors["threat"] = "This scenario was judged not applicable; it is not rated."
        scale_c = [lv["value"] for lv in matrix.consequence_levels]
        scale_l = [lv["value"] for lv in matrix.likelihood_levels]
        if not isinstance(self.consequences, dict):
            errors["consequences"] = 'Give {category: level}, e.g. {"economic": 3}.'
        else:
            unknown = [k for k in self.consequences if k not in matrix.category_ids()]
            bad = [k for k, v in self.consequences.items() if v not in scale_c]
            if unknown:
                errors["consequences"] = (f"Unknown categories: {', '.join(map(str, unknown))}; "
                                          f"use {', '.join(matrix.category_ids())}.")
            elif bad:
                errors["consequences"] = (f"Levels must be one of {scale_c} "
                                          f"(check {', '.join(bad)}).")
        for name in ("likelihood", "residual_likelihood"):
            value = getattr(self, name)
            if value is not None and value not in scale_l:
                errors[name] = f"Choose a likelihood of the matrix: {scale_l}."
        if self.residual_consequence is not None and self.residual_consequence not in scale_c:
            errors["residual_consequence"] = f"Choose a consequence of the matrix: {scale_c}."
        if (self.residual_likelihood is None) != (self.residual_consequence is None):
            errors.setdefault("residual_likelihood", "Give both residual likelihood and "
                                                     "consequence, or neither.")
        if not errors:
            errors = scope_errors(self)
        if errors:
            raise ValidationError(errors)


class NotCredible(AssessmentChild, Target):
    """ISO 28001 5.3: an applicable threat scenario judged not credible at one target of the
    scope, with the reason — recorded instead of a rating of that pair.

    A separate record rather than a rating decision: a rating carries likelihood, consequences,
    levels, an owner, countermeasures and acceptances, which the register, heat maps, security
    plans and reviews all read as a risk; a pair judged not credible has none of them. The
    assessment page and the evidence pack list these judgements next to the ratings, and
    completion counts a pair as covered by either (`services.uncovered_pairs`).
    """

    reference_prefix = "NCP"

    assessment = models.ForeignKey(SecurityAssessment, on_delete=models.PROTECT,
                                   related_name="not_credible", verbose_name="assessment")
    threat = models.ForeignKey(ThreatApplicability, on_delete=models.PROTECT,
                               related_name="not_credible", verbose_name="threat scenario")
    reason = models.TextField(
        "why it is not credible here",
        help_text="What about this target rules the scenario out (e.g. no sea section on a "
                  "road leg); an auditor reads it in place of a rating.")

    class Meta:
        ordering = ("assessment", "threat__scenario__order", "reference")
        verbose_name = "scenario not credible here"
        verbose_name_plural = "scenarios not credible here"

    def __str__(self):
        return f"{self.reference} {self.threat} @ {self.target_label}"

    def clean(self):
        super().clean()
        errors = self.target_errors()
        if self.assessment_id and self.threat_id:
            if self.threat.assessment_id != self.assessment_id:
                errors["threat"] = "Choose a scenario considered in this assessment."
            elif not self.threat.applicable:
                errors["threat"] = ("This scenario was judged not applicable to the whole "
                                    "scope; it needs no judgement per target.")
        if not (self.reason or "").strip():
            errors["reason"] = "Say why this scenario is not credible at this target."
        if not errors:
            errors = scope_errors(self)
        if errors:
            raise ValidationError(errors)


# A valid acceptance may be renewed (a new one recorded) in its last 30 days, so that the risk
# never goes unaccepted between two acceptances; before that a second one is refused.
RENEWAL_WINDOW = datetime.timedelta(days=30)


def current_acceptance(rating):
    """The rating's valid (unarchived, unexpired) acceptance lasting longest, or None."""
    return (RiskAcceptance.objects.filter(rating=rating, archived=False,
                                          valid_until__gte=timezone.localdate())
            .select_related("accepted_by").order_by("-valid_until").first())


def renewable(acceptance):
    """Whether a new acceptance may replace `acceptance` (None: nothing valid to replace)."""
    return acceptance is None or \
        acceptance.valid_until - RENEWAL_WINDOW <= timezone.localdate()


class RiskAcceptance(ExpiryMixin, PrimaryModel):
    """ISO 28000 6.1.2: a formal acceptance of a residual risk above the appetite, until a date.

    Recorded and amended only through `services.save_acceptance` (UI, API, demo alike): the
    acceptor is independent of the assessment and holds the authority the matrix names for the
    level; who accepted and when are set once and never edited.
    """

    reference_prefix = "RAC"

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="acceptances",
                               verbose_name="risk rating")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, related_name="risk_acceptances",
                                    verbose_name="accepted by", editable=False)
    accepted_on = models.DateField("accepted on", default=timezone.localdate, editable=False)
    justification = models.TextField("justification")
    conditions = models.TextField("conditions", blank=True,
                                  help_text="Monitoring or limits attached to the acceptance.")
    valid_until = models.DateField("expires on",
                                   help_text="The acceptance must be renewed after this date.")

    class Meta:
        ordering = ("valid_until",)
        verbose_name = "risk acceptance"

    def __str__(self):
        return f"{self.reference} — {self.rating.reference}"

    @property
    def is_valid(self):
        return not self.archived and not self.is_expired

    def clean(self):
        super().clean()
        errors = {}
        if self.rating_id:
            if self.organisation_id and self.rating.organisation_id != self.organisation_id:
                errors["rating"] = "Choose a rating of this organisation."
            elif not self.pk and not self.rating.above_appetite:
                errors["rating"] = ("This risk is within the acceptance criteria; it needs no "
                                    "formal acceptance.")
        if not self.pk and self.valid_until and self.valid_until < timezone.localdate():
            errors["valid_until"] = "The expiry date cannot be in the past."
        if not self.pk and self.rating_id and "rating" not in errors:
            current = current_acceptance(self.rating)
            if current is not None and not renewable(current):
                errors["rating"] = (
                    f"This risk is already accepted: {current.reference} by "
                    f"{current.accepted_by or 'unknown'} is valid until "
                    f"{current.valid_until:%Y-%m-%d}. A new acceptance can be recorded from "
                    f"{current.valid_until - RENEWAL_WINDOW:%Y-%m-%d} (renewal), or once that "
                    "one is archived.")
        if errors:
            raise ValidationError(errors)


RESTRICTED = roles.matrix(viewer=roles.NONE)
# A target's sites: a site, both ends of a leg, the sites a process runs at (a partner: none).
RATING_PATHS = ("site_id", "leg__from_site_id", "leg__to_site_id", "process__sites")

register(RiskMatrix, roles=roles.ORGANISATION_RECORD)
register(SecurityAssessment, site_paths=("sites",), siteless_is_organisation_wide=False,
         roles=roles.matrix(officer=roles.READ_EXPORT, contributor=roles.READ_EXPORT,
                            viewer=roles.NONE))
# The team and the threats considered are part of the assessment: kept by whoever keeps the
# assessment (security manager), read by the site officers whose sites it covers.
for _model in (AssessmentMember, ThreatApplicability):
    register(_model, site_paths=("assessment__sites",), siteless_is_organisation_wide=False,
             roles=roles.matrix(officer=roles.READ_EXPORT, contributor=roles.READ_EXPORT,
                                viewer=roles.NONE))
# Processes describe how the chain runs (ISO 28001 5.8): kept like existing measures by the
# officers of the sites they run at; one without sites serves the whole organisation.
register(Process, site_paths=("sites",), siteless_is_organisation_wide=True, roles=RESTRICTED)
register(ExistingMeasure, site_paths=RATING_PATHS, siteless_is_organisation_wide=False,
         roles=RESTRICTED)
# A pair judged not credible stands in for its rating: judged by those who rate it.
register(NotCredible, site_paths=RATING_PATHS, siteless_is_organisation_wide=False,
         roles=RESTRICTED)
register(Rating, site_paths=RATING_PATHS, siteless_is_organisation_wide=False,
         actions=("accept",), roles=roles.matrix(manager=(*roles.FULL, "accept"),
                                                 top=("view", "export", "accept"),
                                                 viewer=roles.NONE))
register(Countermeasure, site_paths=("sites",), siteless_is_organisation_wide=True,
         roles=roles.SITE_RECORD)
register(RiskAcceptance, site_paths=tuple(f"rating__{p}" for p in RATING_PATHS),
         siteless_is_organisation_wide=False, actions=("accept",),
         roles=roles.matrix(manager=(*roles.FULL, "accept"), officer=roles.READ_EXPORT,
                            top=("view", "add", "change", "export", "accept"),
                            contributor=roles.READ_EXPORT, viewer=roles.NONE))
