"""People of the security management system: the security roles and who holds them (ISO 28000
5.3), the competence each role requires and the training records that show it (7.2).

Design decisions (see also `services.py`):

* People are records of their own (`Person`), not user accounts: most trained staff (gate
  guards, drivers, warehouse staff) never log in. A person may be linked to an account.
* A person, and their training records, belong to a home site: its site security officer keeps
  them. The person's site is copied onto each training record and the role's site onto each
  appointment (never edited by hand), so that every scope path is a direct column: "may I add
  this here?" can be answered before the row exists. `services.sync_sites` keeps them in step.
* Training records are personal data: Viewers see none of them (nor the people list).
* A training record without an expiry date takes it from the requirement's validity.
* Training courses and their sessions: a session's attendance writes the attendees' training
  records (`services.train_attendee`), so the records say which session they came from.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from chainward.context.models import add_months
from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register

from .choices import RoleKind, ScreeningResult, TrainingResult

USER = settings.AUTH_USER_MODEL


def _same_organisation(obj, names):
    """Field errors for related records of another organisation."""
    errors = {}
    for name in names:
        field = obj._meta.get_field(name)
        related = getattr(obj, name) if getattr(obj, f"{name}_id") else None
        if related is not None and obj.organisation_id and \
                related.organisation_id != obj.organisation_id:
            errors[name] = f"Choose a {field.verbose_name} of this organisation."
    return errors


class SiteFromParent:
    """A record whose `site` (its scope path) is copied from a parent record — the person, or
    the role — named by `site_from`: it follows the parent whatever sets it, and on every save."""

    site_from = "person"

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == self.site_from:
            super().__setattr__("site_id", getattr(value, "site_id", None))

    def save(self, *args, **kwargs):
        parent_id = getattr(self, f"{self.site_from}_id")
        self.site_id = getattr(self, self.site_from).site_id if parent_id else None
        super().save(*args, **kwargs)


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


class TrainingRecord(SiteFromParent, PrimaryModel):
    """ISO 28000 7.2 — evidence that a person has a competence: the training, its date and
    result, the certificate, and until when it is valid."""

    reference_prefix = "TRN"

    # The person's home site, copied (a direct scope column); declared before the person.
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name="site", editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="training_records", verbose_name="person")
    requirement = models.ForeignKey(CompetenceRequirement, on_delete=models.PROTECT,
                                    related_name="training_records",
                                    verbose_name="competence")
    course = models.CharField("course or session", max_length=200,
                              help_text="e.g. 'Seal procedure, night shift briefing'.")
    provider = models.CharField("provider", max_length=200, blank=True)
    completed_on = models.DateField("completed on")
    duration_hours = models.DecimalField("duration (hours)", max_digits=5, decimal_places=1,
                                         null=True, blank=True,
                                         validators=[MinValueValidator(0)])
    result = models.CharField("result", max_length=10, choices=TrainingResult,
                              default=TrainingResult.PASSED)
    expires_on = models.DateField(
        "valid until", null=True, blank=True,
        help_text="Leave empty to take the competence's validity from the completion date.")
    certificate = models.ForeignKey("documents.Evidence", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="training_records",
                                    verbose_name="certificate (evidence)")
    notes = models.TextField("notes", blank=True)
    attendance = models.ForeignKey(
        "SessionAttendance", on_delete=models.PROTECT, null=True, blank=True,
        related_name="training_records", verbose_name="from session attendance",
        editable=False, help_text="Written from a session's attendance; change it there.")

    class Meta:
        ordering = ("-completed_on", "-pk")
        verbose_name = "training record"
        indexes = [models.Index(fields=("person", "requirement", "archived"),
                                name="people_training_cell")]

    def __str__(self):
        return f"{self.person} — {self.requirement}" if self.person_id and \
            self.requirement_id else self.reference

    def save(self, *args, **kwargs):
        if self.expires_on is None and self.requirement_id and self.completed_on and \
                self.requirement.validity_months:
            self.expires_on = add_months(self.completed_on, self.requirement.validity_months)
        super().save(*args, **kwargs)

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("person", "requirement", "certificate"))
        if self.completed_on and self.completed_on > timezone.localdate():
            errors["completed_on"] = ("Record a training once it has taken place; plan future "
                                      "sessions elsewhere.")
        if self.expires_on and self.completed_on and self.expires_on < self.completed_on:
            errors["expires_on"] = "It cannot expire before it was completed."
        if errors:
            raise ValidationError(errors)


class TrainingCourse(PrimaryModel):
    """ISO 28000 7.2 — a training course the organisation uses to give a competence: who
    provides it, which competence requirements it satisfies, how long it takes, how long a pass
    stays valid, and its material (a controlled document)."""

    reference_prefix = "CRS"

    title = models.CharField("title", max_length=200)
    provider = models.CharField("provider", max_length=200, blank=True,
                                help_text="Who gives it: in-house, a training academy…")
    requirements = models.ManyToManyField(
        CompetenceRequirement, related_name="courses", verbose_name="competences it satisfies",
        help_text="A pass (or attendance) of a session gives a training record of each.")
    duration_hours = models.DecimalField("duration (hours)", max_digits=5, decimal_places=1,
                                         null=True, blank=True,
                                         validators=[MinValueValidator(0)])
    validity_months = models.PositiveSmallIntegerField(
        "valid for (months)", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Leave empty to take each competence's own validity.")
    material = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="training_courses",
                                 verbose_name="material",
                                 help_text="The controlled document the course teaches from.")
    description = models.TextField("content", blank=True)

    class Meta:
        ordering = ("title", "pk")
        verbose_name = "training course"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "title"),
                                    name="people_course_title_once",
                                    violation_error_message="This organisation already has "
                                    "a training course of this title."),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("material",))
        if errors:
            raise ValidationError(errors)


class TrainingSession(PrimaryModel):
    """ISO 28000 7.2 — one session of a training course: when, by whom, where; its attendance
    (`SessionAttendance`) gives the attendees their training records."""

    reference_prefix = "TSS"

    course = models.ForeignKey(TrainingCourse, on_delete=models.PROTECT,
                               related_name="sessions", verbose_name="course")
    held_on = models.DateField("date")
    trainer = models.CharField("trainer or provider", max_length=200, blank=True,
                               help_text="Leave empty for the course's provider.")
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="training_sessions", verbose_name="site",
                             help_text="Where it was held; leave empty for a session of the "
                                       "whole organisation (or held elsewhere).")
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("-held_on", "-pk")
        verbose_name = "training session"
        indexes = [models.Index(fields=("organisation", "archived", "held_on"),
                                name="people_session_register")]

    def __str__(self):
        return f"{self.course} — {self.held_on:%Y-%m-%d}" if self.course_id and self.held_on \
            else self.reference

    @property
    def given_by(self) -> str:
        """The trainer, or the course's provider."""
        return self.trainer or (self.course.provider if self.course_id else "")

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("course", "site"))
        if errors:
            raise ValidationError(errors)


class SessionAttendance(SiteFromParent, PrimaryModel):
    """ISO 28000 7.2 — that a person attended a training session, with the result. Saving it
    writes the person's training record of each competence the course satisfies
    (`services.train_attendee`, from every path)."""

    reference_prefix = "ATT"

    # The person's home site, copied (a direct scope column); declared before the person.
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name="site", editable=False)
    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT,
                                related_name="attendance", verbose_name="session")
    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="session_attendance", verbose_name="person")
    result = models.CharField("result", max_length=10, choices=TrainingResult,
                              default=TrainingResult.PASSED)
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("session", "person__full_name", "pk")
        verbose_name = "session attendance"
        verbose_name_plural = "session attendance"
        constraints = [
            models.UniqueConstraint(fields=("session", "person"),
                                    name="people_attendance_once",
                                    violation_error_message="This person's attendance of "
                                    "this session is already recorded; change that record."),
        ]

    def __str__(self):
        return f"{self.person} — {self.session}" if self.person_id and self.session_id \
            else self.reference


    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("session", "person"))
        if self.session_id and self.session.held_on > timezone.localdate():
            errors["session"] = ("This session has not taken place yet; record its attendance "
                                 "on or after its date.")
        if self.person_id and self.session_id and self.person.left_on and \
                self.person.left_on < self.session.held_on:
            errors["person"] = f"{self.person} left on {self.person.left_on:%Y-%m-%d}."
        if errors:
            raise ValidationError(errors)


class ScreeningRecord(SiteFromParent, PrimaryModel):
    """C-TPAT 11.x, AEO 6.12 — that a person in a security-sensitive role was screened: when,
    by whom, the outcome as pass or refer only, and when the check is due again. No details of
    the check are kept here (data minimisation); the lawful basis is stated on every record and
    the record is kept only for a period after the person leaves."""

    reference_prefix = "SCR"

    # The person's home site, copied (a direct scope column); declared before the person.
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name="site", editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="screening_records", verbose_name="person")
    checked_on = models.DateField("checked on")
    checked_by = models.CharField("checked by", max_length=200,
                                  help_text="Who carried out the check (HR, an accredited "
                                            "provider…); the details stay with them.")
    result = models.CharField("result", max_length=10, choices=ScreeningResult)
    next_due = models.DateField("next check due", null=True, blank=True)
    lawful_basis = models.TextField(
        "lawful basis", help_text="Why this check may be made and recorded, e.g. the "
        "national law on regulated agents or Art. 6(1)(c) GDPR with the AEO rules.")
    retention_months = models.PositiveSmallIntegerField(
        "keep after the person leaves (months)", default=12,
        validators=[MinValueValidator(0), MaxValueValidator(120)])

    class Meta:
        ordering = ("-checked_on", "-pk")
        verbose_name = "screening record"

    def __str__(self):
        return f"{self.person} — screening {self.checked_on:%Y-%m-%d}" \
            if self.person_id and self.checked_on else self.reference


    @property
    def erase_after(self) -> datetime.date | None:
        """The day after which the record is no longer kept (None while the person stays)."""
        if not self.person_id or self.person.left_on is None:
            return None
        return add_months(self.person.left_on, self.retention_months)

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("person",))
        if self.checked_on and self.checked_on > timezone.localdate():
            errors["checked_on"] = "Record a screening once it has been carried out."
        if self.next_due and self.checked_on and self.next_due <= self.checked_on:
            errors["next_due"] = "The next check falls after this one."
        if errors:
            raise ValidationError(errors)


class ConductAcknowledgement(SiteFromParent, PrimaryModel):
    """C-TPAT 11.x (employee code of conduct), AEO 6.12 — that a person acknowledged the
    organisation's code of conduct: the controlled document, the approved version in force on
    the day (derived, never typed: a new version asks again), and the signed form as evidence.
    For staff without an account; people who log in can also acknowledge the document through
    the documents' read-and-understood mechanism."""

    reference_prefix = "COC"

    # The person's home site, copied (a direct scope column); declared before the person.
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name="site", editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="conduct_acknowledgements", verbose_name="person")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT,
        related_name="conduct_acknowledgements", verbose_name="code of conduct",
        help_text="The controlled document; the version approved on the day is recorded.")
    document_version = models.ForeignKey(
        "documents.DocumentVersion", on_delete=models.PROTECT, null=True, blank=True,
        related_name="conduct_acknowledgements", verbose_name="version acknowledged",
        editable=False, help_text="The approved version in force on the day (derived).")
    acknowledged_on = models.DateField("acknowledged on", default=timezone.localdate)
    signed_form = models.ForeignKey("documents.Evidence", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="conduct_acknowledgements",
                                    verbose_name="signed form (evidence)")
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("-acknowledged_on", "-pk")
        verbose_name = "code-of-conduct acknowledgement"
        constraints = [
            models.UniqueConstraint(fields=("person", "document_version"),
                                    name="people_conduct_once",
                                    violation_error_message="This person's acknowledgement of "
                                    "this version is already recorded."),
        ]

    def __str__(self):
        return f"{self.person} — {self.document}" if self.person_id and self.document_id \
            else self.reference

    def version_in_force(self):
        """The document's latest version approved on or before the acknowledgement day."""
        from chainward.documents.models import DocumentVersion

        if not self.document_id or not self.acknowledged_on:
            return None
        return DocumentVersion.objects.filter(
            document_id=self.document_id, approved_at__isnull=False,
            approved_at__date__lte=self.acknowledged_on).order_by("-number").first()

    def save(self, *args, **kwargs):
        self.document_version = self.version_in_force()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("person", "document", "signed_form"))
        if self.acknowledged_on and self.acknowledged_on > timezone.localdate():
            errors["acknowledged_on"] = "Record an acknowledgement once it has been given."
        if self.person_id and self.person.left_on and self.acknowledged_on and \
                self.acknowledged_on > self.person.left_on:
            errors["person"] = f"{self.person} left on {self.person.left_on:%Y-%m-%d}."
        if "document" not in errors and "acknowledged_on" not in errors and \
                self.document_id and self.acknowledged_on:
            self.document_version = self.version_in_force()
            if self.document_version is None:
                errors["document"] = ("No version of this document was approved by that day: "
                                      "approve the code of conduct before recording "
                                      "acknowledgements of it.")
        if errors:
            raise ValidationError(errors)


class AwarenessCampaign(PrimaryModel):
    """ISO 28000 7.3 — an awareness campaign: a topic, the material people must read (a
    controlled document, acknowledged through the documents' read-and-understood mechanism),
    the audience by security role and site, and the date by which they must have read it."""

    reference_prefix = "AWR"

    topic = models.CharField("topic", max_length=200)
    messages = models.TextField("key messages", blank=True,
                                help_text="What everybody must take away.")
    material = models.ForeignKey("documents.Document", on_delete=models.PROTECT,
                                 related_name="awareness_campaigns", verbose_name="material",
                                 help_text="Its approved version is what people acknowledge.")
    audience_roles = models.ManyToManyField(
        SecurityRole, blank=True, related_name="awareness_campaigns",
        verbose_name="audience (security roles)",
        help_text="Leave empty for everybody at the chosen sites.")
    sites = models.ManyToManyField(
        "supplychain.Site", blank=True, related_name="awareness_campaigns",
        verbose_name="sites", help_text="Leave empty for the whole organisation.")
    starts_on = models.DateField("starts on", default=timezone.localdate)
    due_on = models.DateField("to be acknowledged by")

    class Meta:
        ordering = ("-due_on", "pk")
        verbose_name = "awareness campaign"

    def __str__(self):
        return self.topic

    def clean(self):
        super().clean()
        errors = _same_organisation(self, ("material",))
        if self.due_on and self.starts_on and self.due_on < self.starts_on:
            errors["due_on"] = "A campaign cannot be due before it starts."
        if errors:
            raise ValidationError(errors)


# People and their training are personal data: the site's officer and contributors keep them
# at their sites, Viewers see none, the external auditor samples them (read).
PERSONAL_RECORD = roles.matrix(viewer=roles.NONE)
register(Person, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=PERSONAL_RECORD)
register(TrainingRecord, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=PERSONAL_RECORD)
# Who attended which session is personal data like the training records it writes.
register(SessionAttendance, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=PERSONAL_RECORD)
# A session is held at a site (or for the whole organisation): its officer and contributors
# record it there, everybody in scope reads it (no personal data on it).
register(TrainingSession, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.SITE_RECORD)
# What competence a role needs is the organisation's decision: the security manager keeps it.
register(CompetenceRequirement, roles=roles.matrix(officer=roles.READ_EXPORT,
                                                   contributor=roles.READ_EXPORT))
# The courses that give those competences are the security manager's training plan too.
register(TrainingCourse, roles=roles.matrix(officer=roles.READ_EXPORT,
                                            contributor=roles.READ_EXPORT))
register(SecurityRole, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.matrix(officer=roles.READ_EXPORT, contributor=roles.READ_EXPORT))
# Top management assigns the responsibilities and authorities (ISO 28000 5.3): it appoints,
# like the security manager; site officers read who holds which role.
register(Appointment, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.matrix(top=roles.EDIT, officer=roles.READ_EXPORT,
                            contributor=roles.READ_EXPORT))
# Who acknowledged the code of conduct is personal data kept like training records (not
# sensitive like screening): the site's officer and contributors record it, Viewers see none.
register(ConductAcknowledgement, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=PERSONAL_RECORD)
# Personnel screening (C-TPAT 11.x, AEO 6.12) is the most sensitive personal data the SMS
# holds: nobody but the security manager (who keeps it) and top management (who reads it) sees
# it — not the administrator, auditors, site officers or the external auditor, through any
# page, the API, exports, search or the evidence pack.
register(ScreeningRecord, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.matrix(admin=roles.NONE, top=roles.READ_EXPORT, officer=roles.NONE,
                            auditor=roles.NONE, contributor=roles.NONE, viewer=roles.NONE,
                            external=roles.NONE))
# Awareness campaigns (ISO 28000 7.3) are run at sites like other site records: the site's
# officer and contributors run them there, everybody in scope reads them.
register(AwarenessCampaign, site_paths=("sites",), siteless_is_organisation_wide=True,
         roles=roles.SITE_RECORD)
