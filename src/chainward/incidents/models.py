"""Security incidents, their notifications and investigation (ISO 28001 5.7, ISO 28000 10.2),
and the authority and emergency contacts directory (ISO 28000 7.4, 8.6).

Design decisions (see also `services.py`):

* Incidents are restricted (ISO 28001 5.8): site-limited people see only incidents at their
  sites — the incident's site or either end of its leg. An incident with only a partner or a
  free location is seen by organisation-wide grants only.
* The leg's two ends are copied onto the incident (`route_from`, `route_to`, never edited by
  hand) and the incident's three places onto its notifications, investigation and timeline, so
  that every scope path is a direct column: "may I add this here?" (`core.scope.allows`) can
  answer before the row exists, and lists filter without joins.
* Statuses move only through `services.transition_incident` (reported → triaged → under
  investigation → closed).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField

from chainward.audits.models import validate_root_cause
from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register

from .choices import (
    OTHER_MO,
    Classification,
    ContactKind,
    IncidentStatus,
    IncidentType,
    LocationType,
    PeopleInvolved,
    Recipient,
    modus_operandi_choices,
    modus_operandi_label,
)

USER = settings.AUTH_USER_MODEL
CURRENCY = re.compile(r"^[A-Z]{3}$")
PLACE_FIELDS = ("site_id", "route_from_id", "route_to_id")


def _site_fk(name, related_name):
    return models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name=related_name, verbose_name=name,
                             editable=False)


class Contact(PrimaryModel):
    """ISO 28000 7.4 / 8.6.3 — an authority or emergency contact of the organisation or a site
    (police, customs, port authority, insurer, CBP/AEO, internal on-call)."""

    reference_prefix = "CON"

    kind = models.CharField("kind", max_length=20, choices=ContactKind)
    name = models.CharField("organisation or unit", max_length=200,
                            help_text="e.g. Polizeikommissariat 42, Zollamt Hamburg.")
    person = models.CharField("person or function", max_length=150, blank=True)
    phone = models.CharField("phone", max_length=40, blank=True)
    email = models.EmailField("e-mail", blank=True)
    address = models.CharField("address", max_length=300, blank=True)
    available = models.CharField("available", max_length=80, blank=True,
                                 help_text="e.g. 24/7, office hours Mon–Fri 8–16.")
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="security_contacts", verbose_name="site",
                             help_text="Leave empty for a contact of the whole organisation.")
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("kind", "name")
        verbose_name = "authority or emergency contact"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"

    def clean(self):
        super().clean()
        if not (self.phone or self.email or self.address):
            raise ValidationError({"phone": "Give a phone number, an e-mail or an address: a "
                                            "contact nobody can reach is no contact."})


class NotificationRule(PrimaryModel):
    """Who must be told of an incident of a type, and within how many hours (the
    organisation's deadlines; C-TPAT, AEO and insurance terms set most of them)."""

    reference_prefix = "NTR"

    incident_type = models.CharField("incident type", max_length=24, choices=IncidentType,
                                     blank=True, help_text="Leave empty for every type.")
    recipient = models.CharField("notify", max_length=20, choices=Recipient)
    within_hours = models.PositiveIntegerField(
        "within (hours)", validators=[MinValueValidator(1), MaxValueValidator(24 * 90)],
        help_text="Counted from when the incident was discovered.")
    basis = models.CharField("basis", max_length=200, blank=True,
                             help_text="Why: the insurance policy, C-TPAT MSC, AEO duty…")

    class Meta:
        ordering = ("incident_type", "recipient")
        verbose_name = "notification deadline"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "incident_type", "recipient"),
                                    name="incidents_rule_once",
                                    violation_error_message="This organisation already has a "
                                    "deadline for this recipient and incident type."),
        ]

    def __str__(self):
        kind = self.get_incident_type_display() if self.incident_type else "any incident"
        return f"{self.get_recipient_display()} within {self.within_hours} h ({kind})"


class Incident(PrimaryModel):
    """ISO 28001 5.7 / ISO 28000 10.2 — a security incident: what happened, where, what was
    lost, how serious it is, and where it stands (reported → triaged → under investigation →
    closed)."""

    reference_prefix = "INC"

    title = models.CharField("title", max_length=200,
                             help_text="A short description, e.g. 'Pilferage at the A2 rest "
                                       "stop'.")
    incident_type = models.CharField("type", max_length=24, choices=IncidentType)
    modus_operandi = models.CharField(
        "modus operandi", max_length=30, choices=modus_operandi_choices(), default=OTHER_MO,
        help_text="How it was done; the list depends on the type.")
    modus_operandi_detail = models.CharField("modus operandi (details)", max_length=300,
                                             blank=True)
    description = models.TextField("what happened", blank=True)
    occurred_at = models.DateTimeField("occurred at")
    discovered_at = models.DateTimeField("discovered at", null=True, blank=True,
                                         help_text="Leave empty when it was seen happening.")
    # Where: a site, a leg, a partner, or a free location (one at least). The leg's ends are
    # declared first so that `Incident(leg=…)` sets them after their defaults.
    route_from = _site_fk("leg from", "+")
    route_to = _site_fk("leg to", "+")
    site = models.ForeignKey("supplychain.Site", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="incidents", verbose_name="site")
    leg = models.ForeignKey("supplychain.Leg", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="incidents", verbose_name="leg")
    partner = models.ForeignKey("supplychain.Partner", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="incidents", verbose_name="partner")
    location_type = models.CharField("location type", max_length=20, choices=LocationType,
                                     default=LocationType.OTHER)
    location = models.CharField("location", max_length=300, blank=True,
                                help_text="e.g. A2 rest stop Garbsen-Nord, km 187.")
    country = CountryField("country", blank=True,
                           help_text="Where it happened, when not at one of our sites.")
    latitude = models.DecimalField("latitude", max_digits=9, decimal_places=6, null=True,
                                   blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(
        "longitude", max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)])
    # What.
    goods_category = models.ForeignKey("supplychain.GoodsCategory", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="incidents",
                                       verbose_name="goods category")
    quantity = models.CharField("quantity", max_length=100, blank=True,
                                help_text="e.g. 12 cartons, 1 pallet, a full trailer.")
    loss_value = models.DecimalField("loss value", max_digits=14, decimal_places=2, null=True,
                                     blank=True, validators=[MinValueValidator(0)])
    currency = models.CharField("currency", max_length=3, default="EUR",
                                help_text="ISO 4217 code, e.g. EUR, PLN, USD.")
    recovered_value = models.DecimalField("recovered value", max_digits=14, decimal_places=2,
                                          null=True, blank=True,
                                          validators=[MinValueValidator(0)])
    shipment_references = models.CharField("shipment / consignment references", max_length=300,
                                           blank=True)
    seal_numbers = models.CharField("seal numbers involved", max_length=300, blank=True)
    vehicles = models.CharField("vehicles and registrations", max_length=300, blank=True)
    people_involved = models.CharField("people involved", max_length=10,
                                       choices=PeopleInvolved, default=PeopleInvolved.UNKNOWN)
    severity = models.PositiveSmallIntegerField(
        "severity", validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="On the consequence scale of the organisation's risk matrix.")
    classification = models.CharField("classification", max_length=12, choices=Classification,
                                      default=Classification.RESTRICTED)
    threat_scenario = models.ForeignKey(
        "library.CatalogEntry", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="threat scenario realised",
        limit_choices_to={"kind": "threat_scenario", "retired": False},
        help_text="The ISO 28001 threat scenario this incident realised.")
    status = models.CharField("status", max_length=20, choices=IncidentStatus,
                              default=IncidentStatus.REPORTED, editable=False)
    triaged_on = models.DateField("triaged on", null=True, blank=True, editable=False)
    closed_on = models.DateField("closed on", null=True, blank=True, editable=False)
    affected_ratings = models.ManyToManyField(
        "risk.Rating", blank=True, related_name="incidents", editable=False,
        verbose_name="ratings marked for re-assessment",
        help_text="Set when the incident is triaged or closed (ISO 28001 5.7).")

    class Meta:
        ordering = ("-occurred_at", "-pk")
        indexes = [models.Index(fields=("organisation", "archived", "occurred_at"),
                                name="incidents_incident_register")]

    def __str__(self):
        return f"{self.reference} {self.title}".strip()

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "leg":  # keep the copied leg ends in step with the leg, whatever sets it
            super().__setattr__("route_from_id", getattr(value, "from_site_id", None))
            super().__setattr__("route_to_id", getattr(value, "to_site_id", None))

    def save(self, *args, **kwargs):
        if self.leg_id:
            self.route_from_id, self.route_to_id = self.leg.from_site_id, self.leg.to_site_id
        else:
            self.route_from_id = self.route_to_id = None
        super().save(*args, **kwargs)

    @property
    def modus_operandi_label(self) -> str:
        return modus_operandi_label(self.modus_operandi)

    @property
    def is_open(self):
        return self.status != IncidentStatus.CLOSED

    @property
    def net_loss(self):
        if self.loss_value is None:
            return None
        return self.loss_value - (self.recovered_value or 0)

    def clean(self):
        super().clean()
        errors = {}
        if not (self.site_id or self.leg_id or self.partner_id or self.location.strip()):
            errors["site"] = ("Say where it happened: a site, a leg, a partner or a location "
                              "in words.")
        for name in ("site", "leg", "partner", "goods_category"):
            related = getattr(self, name) if getattr(self, f"{name}_id") else None
            if related is not None and self.organisation_id and \
                    related.organisation_id != self.organisation_id:
                errors[name] = f"Choose a {name.replace('_', ' ')} of this organisation."
        valid_mo = {value for value, _ in modus_operandi_choices(self.incident_type)}
        if self.incident_type and self.modus_operandi not in valid_mo:
            errors["modus_operandi"] = (f"'{modus_operandi_label(self.modus_operandi)}' is not "
                                        f"a modus operandi of "
                                        f"{IncidentType(self.incident_type).label.lower()}; "
                                        "choose one of its list or 'Other'.")
        if self.modus_operandi == OTHER_MO and not self.modus_operandi_detail.strip() and \
                self.incident_type not in (IncidentType.NEAR_MISS, ""):
            errors["modus_operandi_detail"] = "Describe how it was done."
        now = timezone.now()
        if self.occurred_at and self.occurred_at > now + timezone.timedelta(minutes=5):
            errors["occurred_at"] = "An incident cannot occur in the future."
        if self.discovered_at and self.occurred_at and self.discovered_at < self.occurred_at:
            errors["discovered_at"] = "It cannot be discovered before it occurred."
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = "Give both latitude and longitude, or neither."
        if not CURRENCY.match(self.currency or ""):
            errors["currency"] = "Give the three-letter ISO 4217 code, e.g. EUR."
        if self.recovered_value and self.loss_value is not None and \
                self.recovered_value > self.loss_value:
            errors["recovered_value"] = "More cannot be recovered than was lost."
        if self.threat_scenario_id and self.threat_scenario.kind != "threat_scenario":
            errors["threat_scenario"] = "Choose a threat scenario of the catalogue."
        if self.severity and self.organisation_id:
            scale = severity_scale(self.organisation_id)
            if self.severity not in scale:
                errors["severity"] = (f"Choose a level of the organisation's consequence scale: "
                                      f"{', '.join(map(str, scale))}.")
        if self.pk and self.status == IncidentStatus.CLOSED:
            saved = Incident._base_manager.filter(pk=self.pk).values("status").first()
            if saved and saved["status"] == IncidentStatus.CLOSED:
                errors.setdefault("title", "The incident is closed; its record is final.")
        if errors:
            raise ValidationError(errors)


def severity_scale(organisation_id):
    """The consequence levels of the organisation's risk matrix (1-5 when it has none)."""
    from chainward.risk.models import RiskMatrix

    matrix = (RiskMatrix.objects.filter(organisation_id=organisation_id, archived=False)
              .order_by("-frozen", "pk").first())
    values = [lv.get("value") for lv in (matrix.consequence_levels if matrix else [])]
    return [v for v in values if isinstance(v, int)] or [1, 2, 3, 4, 5]


class IncidentChild(PrimaryModel):
    """A record of an incident: placed where its incident is (copied, never edited by hand)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="incident")
    site = _site_fk("site", "+")
    route_from = _site_fk("leg from", "+")
    route_to = _site_fk("leg to", "+")

    class Meta:
        abstract = True

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "incident" and value is not None:
            self.copy_place(value)

    def copy_place(self, incident):
        """Take the incident's site and leg ends (the scope paths of this record)."""
        for field in PLACE_FIELDS:
            super().__setattr__(field, getattr(incident, field))

    def save(self, *args, **kwargs):
        if self.incident_id:
            self.copy_place(self.incident)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.incident_id and self.organisation_id and \
                self.incident.organisation_id != self.organisation_id:
            raise ValidationError({"incident": "Choose an incident of this organisation."})


class Notification(IncidentChild):
    """One party that must be (or was) told of an incident: by when, when, by whom, and the
    reference they gave (police report number, customs case)."""

    reference_prefix = "NTF"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT,
                                 related_name="notifications", verbose_name="incident")
    recipient = models.CharField("notify", max_length=20, choices=Recipient)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="notifications", verbose_name="contact")
    due_at = models.DateTimeField("due by", null=True, blank=True,
                                  help_text="Filled from the organisation's deadlines when "
                                            "left empty.")
    # Set when the deadline came from the organisation's rule ("within N hours of discovery"):
    # such a deadline moves when the incident's discovery time is corrected. A deadline typed
    # by hand clears it and stays where it was put (incidents.services.fill_due_date).
    deadline_hours = models.PositiveIntegerField(
        "hours after discovery", null=True, blank=True, editable=False)
    notified_at = models.DateTimeField("notified at", null=True, blank=True)
    notified_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="notified by")
    reference_number = models.CharField("their reference", max_length=100, blank=True,
                                        help_text="Police report number, customs case, claim "
                                                  "number…")
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("due_at", "pk")
        verbose_name = "incident notification"

    def __str__(self):
        return f"{self.get_recipient_display()} — {self.incident.reference}"

    def save(self, *args, **kwargs):
        from .services import fill_contact, fill_due_date

        fill_due_date(self)
        fill_contact(self)
        super().save(*args, **kwargs)

    def _contact_errors(self):
        """The contact must reach the recipient and belong to the organisation or to one of the
        incident's sites (the directory, ISO 28000 7.4)."""
        from .choices import CONTACT_KINDS_FOR, ContactKind

        kinds = CONTACT_KINDS_FOR.get(self.recipient)
        if kinds and self.contact.kind not in (*kinds, ContactKind.OTHER):
            names = " or ".join(ContactKind(k).label.lower() for k in kinds)
            return {"contact": f"{self.contact} does not reach the "
                               f"{self.get_recipient_display().lower()}: choose a contact of "
                               f"the kind {names}, or leave it empty."}
        places = {getattr(self.incident, f) for f in PLACE_FIELDS} - {None} \
            if self.incident_id else set()
        if self.contact.site_id and self.contact.site_id not in places:
            return {"contact": f"{self.contact} is the contact of {self.contact.site}, where "
                               "this incident did not happen: choose a contact of the "
                               "incident's site or of the whole organisation."}
        return {}

    @property
    def is_overdue(self) -> bool:
        """Not yet notified and past its deadline."""
        return self.notified_at is None and self.due_at is not None and \
            self.due_at < timezone.now()

    def clean(self):
        super().clean()
        errors = {}
        if self.contact_id and self.organisation_id and \
                self.contact.organisation_id != self.organisation_id:
            errors["contact"] = "Choose a contact of this organisation."
        elif self.contact_id:
            errors.update(self._contact_errors())
        if self.notified_at and self.notified_at > timezone.now() + timezone.timedelta(
                minutes=5):
            errors["notified_at"] = "A notification cannot be dated in the future."
        if self.notified_at and not self.notified_by_id:
            errors["notified_by"] = "Say who notified them."
        if errors:
            raise ValidationError(errors)


class Investigation(IncidentChild):
    """ISO 28001 5.7 / ISO 28000 10.2 — the investigation of an incident: summary, root cause
    (the corrective-action structure), failed or missing countermeasures, ratings realised,
    lessons learned; it opens a corrective action."""

    reference_prefix = "INV"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT,
                                 related_name="investigations", verbose_name="incident")
    lead = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name="lead investigator")
    summary = models.TextField("investigation summary", blank=True,
                               help_text="What happened and why; needed to close the incident.")
    root_cause = models.JSONField("root-cause analysis", default=dict, blank=True,
                                  validators=[validate_root_cause])
    failed_countermeasures = models.ManyToManyField(
        "risk.Countermeasure", blank=True, related_name="failed_in_investigations",
        verbose_name="countermeasures that failed or were missing")
    realised_ratings = models.ManyToManyField(
        "risk.Rating", blank=True, related_name="realised_by_investigations",
        verbose_name="risk ratings the incident realised")
    lessons_learned = models.TextField("lessons learned", blank=True)
    corrective_action = models.ForeignKey(
        "audits.CorrectiveAction", on_delete=models.PROTECT, null=True, blank=True,
        related_name="investigations", verbose_name="corrective action", editable=False)
    started_on = models.DateField("started on", default=timezone.localdate)
    completed_on = models.DateField("completed on", null=True, blank=True)

    class Meta:
        ordering = ("-started_on", "pk")
        constraints = [
            models.UniqueConstraint(fields=("incident",), name="incidents_one_investigation",
                                    violation_error_message="This incident already has an "
                                    "investigation; open it instead."),
        ]

    def __str__(self):
        return f"{self.reference} — {self.incident.reference}"

    def clean(self):
        super().clean()
        errors = {}
        if self.completed_on and self.started_on and self.completed_on < self.started_on:
            errors["completed_on"] = "It cannot end before it started."
        # The summary that closed the incident stays what closed it (form, API, import alike;
        # the services that open its corrective action do not edit it).
        if self.pk and self.incident_id and self.incident.status == IncidentStatus.CLOSED:
            errors.setdefault("summary", f"{self.incident.reference} is closed; its "
                                         "investigation is final.")
        if errors:
            raise ValidationError(errors)


class TimelineEntry(IncidentChild):
    """One event of an incident's timeline (ISO 28001 5.7 investigation)."""

    reference_prefix = "ITL"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline",
                                 verbose_name="incident")
    at = models.DateTimeField("when")
    description = models.CharField("what happened", max_length=500)

    class Meta:
        ordering = ("incident", "at", "pk")
        verbose_name = "timeline entry"
        verbose_name_plural = "timeline entries"

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.description[:60]}"


# Incidents and their records are restricted (ISO 28001 5.8): site officers and contributors
# keep them at their sites, Viewers see none, auditors and top management read and export,
# the external auditor samples them at stage 2 (read).
INCIDENT_ROLES = roles.matrix(viewer=roles.NONE)
PLACES = PLACE_FIELDS
register(Contact, site_paths=("site_id",), siteless_is_organisation_wide=True,
         roles=roles.SITE_RECORD)
# Deadlines are the organisation's policy: the security manager keeps them, everybody reads.
register(NotificationRule, roles=roles.matrix(officer=roles.READ_EXPORT,
                                              contributor=roles.READ_EXPORT))
register(Incident, site_paths=PLACES, siteless_is_organisation_wide=False,
         roles=INCIDENT_ROLES)
for _model in (Notification, Investigation, TimelineEntry):
    register(_model, site_paths=PLACES, siteless_is_organisation_wide=False,
             roles=INCIDENT_ROLES)

# Exercises that test the security plans (ISO 28000 8.6) are incidents models kept in their
# own package (chainward.incidents.exercises).
from .exercises.models import Exercise  # noqa: E402, F401
