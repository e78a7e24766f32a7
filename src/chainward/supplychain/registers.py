"""Register declarations of the supply chain: what each list, form, import and panel shows."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel
from chainward.core.registry import add_register

from . import filtersets, models, services
from .api import serializers
from .api.viewsets import LegViewSet, OrganisationViewSet
from .forms import LegForm

GROUP = "Supply chain"


@add_register
class OrganisationRegister(Register):
    model = models.Organisation
    url_prefix = "organisations"
    menu_group = "Administration"
    columns = ("name", "legal_name", "country", "registration_number")
    export_columns = columns
    filterset_class = filtersets.OrganisationFilterSet
    fields = ("name", "legal_name", "country", "registration_number", "description")
    # The organisation is the tenant itself: no reference, no owning organisation (and, as
    # before, no timestamps in its API).
    api_record_fields = ("id", "url", "version", "archived")
    serializer_class = serializers.OrganisationSerializer
    # Created by superusers and installation administrators through
    # services.create_organisation: the page `views.organisation_add`, the API's create.
    viewset_base = OrganisationViewSet
    can_import = False


@add_register
class SiteRegister(Register):
    model = models.Site
    url_prefix = "sites"
    menu_group = GROUP
    columns = ("name", "code", "kind", "city", "country", "security_level",
               Column("operator", sort="operator__name"))
    filterset_class = filtersets.SiteFilterSet
    fields = ("name", "code", "kind", "address", "city", "postcode", "country", "latitude",
              "longitude", "operator", "goods_categories", "security_level", "description")
    form_sections = (
        ("Site", ("name", "code", "kind", "operator", "security_level")),
        ("Address and position", ("address", "city", "postcode", "country", "latitude",
                                  "longitude")),
        ("Goods and description", ("goods_categories", "description")),
    )
    select_related = ("operator",)
    import_required = ("name", "kind", "country")
    import_lookups = {"operator": "name", "goods_categories": "name"}


@add_register
class PartnerRegister(Register):
    model = models.Partner
    url_prefix = "partners"
    menu_group = GROUP
    columns = ("name", "kind", "status", "country", "criticality",
               Column("review_last", label="last reviewed", accessor="review.last_reviewed",
                      sort="review_last"),
               Column("review_state", label="review (ISO 28001 4.5)",
                      accessor="review.label", sort=None),
               Column("programme_expired", label="programme expired",
                      accessor="programme_expired_label", sort="programme_expired"))
    filterset_class = filtersets.PartnerFilterSet
    fields = ("name", "kind", "status", "country", "city", "registration_number",
              "criticality", "website", "notes")
    form_sections = (
        ("Partner", ("name", "kind", "status", "criticality")),
        ("Where and who", ("country", "city", "registration_number", "website")),
        ("Notes", ("notes",)),
    )
    import_required = ("name", "kind", "country")
    serializer_class = serializers.PartnerSerializer  # adds the review state
    detail_template = "supplychain/partner_detail.html"

    def base_queryset(self):
        """Partners with their review state (last review, programme, exemption) and whether
        a security programme status lapsed unrenewed (issue 13 item 10) annotated."""
        return services.with_programme_state(services.with_review_state(
            super().base_queryset()))


@add_register
class PartnerContactRegister(Register):
    model = models.PartnerContact
    url_prefix = "contacts"
    menu_group = GROUP
    menu_label = "Partner contacts"
    columns = ("name", Column("partner", sort="partner__name"), "title", "email", "phone",
               "security_contact")
    filterset_class = filtersets.PartnerContactFilterSet
    fields = ("partner", "name", "title", "email", "phone", "security_contact")
    select_related = ("partner",)
    import_required = ("partner", "name")
    import_lookups = {"partner": "name"}


@add_register
class ProgrammeStatusRegister(Register):
    model = models.ProgrammeStatus
    url_prefix = "programmes"
    menu_group = GROUP
    columns = (Column("partner", sort="partner__name"), "programme", "identifier", "level",
               "valid_until", Column("is_expired", label="expired"))
    filterset_class = filtersets.ProgrammeStatusFilterSet
    fields = ("partner", "programme", "identifier", "level", "issuing_authority",
              "valid_from", "valid_until", "verified_on", "notes")
    select_related = ("partner",)
    import_required = ("partner", "programme")
    import_lookups = {"partner": "name"}
    api_extra_fields = ("is_expired",)


@add_register
class GoodsCategoryRegister(Register):
    model = models.GoodsCategory
    url_prefix = "goods"
    menu_group = GROUP
    columns = ("name", "value_class", "theft_attractiveness", "dangerous_goods")
    filterset_class = filtersets.GoodsCategoryFilterSet
    fields = ("name", "description", "value_class", "theft_attractiveness",
              "dangerous_goods", "un_numbers")
    import_required = ("name",)


@add_register
class LegRegister(Register):
    model = models.Leg
    url_prefix = "legs"
    menu_group = GROUP
    columns = (Column("reference"), Column("from_site", sort="from_site__name"),
               Column("to_site", sort="to_site__name"), "mode",
               Column("carrier", sort="carrier__name"), "transit_hours", "frequency")
    export_columns = columns
    filterset_class = filtersets.LegFilterSet
    # An end may be a partner's own facility (issue 13 item 11): form, serializer, viewset.
    form_class = LegForm
    serializer_class = serializers.LegSerializer
    viewset_base = LegViewSet
    fields = ("from_site", "to_site", "mode", "carrier", "goods_categories", "transit_hours",
              "frequency", "points_of_rest", "custody_handoffs", "description")
    # Each end is a site or, beside it, a partner's own facility (LegForm's own fields).
    form_sections = (
        ("Ends", ("from_site", "from_partner", "to_site", "to_partner")),
        ("Transport", ("mode", "carrier", "transit_hours", "frequency", "goods_categories")),
        ("Security en route", ("points_of_rest", "custody_handoffs", "description")),
    )
    select_related = ("from_site", "to_site", "carrier")
    import_required = ("from_site", "to_site", "mode")
    import_lookups = {"from_site": "code", "to_site": "code", "carrier": "name",
                      "goods_categories": "name"}


@add_register
class StatementOfApplicationRegister(Register):
    model = models.StatementOfApplication
    url_prefix = "statements"
    menu_group = GROUP
    menu_label = "Statement of application"
    columns = ("title", "status", "effective_date")
    filterset_class = filtersets.StatementOfApplicationFilterSet
    fields = ("title", "status", "effective_date", "coverage", "processes", "sites", "legs",
              "partners")
    can_import = False


@add_register
class ExemptionRegister(Register):
    model = models.Exemption
    url_prefix = "exemptions"
    menu_group = GROUP
    menu_label = "Exempt partners"
    columns = (Column("partner", sort="partner__name"), "basis", "certificate",
               Column("programme_status", sort="programme_status__valid_until"), "valid_until",
               Column("is_expired", label="expired"),
               Column("standing", label="in force", accessor="standing", sort=None),
               Column("statement", sort="statement__title"))
    filterset_class = filtersets.ExemptionFilterSet
    fields = ("statement", "partner", "programme_status", "basis", "certificate",
              "evidence", "valid_until")
    select_related = ("partner", "statement", "programme_status__partner")
    import_required = ("statement", "partner", "programme_status", "basis")
    import_lookups = {"statement": "reference", "partner": "name"}
    api_extra_fields = ("is_expired",)
    serializer_class = serializers.ExemptionSerializer  # adds in_force and lapse_reason
    detail_template = "supplychain/exemption_detail.html"

    def after_save(self, user, obj, created):
        """ISO 28001 4.4: an exemption rests on a valid programme status (every path)."""
        services.exemption_saved(obj, created)


@add_register
class PartnerReviewRegister(Register):
    model = models.PartnerReview
    url_prefix = "partner-reviews"
    menu_group = GROUP
    menu_label = "Partner reviews"
    columns = (Column("partner", sort="partner__name"), "reviewed_on", "method", "outcome",
               "reviewer")
    filterset_class = filtersets.PartnerReviewFilterSet
    fields = ("partner", "reviewed_on", "method", "outcome", "reviewer", "findings")
    select_related = ("partner",)
    import_required = ("partner", "reviewed_on")
    import_lookups = {"partner": "name"}

    def after_save(self, user, obj, created):
        """A review is dated when it took place, never ahead (every path)."""
        services.check_partner_review(obj)


SiteRegister.related_panels = (
    RelatedPanel("Outbound legs", LegRegister, "from_site", add_field="from_site"),
    RelatedPanel("Inbound legs", LegRegister, "to_site", add_field="to_site"),
)
PartnerRegister.related_panels = (
    RelatedPanel("Programme statuses", ProgrammeStatusRegister, "partner", add_field="partner"),
    RelatedPanel("Reviews (ISO 28001 4.5)", PartnerReviewRegister, "partner",
                 add_field="partner"),
    RelatedPanel("Exemptions (ISO 28001 4.4)", ExemptionRegister, "partner",
                 add_field="partner"),
    RelatedPanel("Contacts", PartnerContactRegister, "partner", add_field="partner"),
    RelatedPanel("Sites operated", SiteRegister, "operator", add_field="operator"),
    RelatedPanel("Legs carried", LegRegister, "carrier", add_field="carrier"),
)
StatementOfApplicationRegister.related_panels = (
    RelatedPanel("Exempt partners (ISO 28001 4.4)", ExemptionRegister, "statement",
                 add_field="statement"),
)
