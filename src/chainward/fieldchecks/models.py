"""Field checks: inspection templates and their items, check runs with their answers (C-TPAT
MSC conveyance and IIT inspection, ISO 28000 8.1, 9.1), and the seal register (ISO 17712 seals,
C-TPAT MSC seal security: stock, issue, affixing, verification at arrival, removal, loss).

Design decisions (see also `services.py`):

* Templates and their items are the organisation's procedures: kept by the security manager,
  read by everyone (no site). Catalogue templates are copied into the organisation's own
  template once (`services.import_catalogue_template`) and can then be adapted.
* Runs and their answers belong to the site where the check was done; an answer copies its
  run's site (never edited by hand), so its scope is a direct column like the run's.
* A seal is at the site that holds it and, once affixed on a leg, also at the leg's arrival
  site, so the arrival officer can verify it. Its events copy both, plus the site where they
  happened. Seal statuses move only through `services.record_seal_event`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register
from chainward.incidents.choices import IncidentType

from .choices import (
    AnswerType,
    CheckKind,
    OnCriticalFailure,
    Outcome,
    RunResult,
    RunStatus,
    SealClass,
    SealEventKind,
    SealStatus,
    SealType,
)

USER = settings.AUTH_USER_MODEL
MAX_BATCH = 2000  # seals received in one batch (one delivery of numbered stock)


def lines(text):
    """The non-empty lines of a text field, stripped (options are entered one per line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _own(instance, name, errors):
    related = getattr(instance, name) if getattr(instance, f"{name}_id") else None
    if related is not None and instance.organisation_id and \
            related.organisation_id != instance.organisation_id:
        errors[name] = f"Choose a {name.replace('_', ' ')} of this organisation."


class CheckTemplate(PrimaryModel):
    """C-TPAT MSC conveyance / IIT inspection and seal verification lists, and the
    organisation's own site checks — what an inspector answers, item by item."""

    reference_prefix = "CKT"

    name = models.CharField("name", max_length=200)
    kind = models.CharField("what is checked", max_length=20, choices=CheckKind,
                            default=CheckKind.CONVEYANCE)
    description = models.TextField("description", blank=True)
    on_critical_failure = models.CharField(
        "when a critical item fails", max_length=20, choices=OnCriticalFailure,
        default=OnCriticalFailure.INCIDENT,
        help_text="What completing a run with a failed critical item opens; the run is "
                  "linked to it.")
    incident_type = models.CharField(
        "incident type", max_length=24, choices=IncidentType, default=IncidentType.OTHER,
        help_text="The type of the incident a failed critical item opens.")
    driver_signature_required = models.BooleanField(
        "driver's signature required", default=False,
        help_text="A run cannot be completed until the driver has signed it (e.g. the "
                  "inspection of a tractor and trailer before it leaves).")
    active = models.BooleanField("in use", default=True,
                                 help_text="Only templates in use are offered for new runs.")
    catalogue_urn = models.CharField("from catalogue", max_length=200, blank=True,
                                     editable=False)

    class Meta:
        ordering = ("name",)
        verbose_name = "check template"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "name"),
                                    name="fieldchecks_template_name_once",
                                    violation_error_message="A check template with this name "
                                    "exists; choose another name."),
        ]

    def __str__(self):
        return self.name


class CheckItem(PrimaryModel):
    """One point of a check template (e.g. "Fuel tanks" of the 17-point inspection)."""

    reference_prefix = "CKI"

    template = models.ForeignKey(CheckTemplate, on_delete=models.PROTECT, related_name="items",
                                 verbose_name="template")
    section = models.CharField("section", max_length=100, blank=True,
                               help_text="Items with the same section are shown together, "
                                         "e.g. Tractor, Trailer.")
    order = models.PositiveIntegerField("order", default=0)
    text = models.CharField("item", max_length=300)
    guidance = models.TextField("what to look for", blank=True)
    answer_type = models.CharField("answer", max_length=12, choices=AnswerType,
                                   default=AnswerType.PASS_FAIL)
    options = models.TextField("options", blank=True,
                               help_text="For a choice: one option per line.")
    failing_options = models.TextField(
        "options that fail", blank=True,
        help_text="For a choice: the options (one per line, as above) that fail the item.")
    min_value = models.DecimalField("lowest passing value", max_digits=12, decimal_places=2,
                                    null=True, blank=True,
                                    help_text="For a number: below this the item fails.")
    max_value = models.DecimalField("highest passing value", max_digits=12, decimal_places=2,
                                    null=True, blank=True,
                                    help_text="For a number: above this the item fails.")
    photo_required = models.BooleanField("photo required", default=False)
    critical = models.BooleanField(
        "critical", default=False,
        help_text="A failure of this item opens an incident or a corrective action.")
    catalogue_ref = models.CharField("catalogue point", max_length=100, blank=True,
                                     editable=False)

    class Meta:
        ordering = ("template", "order", "pk")
        verbose_name = "check item"

    def __str__(self):
        return f"{self.section}: {self.text}" if self.section else self.text

    def clean(self):
        super().clean()
        errors = {}
        _own(self, "template", errors)
        options = lines(self.options)
        if self.answer_type == AnswerType.CHOICE:
            if len(options) < 2:
                errors["options"] = "A choice needs at least two options, one per line."
            stray = [o for o in lines(self.failing_options) if o not in options]
            if stray:
                errors["failing_options"] = (f"Not among the options: {', '.join(stray)}. "
                                             "Copy them exactly from the options.")
        elif self.options.strip() or self.failing_options.strip():
            errors["options"] = "Options are only for a choice answer; leave them empty."
        if self.answer_type != AnswerType.NUMBER and (
                self.min_value is not None or self.max_value is not None):
            errors["min_value"] = "Passing values are only for a number answer."
        if self.min_value is not None and self.max_value is not None and \
                self.min_value > self.max_value:
            errors["max_value"] = "The highest passing value is below the lowest."
        if errors:
            raise ValidationError(errors)


class CheckRun(PrimaryModel):
    """One inspection done: which template, where, of which conveyance or container and its
    seals, by whom, when, and the result (C-TPAT MSC inspection records; ISO 28000 9.1)."""

    reference_prefix = "CHK"

    template = models.ForeignKey(CheckTemplate, on_delete=models.PROTECT, related_name="runs",
                                 verbose_name="template")
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT,
                             related_name="check_runs", verbose_name="site")
    leg = models.ForeignKey("supplychain.Leg", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="check_runs", verbose_name="leg",
                            help_text="The leg the conveyance leaves or arrives on.")
    shipment_reference = models.CharField("shipment reference", max_length=100, blank=True)
    vehicle_registration = models.CharField("vehicle registration", max_length=60,
                                            blank=True)
    container_number = models.CharField("trailer or container number", max_length=60,
                                        blank=True)
    seal_numbers = models.CharField("seal numbers", max_length=300, blank=True)
    inspector = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+",
                                  null=True, blank=True, verbose_name="inspector",
                                  help_text="Leave empty when you did the check yourself.")
    performed_at = models.DateTimeField("checked at", default=timezone.now)
    location_consent = models.BooleanField(
        "position shared with consent", default=False,
        help_text="Tick only when the inspector agreed to record where the check was done.")
    latitude = models.DecimalField("latitude", max_digits=9, decimal_places=6, null=True,
                                   blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(
        "longitude", max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)])
    location_accuracy = models.DecimalField(
        "position accuracy (m)", max_digits=8, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))])
    notes = models.TextField("notes", blank=True)
    status = models.CharField("status", max_length=12, choices=RunStatus,
                              default=RunStatus.DRAFT, editable=False)
    result = models.CharField("result", max_length=12, choices=RunResult, blank=True,
                              default=RunResult.PENDING, editable=False)
    completed_at = models.DateTimeField("completed at", null=True, blank=True, editable=False)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", editable=False,
                                 verbose_name="incident opened")
    corrective_action = models.ForeignKey(
        "audits.CorrectiveAction", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False, verbose_name="corrective action opened")
    # Signatures (services.sign_run): the typed name, the drawn image (stored like a photo,
    # cleaned; served by views.run_signature) and when it was signed.
    inspector_signed_name = models.CharField("inspector's signature", max_length=200,
                                             blank=True, editable=False)
    inspector_signed_at = models.DateTimeField("inspector signed at", null=True, blank=True,
                                               editable=False)
    inspector_signature = models.CharField("stored inspector signature", max_length=300,
                                           blank=True, editable=False)
    inspector_signature_sha256 = models.CharField("inspector signature SHA-256",
                                                  max_length=64, blank=True, editable=False)
    driver_signed_name = models.CharField("driver's signature", max_length=200, blank=True,
                                          editable=False)
    driver_signed_at = models.DateTimeField("driver signed at", null=True, blank=True,
                                            editable=False)
    driver_signature = models.CharField("stored driver signature", max_length=300,
                                        blank=True, editable=False)
    driver_signature_sha256 = models.CharField("driver signature SHA-256", max_length=64,
                                               blank=True, editable=False)
    # The id the phone gave a run recorded offline (sync.sync_run): a run sent twice is
    # stored once.
    client_uuid = models.UUIDField("offline run id", null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-performed_at", "-pk")
        verbose_name = "check run"
        indexes = [models.Index(fields=("organisation", "archived", "performed_at"),
                                name="fieldchecks_run_register"),
                   # A schedule's last completed run (schedules.with_last_done), one seek per
                   # schedule: without it SQLite reads every run at the site (12 s for a page
                   # of 250 at 10,000 schedules).
                   models.Index(fields=("template", "site", "performed_at"),
                                name="fieldchecks_run_schedule")]
        constraints = [
            models.UniqueConstraint(fields=("client_uuid",), name="fieldchecks_run_uuid_once",
                                    violation_error_message="A run with this offline id is "
                                    "already stored; it was sent before."),
        ]

    def __str__(self):
        what = self.container_number or self.vehicle_registration or self.shipment_reference
        return f"{self.reference} {what}".strip()

    @property
    def is_completed(self):
        return self.status == RunStatus.COMPLETED

    def clean(self):
        super().clean()
        errors = {}
        for name in ("template", "site", "leg"):
            _own(self, name, errors)
        if self.template_id and not self.pk and not self.template.active:
            errors["template"] = "This template is no longer in use; choose one in use."
        if self.leg_id and self.site_id and self.site_id not in (
                self.leg.from_site_id, self.leg.to_site_id):
            errors["leg"] = "Choose a leg that leaves from or arrives at this site."
        if self.performed_at and self.performed_at > timezone.now() + timezone.timedelta(
                minutes=5):
            errors["performed_at"] = "A check cannot be done in the future."
        has_position = self.latitude is not None or self.longitude is not None
        if has_position and not self.location_consent:
            errors["location_consent"] = ("A position is stored only with the inspector's "
                                          "consent: tick the box or leave the position empty.")
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = "Give both latitude and longitude, or neither."
        if has_position and self.location_accuracy is None:
            errors["location_accuracy"] = "Give the accuracy of the position (metres)."
        if not has_position and self.location_accuracy is not None:
            errors["location_accuracy"] = "An accuracy without a position means nothing."
        if self.pk:
            saved = CheckRun._base_manager.filter(pk=self.pk).values("status").first()
            if saved and saved["status"] == RunStatus.COMPLETED:
                errors.setdefault("notes", "The check run is completed; its record is final.")
        if errors:
            raise ValidationError(errors)


class CheckAnswer(PrimaryModel):
    """The answer to one item in one run: outcome, value, note and photo; `failed` is worked
    out from the item's rule on every save."""

    reference_prefix = "CKA"

    # Declared before the run, so that `CheckAnswer(run=…)` copies the run's site after the
    # site's default is set.
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, related_name="+",
                             verbose_name="site", editable=False, null=True)
    run = models.ForeignKey(CheckRun, on_delete=models.PROTECT, related_name="answers",
                            verbose_name="check run")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="answers",
                             verbose_name="item")
    outcome = models.CharField("outcome", max_length=4, choices=Outcome, blank=True)
    number = models.DecimalField("value", max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    text = models.CharField("text", max_length=500, blank=True)
    choice = models.CharField("choice", max_length=200, blank=True)
    note = models.CharField("note", max_length=500, blank=True)
    failed = models.BooleanField("failed", default=False, editable=False)
    photo = models.CharField("stored photo", max_length=300, blank=True, editable=False)
    photo_name = models.CharField("photo", max_length=200, blank=True, editable=False)
    photo_type = models.CharField("photo type", max_length=100, blank=True, editable=False)
    photo_sha256 = models.CharField("photo SHA-256", max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ("run", "item__order", "pk")
        verbose_name = "check answer"
        constraints = [
            models.UniqueConstraint(fields=("run", "item"), name="fieldchecks_answer_once",
                                    violation_error_message="This item is already answered "
                                    "in this run; change that answer."),
        ]

    def __str__(self):
        return f"{self.run.reference} — {self.item.text}"

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "run" and value is not None:
            super().__setattr__("site_id", value.site_id)

    def save(self, *args, **kwargs):
        if self.run_id:
            self.site_id = self.run.site_id
        self.failed = self.is_failure()
        super().save(*args, **kwargs)

    def is_failure(self):
        """Whether this answer fails its item: a fail, a number outside the passing range, a
        failing option."""
        item = self.item
        if item.answer_type == AnswerType.PASS_FAIL:
            return self.outcome == Outcome.FAIL
        if item.answer_type == AnswerType.NUMBER and self.number is not None:
            return (item.min_value is not None and self.number < item.min_value) or \
                (item.max_value is not None and self.number > item.max_value)
        if item.answer_type == AnswerType.CHOICE:
            return self.choice in lines(item.failing_options)
        return self.outcome == Outcome.FAIL

    def is_answered(self):
        """Whether the item has the answer its type asks for (photo included)."""
        kind = self.item.answer_type
        given = {AnswerType.PASS_FAIL: bool(self.outcome),
                 AnswerType.NUMBER: self.number is not None or self.outcome == Outcome.NA,
                 AnswerType.TEXT: bool(self.text.strip()) or self.outcome == Outcome.NA,
                 AnswerType.CHOICE: bool(self.choice),
                 AnswerType.PHOTO: bool(self.photo)}[kind]
        if self.item.photo_required and not self.photo and self.outcome != Outcome.NA:
            return False
        return given

    def clean(self):
        super().clean()
        errors = {}
        if self.run_id and self.item_id and self.item.template_id != self.run.template_id:
            errors["item"] = "Choose an item of the run's template."
        if self.run_id and self.organisation_id and \
                self.run.organisation_id != self.organisation_id:
            errors["run"] = "Choose a check run of this organisation."
        if self.item_id:
            kind = self.item.answer_type
            if self.outcome == Outcome.NA and kind in (AnswerType.CHOICE, AnswerType.PHOTO):
                errors["outcome"] = "This item has no 'not applicable'; answer it."
            if kind == AnswerType.CHOICE and self.choice and \
                    self.choice not in lines(self.item.options):
                errors["choice"] = f"Choose one of: {', '.join(lines(self.item.options))}."
            if kind != AnswerType.CHOICE and self.choice:
                errors["choice"] = "Only a choice item takes a choice."
            if kind != AnswerType.NUMBER and self.number is not None:
                errors["number"] = "Only a number item takes a value."
            if self.outcome == Outcome.FAIL and not self.note.strip() and \
                    kind == AnswerType.PASS_FAIL:
                errors["note"] = "Say what was found: a failed point needs a note."
        if self.run_id and self.run.status == RunStatus.COMPLETED:
            errors.setdefault("note", "The check run is completed; its answers are final.")
        if errors:
            raise ValidationError(errors)


class SealBatch(PrimaryModel):
    """Seal stock received at a site: a numbered range of ISO 17712 seals (C-TPAT MSC seal
    security — stock control)."""

    reference_prefix = "SLB"

    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT,
                             related_name="seal_batches", verbose_name="received at")
    prefix = models.CharField("number prefix", max_length=10, blank=True,
                              help_text="Letters printed before the number, e.g. ABC.")
    first_number = models.PositiveIntegerField("first number")
    last_number = models.PositiveIntegerField("last number")
    digits = models.PositiveSmallIntegerField(
        "digits", default=7, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="How many digits are printed (zeros in front), e.g. 7 for 0012345.")
    seal_class = models.CharField("ISO 17712 class", max_length=1, choices=SealClass,
                                  default=SealClass.HIGH)
    seal_type = models.CharField("type", max_length=12, choices=SealType,
                                 default=SealType.BOLT)
    manufacturer = models.CharField("manufacturer", max_length=200, blank=True)
    certificate = models.CharField("ISO 17712 certificate", max_length=200, blank=True,
                                   help_text="The manufacturer's test certificate reference.")
    received_on = models.DateField("received on", default=timezone.localdate)
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("-received_on", "-pk")
        verbose_name = "seal stock received"
        verbose_name_plural = "seal stock received"

    def __str__(self):
        return f"{self.number(self.first_number)}–{self.number(self.last_number)}"

    def number(self, value):
        """The printed seal number of `value` in this batch."""
        return f"{self.prefix}{value:0{self.digits}d}"

    @property
    def size(self):
        return self.last_number - self.first_number + 1

    def clean(self):
        super().clean()
        errors = {}
        _own(self, "site", errors)
        if self.first_number is not None and self.last_number is not None:
            if self.last_number < self.first_number:
                errors["last_number"] = "The last number is below the first."
            elif self.size > MAX_BATCH:
                errors["last_number"] = (f"At most {MAX_BATCH} seals in one receipt; "
                                         "record a larger delivery as several.")
            elif self.digits and len(str(self.last_number)) > self.digits:
                errors["digits"] = "The last number has more digits than that."
        if self.received_on and self.received_on > timezone.localdate():
            errors["received_on"] = "Stock cannot be received in the future."
        if self.pk:
            saved = SealBatch._base_manager.filter(pk=self.pk).values(
                "prefix", "first_number", "last_number", "digits", "site_id").first()
            if saved and any(saved[k] != getattr(self, k) for k in saved):
                errors.setdefault("first_number", "The seals of this receipt exist; its site "
                                                  "and numbers cannot change. Record a lost "
                                                  "or destroyed seal instead.")
        if errors:
            raise ValidationError(errors)


class Seal(PrimaryModel):
    """One numbered seal and where it stands (in stock → issued → affixed → verified or
    discrepancy → removed; lost, broken, destroyed)."""

    reference_prefix = "SEA"

    batch = models.ForeignKey(SealBatch, on_delete=models.PROTECT, related_name="seals",
                              verbose_name="received in", editable=False)
    number = models.CharField("seal number", max_length=30, editable=False)
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT,
                             related_name="seals", verbose_name="held at", editable=False)
    destination = models.ForeignKey(
        "supplychain.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="arrival site", editable=False)
    status = models.CharField("status", max_length=12, choices=SealStatus,
                              default=SealStatus.IN_STOCK, editable=False)
    issued_to = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="issued to", editable=False)
    leg = models.ForeignKey("supplychain.Leg", on_delete=models.PROTECT, null=True,
                            blank=True, related_name="seals", verbose_name="leg",
                            editable=False)
    container_number = models.CharField("trailer or container number", max_length=60,
                                        blank=True, editable=False)
    shipment_reference = models.CharField("shipment reference", max_length=100, blank=True,
                                          editable=False)
    affixed_at = models.DateTimeField("affixed at", null=True, blank=True, editable=False)
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("number",)
        verbose_name = "seal"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "number"),
                                    name="fieldchecks_seal_number_once",
                                    violation_error_message="This seal number is already "
                                    "in the register."),
        ]
        indexes = [models.Index(fields=("organisation", "container_number"),
                                name="fieldchecks_seal_container")]

    def __str__(self):
        return self.number


class SealEvent(PrimaryModel):
    """One step of a seal's life: who did what, where and when; a verification records the
    number read, the View–Verify–Tug–Twist checks and whether the seal was intact."""

    reference_prefix = "SLE"

    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="events",
                             verbose_name="seal", editable=False)
    kind = models.CharField("event", max_length=12, choices=SealEventKind, editable=False)
    at = models.DateTimeField("when", default=timezone.now, editable=False)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True,
                           verbose_name="by", editable=False)
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, related_name="+",
                             verbose_name="where", editable=False)
    seal_site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT,
                                  related_name="+", null=True, editable=False,
                                  verbose_name="seal held at")
    seal_destination = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT,
                                         related_name="+", null=True, editable=False,
                                         verbose_name="seal arrival site")
    issued_to = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+",
                                  verbose_name="issued to", editable=False)
    leg = models.ForeignKey("supplychain.Leg", on_delete=models.PROTECT, null=True,
                            related_name="+", verbose_name="leg", editable=False)
    container_number = models.CharField("trailer or container number", max_length=60,
                                        blank=True, editable=False)
    shipment_reference = models.CharField("shipment reference", max_length=100, blank=True,
                                          editable=False)
    number_read = models.CharField("number read", max_length=30, blank=True, editable=False)
    number_matches = models.BooleanField("number matches", null=True, editable=False)
    view_ok = models.BooleanField("view", null=True, editable=False)
    tug_ok = models.BooleanField("tug", null=True, editable=False)
    twist_ok = models.BooleanField("twist and turn", null=True, editable=False)
    intact = models.BooleanField("intact", null=True, editable=False)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, null=True,
                                 related_name="+", verbose_name="incident opened",
                                 editable=False)
    reason = models.TextField("notes", blank=True,
                              help_text="Why (removed, broken, lost, destroyed) or what was "
                                        "seen.")

    class Meta:
        ordering = ("seal", "at", "pk")
        verbose_name = "seal event"

    def __str__(self):
        return f"{self.seal.number} {self.get_kind_display().lower()}"


# Schedules and the gatehouse registers, in their own modules (by concept); imported here so
# that Django finds their models.
from .accesslog import KeyIssue, VisitorLogEntry  # noqa: E402, F401
from .schedules import CheckSchedule  # noqa: E402, F401

# Templates are the organisation's procedures: the security manager keeps them, everyone who
# works with them reads them.
PROCEDURE = roles.matrix(officer=roles.READ_EXPORT, contributor=roles.READ_EXPORT)
register(CheckTemplate, roles=PROCEDURE)
register(CheckItem, roles=PROCEDURE)
# Runs, answers and the seal register are site records: the site's officer keeps them.
# "site_id" (a column), so `core.scope.allows` can answer before the row exists.
register(CheckRun, site_paths=("site_id",), roles=roles.SITE_RECORD)
register(CheckAnswer, site_paths=("site_id",), roles=roles.SITE_RECORD)
register(SealBatch, site_paths=("site_id",), roles=roles.SITE_RECORD)
register(Seal, site_paths=("site_id", "destination_id"), roles=roles.SITE_RECORD)
register(SealEvent, site_paths=("site_id", "seal_site_id", "seal_destination_id"),
         roles=roles.SITE_RECORD)
