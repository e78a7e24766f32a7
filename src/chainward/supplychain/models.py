"""The supply chain as records: organisation, nodes, legs, partners, goods (ISO 28001 4.1)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django_countries.fields import CountryField

from chainward.core import roles
from chainward.core.models import ExpiryMixin, PrimaryModel, TrackedModel
from chainward.core.registry import register

from . import choices


class Organisation(TrackedModel):
    """The organisation whose security management system this is (the top of every scope)."""

    name = models.CharField("name", max_length=200, unique=True)
    legal_name = models.CharField("legal name", max_length=200, blank=True)
    country = CountryField("country", blank=True)
    registration_number = models.CharField("EORI / registration number", max_length=40,
                                           blank=True)
    description = models.TextField("description", blank=True)
    # Administrators and security managers always need it (settings.MFA_REQUIRED_ROLES); set
    # through access.mfa.set_two_step_policy (ledgered).
    require_two_step = models.BooleanField(
        "require two-step sign-in for everyone", default=False,
        help_text="Everyone with a role here must set up two-step sign-in before using the app.")

    class Meta:
        ordering = ("name",)

    def __str__(self):
        return self.name


class GoodsCategory(PrimaryModel):
    """A class of goods moved through the chain; value and theft appeal drive threat likelihood."""

    reference_prefix = "GDS"

    name = models.CharField("name", max_length=120)
    description = models.TextField("description", blank=True)
    value_class = models.CharField("value class", max_length=12, choices=choices.ValueClass,
                                   default=choices.ValueClass.MEDIUM)
    theft_attractiveness = models.PositiveSmallIntegerField(
        "attractiveness to theft", choices=choices.Attractiveness,
        default=choices.Attractiveness.MODERATE)
    dangerous_goods = models.BooleanField("dangerous goods", default=False)
    un_numbers = models.CharField("UN numbers", max_length=200, blank=True,
                                  help_text="For dangerous goods, e.g. UN1203, UN3480.")

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "goods categories"
        constraints = [
            models.UniqueConstraint(fields=("organisation", "name"),
                                    name="supplychain_goods_unique_name",
                                    violation_error_message="A goods category with this name "
                                    "already exists."),
        ]

    def __str__(self):
        return self.name


class Partner(PrimaryModel):
    """A business partner in the chain: supplier, carrier, forwarder, broker, 3PL, customer…"""

    reference_prefix = "PTN"

    name = models.CharField("name", max_length=200)
    kind = models.CharField("kind", max_length=20, choices=choices.PartnerKind)
    status = models.CharField("status", max_length=12, choices=choices.PartnerStatus,
                              default=choices.PartnerStatus.ACTIVE)
    country = CountryField("country")
    city = models.CharField("city", max_length=100, blank=True)
    registration_number = models.CharField("EORI / registration number", max_length=40,
                                           blank=True)
    criticality = models.CharField("criticality", max_length=10, choices=choices.Criticality,
                                   default=choices.Criticality.MEDIUM)
    website = models.URLField("website", blank=True)
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self):
        return self.name

    @cached_property
    def review(self):
        """ISO 28001 4.5: the review interval, last review and next due date
        (`services.review_state`; free of queries on the register's annotated lists)."""
        from .services import review_state

        return review_state(self)

    @property
    def programme_expired_label(self):
        """"expired" when a programme status lapsed unrenewed (the register's annotation, or
        one query), else "" — shown in the partner list (issue 13 item 10)."""
        expired = getattr(self, "programme_expired", None)
        if expired is None:
            from .services import lapsed_programmes

            expired = lapsed_programmes(self.programme_statuses.all()).exists()
        return "expired" if expired else ""


class PartnerContact(PrimaryModel):
    """A person to reach at a partner, e.g. its security contact."""

    reference_prefix = "CON"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="contacts",
                                verbose_name="partner")
    name = models.CharField("name", max_length=150)
    title = models.CharField("job title", max_length=150, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("phone", max_length=40, blank=True)
    security_contact = models.BooleanField("security contact", default=False)

    class Meta:
        ordering = ("partner__name", "name")

    def __str__(self):
        return f"{self.name} ({self.partner})"

    def clean(self):
        super().clean()
        if self.partner_id and self.organisation_id and \
                self.partner.organisation_id != self.organisation_id:
            raise ValidationError({"partner": "Choose a partner of this organisation."})


class ProgrammeStatus(ExpiryMixin, PrimaryModel):
    """A partner's standing in a security programme (AEO, C-TPAT, TAPA, ISO 28000…)."""

    reference_prefix = "PRG"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT,
                                related_name="programme_statuses", verbose_name="partner")
    programme = models.CharField("programme", max_length=12, choices=choices.Programme)
    identifier = models.CharField(
        "identifier", max_length=60, blank=True,
        help_text="Certificate or authorisation number; for C-TPAT the SVI number.")
    level = models.CharField("level / tier", max_length=40, blank=True)
    issuing_authority = models.CharField("issued by", max_length=120, blank=True)
    valid_from = models.DateField("valid from", null=True, blank=True)
    valid_until = models.DateField("valid until", null=True, blank=True)
    verified_on = models.DateField("verified on", null=True, blank=True,
                                   help_text="When we last checked the status with the issuer.")
    notes = models.TextField("notes", blank=True)

    class Meta:
        ordering = ("partner__name", "programme")
        verbose_name = "programme status"
        verbose_name_plural = "programme statuses"

    def __str__(self):
        return f"{self.partner} — {self.get_programme_display()}"


    def clean(self):
        super().clean()
        errors = {}
        if self.partner_id and self.organisation_id and \
                self.partner.organisation_id != self.organisation_id:
            errors["partner"] = "Choose a partner of this organisation."
        if self.programme == choices.Programme.AEO_F and not (
                self.pk and ProgrammeStatus.objects.filter(
                    pk=self.pk, programme=choices.Programme.AEO_F).exists()):
            # Records from before the Union Customs Code stay readable and editable; nothing
            # new is recorded as AEO-F (issue 12).
            errors["programme"] = ("AEO-F is the pre-UCC certificate: record the partner's "
                                   "AEOS (security and safety) and/or AEOC authorisation.")
        levels = choices.PROGRAMME_LEVELS.get(self.programme)
        if levels and self.level and self.level not in levels:
            errors["level"] = (f"{self.get_programme_display()} levels are "
                               f"{', '.join(levels)}.")
        elif (self.programme == choices.Programme.CTPAT and self.level in choices.CTPAT_TIERS
              and self.partner_id and self.partner.kind in choices.CTPAT_NON_IMPORTER_KINDS):
            errors["level"] = (f"C-TPAT tiers are for importers; a "
                               f"{self.partner.get_kind_display().lower()} is C-TPAT Certified "
                               f"or Validated.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = "The last valid day is before the first."
        if errors:
            raise ValidationError(errors)


class Site(PrimaryModel):
    """A node of the supply chain: own facility, warehouse, terminal, port, border crossing…"""

    reference_prefix = "SIT"

    name = models.CharField("name", max_length=200)
    code = models.CharField("code", max_length=20, blank=True,
                            help_text="Short code used on maps and in imports, e.g. DEHAM-WH1.")
    kind = models.CharField("kind", max_length=24, choices=choices.SiteKind)
    address = models.CharField("address", max_length=300, blank=True)
    city = models.CharField("city", max_length=100, blank=True)
    postcode = models.CharField("postcode", max_length=20, blank=True)
    country = CountryField("country")
    latitude = models.DecimalField(
        "latitude", max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(
        "longitude", max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)])
    operator = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="operated_sites",
        verbose_name="operator", help_text="The partner operating the site, when it is not us.")
    goods_categories = models.ManyToManyField(GoodsCategory, blank=True, related_name="sites",
                                              verbose_name="goods handled")
    security_level = models.CharField("security level", max_length=10,
                                      choices=choices.SecurityLevel,
                                      default=choices.SecurityLevel.BASELINE)
    description = models.TextField("description", blank=True)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (models.Q(latitude__isnull=False) & models.Q(longitude__isnull=False)),
                name="supplychain_site_both_coordinates",
                violation_error_message="Give both latitude and longitude, or neither.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})" if self.code else self.name

    def clean(self):
        super().clean()
        if self.operator_id and self.organisation_id and \
                self.operator.organisation_id != self.organisation_id:
            raise ValidationError({"operator": "Choose a partner of this organisation."})


class Leg(PrimaryModel):
    """A movement of goods from one node to another: mode, carrier, rests and custody hand-offs."""

    reference_prefix = "LEG"

    from_site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="outbound_legs",
                                  verbose_name="from")
    to_site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="inbound_legs",
                                verbose_name="to")
    mode = models.CharField("mode", max_length=16, choices=choices.Mode)
    carrier = models.ForeignKey(Partner, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="carried_legs", verbose_name="carrier")
    goods_categories = models.ManyToManyField(GoodsCategory, blank=True, related_name="legs",
                                              verbose_name="goods categories")
    transit_hours = models.DecimalField("typical transit time (hours)", max_digits=7,
                                        decimal_places=1, null=True, blank=True,
                                        validators=[MinValueValidator(0)])
    frequency = models.CharField("frequency", max_length=60, blank=True,
                                 help_text="e.g. daily, 3 per week, on demand.")
    points_of_rest = models.TextField(
        "points of rest", blank=True,
        help_text="Planned stops where goods are at rest: parking areas, yards, depots.")
    custody_handoffs = models.TextField(
        "custody hand-offs", blank=True,
        help_text="Where custody of the goods passes between parties, and how it is checked.")
    description = models.TextField("description", blank=True)

    class Meta:
        ordering = ("from_site__name", "to_site__name")
        # The list (issue 11 item 4): its count and the ids of a page in the order above are
        # read from this index alone, not from 50,000 full rows (SQLite: 35 -> 17 ms at L).
        indexes = [models.Index(fields=("organisation", "archived", "from_site", "to_site"),
                                name="supplychain_leg_list")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_site=models.F("to_site")),
                name="supplychain_leg_distinct_ends",
                violation_error_message="A leg must go from one site to a different site.",
            ),
        ]

    def __str__(self):
        return f"{self.from_site.name} → {self.to_site.name} ({self.get_mode_display()})"

    def clean(self):
        super().clean()
        errors = {}
        for name in ("from_site", "to_site"):
            site = getattr(self, name, None) if getattr(self, f"{name}_id") else None
            if site is not None and self.organisation_id and \
                    site.organisation_id != self.organisation_id:
                errors[name] = "Both ends of a leg must be sites of this organisation."
        if self.carrier_id:
            if self.organisation_id and self.carrier.organisation_id != self.organisation_id:
                errors["carrier"] = "Choose a partner of this organisation."
            elif self.carrier.kind != choices.PartnerKind.CARRIER:
                errors["carrier"] = (f"{self.carrier} is a {self.carrier.get_kind_display()}, "
                                     "not a carrier; choose a partner of kind Carrier.")
        if errors:
            raise ValidationError(errors)


class StatementOfApplication(PrimaryModel):
    """ISO 28001 4.1 — the portion of the supply chain the security programme covers."""

    reference_prefix = "SOA"

    title = models.CharField("title", max_length=200)
    status = models.CharField("status", max_length=12, choices=choices.SoAStatus,
                              default=choices.SoAStatus.DRAFT)
    effective_date = models.DateField("effective from", null=True, blank=True)
    coverage = models.TextField(
        "covered portion", help_text="Which part of the chain is covered, from where to where.")
    processes = models.TextField("processes covered", blank=True)
    sites = models.ManyToManyField(Site, blank=True, related_name="statements",
                                   verbose_name="nodes covered")
    legs = models.ManyToManyField(Leg, blank=True, related_name="statements",
                                  verbose_name="legs covered")
    partners = models.ManyToManyField(Partner, blank=True, related_name="statements",
                                      verbose_name="partners covered")

    class Meta:
        ordering = ("-effective_date", "title")
        verbose_name = "statement of application"
        verbose_name_plural = "statements of application"

    def __str__(self):
        return self.title


class Exemption(ExpiryMixin, PrimaryModel):
    """ISO 28001 4.4 — a partner exempt from our assessment: a programme already covers it.

    It holds only while the programme status it rests on is valid; after that it shows as
    lapsed and the partner is back in the assessment's scope (`services.exemption_in_force`).
    """

    reference_prefix = "EXM"

    statement = models.ForeignKey(StatementOfApplication, on_delete=models.PROTECT,
                                  related_name="exemptions", verbose_name="statement")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="exemptions",
                                verbose_name="partner")
    # Nullable only for exemptions recorded before the link existed: they show as lapsed, and
    # a new exemption without one is refused (services.check_exemption).
    programme_status = models.ForeignKey(
        ProgrammeStatus, on_delete=models.PROTECT, null=True, blank=True,
        related_name="exemptions", verbose_name="programme status",
        help_text="The partner's valid AEO, C-TPAT or other programme status the exemption "
                  "rests on; the exemption lapses when it expires.")
    basis = models.CharField("basis", max_length=12, choices=choices.ExemptionBasis)
    certificate = models.CharField("certificate / authorisation number", max_length=60,
                                   blank=True)
    evidence = models.TextField("evidence", blank=True,
                                help_text="Where the proof is kept (document, link, database).")
    valid_until = models.DateField("valid until", null=True, blank=True)

    class Meta:
        ordering = ("partner__name",)
        constraints = [
            models.UniqueConstraint(fields=("statement", "partner"),
                                    name="supplychain_exemption_unique_partner",
                                    violation_error_message="This partner already has an "
                                    "exemption in this statement."),
        ]

    def __str__(self):
        return f"{self.partner} — {self.get_basis_display()}"

    @classmethod
    def from_db(cls, db, field_names, values):
        # Remember what the exemption rested on when loaded: the expiry check applies when an
        # exemption is created or moved to another status, not to every later edit.
        instance = super().from_db(db, field_names, values)
        instance._loaded_link = (instance.partner_id, instance.programme_status_id,
                                 instance.basis) if "basis" in field_names else None
        return instance

    @property
    def in_force(self) -> bool:
        """Whether the exemption is in force today (its programme status is valid)."""
        return self.lapse_reason == ""

    @property
    def standing(self) -> str:
        """"In force", or "Lapsed: <why>" — for lists and exports."""
        reason = self.lapse_reason
        return f"Lapsed: {reason}" if reason else "In force"

    @property
    def lapse_reason(self) -> str:
        """Why the exemption has lapsed, or "" while it is in force."""
        from .services import exemption_lapse_reason

        return exemption_lapse_reason(self, timezone.localdate())

    def clean(self):
        super().clean()
        errors = {}
        for name in ("statement", "partner", "programme_status"):
            related = getattr(self, name) if getattr(self, f"{name}_id") else None
            if related is not None and self.organisation_id and \
                    related.organisation_id != self.organisation_id:
                errors[name] = "Choose a record of this organisation."
        if errors:
            raise ValidationError(errors)
        if self.partner_id:
            from .services import check_exemption

            check_exemption(self)


class PartnerReview(PrimaryModel):
    """ISO 28001 4.5 — one review of a non-exempt partner's security: how it was done, by whom,
    what it found. The latest review sets when the next one is due (`services.review_state`).
    """

    reference_prefix = "REV"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="reviews",
                                verbose_name="partner")
    reviewed_on = models.DateField("reviewed on")
    method = models.CharField("method", max_length=16, choices=choices.ReviewMethod,
                              default=choices.ReviewMethod.DESK)
    outcome = models.CharField("outcome", max_length=16, choices=choices.ReviewOutcome,
                               default=choices.ReviewOutcome.SATISFACTORY)
    reviewer = models.CharField("reviewed by", max_length=150, blank=True,
                                help_text="Who carried out the review (our staff or an auditor).")
    findings = models.TextField(
        "results", blank=True,
        help_text="What was checked and found; actions agreed with the partner.")

    class Meta:
        ordering = ("-reviewed_on", "partner__name")
        verbose_name = "partner review"

    def __str__(self):
        return f"{self.partner} — review {self.reviewed_on:%Y-%m-%d}" if self.reviewed_on \
            else f"{self.partner} — review"

    def clean(self):
        super().clean()
        errors = {}
        if self.partner_id and self.organisation_id and \
                self.partner.organisation_id != self.organisation_id:
            errors["partner"] = "Choose a partner of this organisation."
        if errors:
            raise ValidationError(errors)
        from .services import check_partner_review

        check_partner_review(self)


register(Organisation, organisation_path="id",
         roles=roles.matrix(admin=("view", "change", "export"), manager=roles.READ_EXPORT,
                            officer=roles.READ, contributor=roles.READ))
register(Site, site_paths=("id",),
         roles=roles.matrix(officer=("view", "change", "export")))
register(Leg, site_paths=("from_site_id", "to_site_id"), roles=roles.SITE_RECORD)
register(Partner, roles=roles.ORGANISATION_RECORD)
register(PartnerContact, roles=roles.ORGANISATION_RECORD)
register(ProgrammeStatus, roles=roles.ORGANISATION_RECORD)
register(GoodsCategory, roles=roles.ORGANISATION_RECORD)
register(StatementOfApplication, roles=roles.matrix(officer=roles.READ_EXPORT,
                                                     contributor=roles.READ_EXPORT))
register(Exemption, roles=roles.matrix(officer=roles.READ_EXPORT, contributor=roles.READ_EXPORT))
# Reviews are kept like the partners they concern: managers and contributors record them.
register(PartnerReview, roles=roles.ORGANISATION_RECORD)
