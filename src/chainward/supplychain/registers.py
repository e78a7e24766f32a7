"""Register declarations of the supply chain: what each list, form, import and panel shows."""

from chainward.core.columns import Column
from chainward.core.register import Register, RelatedPanel, add_register

from . import filtersets, models
from .api import serializers

GROUP = "Supply chain"


@add_register
class OrganisationRegister(Register):
    model = models.Organisation
    url_prefix = "organisations"
    menu_group = "Administration"
    columns = ("name", "legal_name", "country", "registration_number")
    export_columns = columns
    filterset_class = filtersets.OrganisationFilterSet
    form_fields = ("name", "legal_name", "country", "registration_number", "description")
    serializer_class = serializers.OrganisationSerializer
    can_add = False
    can_import = False


@add_register
class SiteRegister(Register):
    model = models.Site
    url_prefix = "sites"
    menu_group = GROUP
    columns = ("name", "code", "kind", "city", "country", "security_level",
               Column("operator", sort="operator__name"))
    filterset_class = filtersets.SiteFilterSet
    form_fields = ("name", "code", "kind", "address", "city", "postcode", "country", "latitude",
                   "longitude", "operator", "goods_categories", "security_level", "description")
    select_related = ("operator",)
    import_fields = form_fields
    import_required = ("name", "kind", "country")
    import_lookups = {"operator": "name", "goods_categories": "name"}
    serializer_class = serializers.SiteSerializer


@add_register
class PartnerRegister(Register):
    model = models.Partner
    url_prefix = "partners"
    menu_group = GROUP
    columns = ("name", "kind", "status", "country", "criticality")
    filterset_class = filtersets.PartnerFilterSet
    form_fields = ("name", "kind", "status", "country", "city", "registration_number",
                   "criticality", "website", "notes")
    import_fields = form_fields
    import_required = ("name", "kind", "country")
    serializer_class = serializers.PartnerSerializer


@add_register
class PartnerContactRegister(Register):
    model = models.PartnerContact
    url_prefix = "contacts"
    menu_group = GROUP
    menu_label = "Partner contacts"
    columns = ("name", Column("partner", sort="partner__name"), "title", "email", "phone",
               "security_contact")
    filterset_class = filtersets.PartnerContactFilterSet
    form_fields = ("partner", "name", "title", "email", "phone", "security_contact")
    select_related = ("partner",)
    import_fields = form_fields
    import_required = ("partner", "name")
    import_lookups = {"partner": "name"}
    initial_from_query = ("partner",)
    serializer_class = serializers.PartnerContactSerializer


@add_register
class ProgrammeStatusRegister(Register):
    model = models.ProgrammeStatus
    url_prefix = "programmes"
    menu_group = GROUP
    columns = (Column("partner", sort="partner__name"), "programme", "identifier", "level",
               "valid_until", Column("is_expired", label="expired"))
    filterset_class = filtersets.ProgrammeStatusFilterSet
    form_fields = ("partner", "programme", "identifier", "level", "issuing_authority",
                   "valid_from", "valid_until", "verified_on", "notes")
    select_related = ("partner",)
    import_fields = form_fields
    import_required = ("partner", "programme")
    import_lookups = {"partner": "name"}
    initial_from_query = ("partner",)
    serializer_class = serializers.ProgrammeStatusSerializer


@add_register
class GoodsCategoryRegister(Register):
    model = models.GoodsCategory
    url_prefix = "goods"
    menu_group = GROUP
    columns = ("name", "value_class", "theft_attractiveness", "dangerous_goods")
    filterset_class = filtersets.GoodsCategoryFilterSet
    form_fields = ("name", "description", "value_class", "theft_attractiveness",
                   "dangerous_goods", "un_numbers")
    import_fields = form_fields
    import_required = ("name",)
    serializer_class = serializers.GoodsCategorySerializer


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
    form_fields = ("from_site", "to_site", "mode", "carrier", "goods_categories", "transit_hours",
                   "frequency", "points_of_rest", "custody_handoffs", "description")
    select_related = ("from_site", "to_site", "carrier")
    import_fields = form_fields
    import_required = ("from_site", "to_site", "mode")
    import_lookups = {"from_site": "code", "to_site": "code", "carrier": "name",
                      "goods_categories": "name"}
    initial_from_query = ("from_site", "to_site", "carrier")
    serializer_class = serializers.LegSerializer


@add_register
class StatementOfApplicationRegister(Register):
    model = models.StatementOfApplication
    url_prefix = "statements"
    menu_group = GROUP
    menu_label = "Statement of application"
    columns = ("title", "status", "effective_date")
    filterset_class = filtersets.StatementOfApplicationFilterSet
    form_fields = ("title", "status", "effective_date", "coverage", "processes", "sites", "legs",
                   "partners")
    can_import = False
    serializer_class = serializers.StatementOfApplicationSerializer


@add_register
class ExemptionRegister(Register):
    model = models.Exemption
    url_prefix = "exemptions"
    menu_group = GROUP
    menu_label = "Exempt partners"
    columns = (Column("partner", sort="partner__name"), "basis", "certificate", "valid_until",
               Column("is_expired", label="expired"), Column("statement", sort="statement__title"))
    filterset_class = filtersets.ExemptionFilterSet
    form_fields = ("statement", "partner", "basis", "certificate", "evidence", "valid_until")
    select_related = ("partner", "statement")
    import_fields = form_fields
    import_required = ("statement", "partner", "basis")
    import_lookups = {"statement": "reference", "partner": "name"}
    initial_from_query = ("statement", "partner")
    serializer_class = serializers.ExemptionSerializer


SiteRegister.related_panels = (
    RelatedPanel("Outbound legs", LegRegister, "from_site", add_field="from_site"),
    RelatedPanel("Inbound legs", LegRegister, "to_site", add_field="to_site"),
)
PartnerRegister.related_panels = (
    RelatedPanel("Programme statuses", ProgrammeStatusRegister, "partner", add_field="partner"),
    RelatedPanel("Contacts", PartnerContactRegister, "partner", add_field="partner"),
    RelatedPanel("Sites operated", SiteRegister, "operator", add_field="operator"),
    RelatedPanel("Legs carried", LegRegister, "carrier", add_field="carrier"),
)
StatementOfApplicationRegister.related_panels = (
    RelatedPanel("Exempt partners (ISO 28001 4.4)", ExemptionRegister, "statement",
                 add_field="statement"),
)
