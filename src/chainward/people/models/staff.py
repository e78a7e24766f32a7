"""People and their security roles (ISO 28000 5.3): the person, the competence a role
requires (7.2), the role and who is appointed to it."""


from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from chainward.core.models import PrimaryModel
from chainward.people.choices import RoleKind

from .common import USER, SiteFromParent, _same_organisation


class Person(PrimaryModel):
    """A member of staff (or a contractor's employee working for us) whose security role or
    training matters to the SMS (ISO 28000 5.3, 7.2)."""

    reference_prefix = "PER"

    full_name = models.CharField("name", max_length=150)
    employee_number = models.CharField("employee number", max_length=40, blank=True)
    job_title = models.CharField("job title", max_length=150, blank=True)
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="people", verbose_name="home site",
                             help_text="Leave empty for head-office staff.")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="people", verbose_name="user account",
                             help_text="When the person logs in to Chainward.")
    email = models.EmailField("e-mail", blank=True)
    joined_on = models.DateField("joined on", null=True, blank=True)
    left_on = models.DateField("left on", null=True, blank=True,
                               help_text="From then on the person is no longer due any "
                                         "training and holds no role.")

    class Meta:
        ordering = ("full_name", "pk")
        verbose_name = "person"
        verbose_name_plural = "people"
        indexes = [models.Index(fields=("organisation", "archived", "full_name"),
                                name="people_person_register")]

    def __str__(self):
        return self.full_name

    @property
    def is_current(self) -> bool:
        return self.left_on is None or self.left_on >= timezone.localdate()

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("site",))
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = "A person cannot leave before joining."
        if errors:
            raise ValidationError(errors)


class CompetenceRequirement(PrimaryModel):
    """ISO 28000 7.2 — a competence the organisation requires for a security role (e.g.
    'C-TPAT awareness', 'seal procedure', 'ISO 28000 internal auditor course') and how long a
    training that shows it stays valid."""

    reference_prefix = "CMP"

    name = models.CharField("competence", max_length=200)
    description = models.TextField("what it covers", blank=True)
    validity_months = models.PositiveSmallIntegerField(
        "valid for (months)", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Leave empty when it never needs refreshing.")
    basis = models.CharField("basis", max_length=200, blank=True,
                             help_text="Why it is required: C-TPAT 12.x, ADR 1.10.2, AEO "
                                       "6.12, our own procedure…")

    class Meta:
        ordering = ("name", "pk")
        verbose_name = "competence requirement"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "name"),
                                    name="people_competence_name_once",
                                    violation_error_message="This organisation already has "
                                    "a competence requirement of this name."),
        ]

    def __str__(self):
        return self.name


class SecurityRole(PrimaryModel):
    """ISO 28000 5.3 — a security role of the organisation or of one site, its
    responsibilities and authorities, how many people must hold it, and the competences it
    requires (7.2)."""

    reference_prefix = "ROL"

    name = models.CharField("role", max_length=200,
                            help_text="e.g. Site security officer Hamburg Billbrook.")
    kind = models.CharField("kind", max_length=20, choices=RoleKind)
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="security_roles", verbose_name="site",
                             help_text="Leave empty for a role of the whole organisation.")
    responsibilities = models.TextField("responsibilities")
    authorities = models.TextField("authorities", blank=True,
                                   help_text="What the holder may decide or stop.")
    positions = models.PositiveSmallIntegerField(
        "holders needed", default=1, validators=[MinValueValidator(1), MaxValueValidator(50)])
    reports_to = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="reports", verbose_name="reports to")
    screening_required = models.BooleanField(
        "holders must be screened", default=False,
        help_text="A security-sensitive role (C-TPAT 11.x, AEO 6.12): its holders need a "
                  "current screening.")
    required_competences = models.ManyToManyField(
        CompetenceRequirement, blank=True, related_name="roles",
        verbose_name="required competences")

    class Meta:
        ordering = ("kind", "name", "pk")
        verbose_name = "security role"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("site", "reports_to"))
        if self.reports_to_id and self.pk and self.reports_to_id == self.pk:
            errors["reports_to"] = "A role cannot report to itself."
        if errors:
            raise ValidationError(errors)


class Appointment(SiteFromParent, PrimaryModel):
    """ISO 28000 5.3 — who holds a security role, since when, until when (when the appointment
    is limited), and the document that appoints them."""

    site_from = "role"

    reference_prefix = "APP"

    # The role's site, copied (a direct scope column), declared before the role so that
    # `Appointment(role=…)` sets it after its default.
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name="site", editable=False)
    role = models.ForeignKey(SecurityRole, on_delete=models.PROTECT,
                             related_name="appointments", verbose_name="security role")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments",
                               verbose_name="person")
    since = models.DateField("since", default=timezone.localdate)
    until = models.DateField("until", null=True, blank=True,
                             help_text="Leave empty for an appointment until further notice.")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="appointments",
                                 verbose_name="appointment document",
                                 help_text="The letter or decision that appoints them.")
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("role", "-since", "pk")
        verbose_name = "appointment"

    def __str__(self):
        return f"{self.person} — {self.role}" if self.role_id and self.person_id \
            else self.reference


    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.since <= today and (self.until is None or self.until >= today)

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("role", "person", "document"))
        if self.until and self.since and self.until < self.since:
            errors["until"] = "An appointment cannot end before it starts."
        if self.person_id and self.person.left_on and self.since and \
                self.since > self.person.left_on:
            errors["person"] = f"{self.person} left on {self.person.left_on:%Y-%m-%d}."
        if errors:
            raise ValidationError(errors)
