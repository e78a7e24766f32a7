"""Training (ISO 28000 7.2): the records that show a competence, the courses that give it,
their sessions and who attended them."""


from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from chainward.context.models import add_months
from chainward.core.models import PrimaryModel
from chainward.people.choices import TrainingResult

from .common import SiteFromParent, _same_organisation
from .staff import CompetenceRequirement, Person


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
