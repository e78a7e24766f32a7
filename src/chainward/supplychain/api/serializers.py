"""API serializers of the supply-chain registers."""

from chainward.core.api import RecordSerializer
from chainward.supplychain import models

RECORD_FIELDS = ("id", "url", "reference", "organisation", "version", "archived", "created_at",
                 "updated_at")


class OrganisationSerializer(RecordSerializer):
    organisation = None

    class Meta:
        model = models.Organisation
        fields = ("id", "url", "version", "archived", "name", "legal_name", "country",
                  "registration_number", "description")


class SiteSerializer(RecordSerializer):
    class Meta:
        model = models.Site
        fields = (*RECORD_FIELDS, "name", "code", "kind", "address", "city", "postcode",
                  "country", "latitude", "longitude", "operator", "goods_categories",
                  "security_level", "description")


class PartnerSerializer(RecordSerializer):
    class Meta:
        model = models.Partner
        fields = (*RECORD_FIELDS, "name", "kind", "status", "country", "city",
                  "registration_number", "criticality", "website", "notes")


class PartnerContactSerializer(RecordSerializer):
    class Meta:
        model = models.PartnerContact
        fields = (*RECORD_FIELDS, "partner", "name", "title", "email", "phone",
                  "security_contact")


class ProgrammeStatusSerializer(RecordSerializer):
    class Meta:
        model = models.ProgrammeStatus
        fields = (*RECORD_FIELDS, "partner", "programme", "identifier", "level",
                  "issuing_authority", "valid_from", "valid_until", "verified_on", "notes",
                  "is_expired")


class GoodsCategorySerializer(RecordSerializer):
    class Meta:
        model = models.GoodsCategory
        fields = (*RECORD_FIELDS, "name", "description", "value_class", "theft_attractiveness",
                  "dangerous_goods", "un_numbers")


class LegSerializer(RecordSerializer):
    class Meta:
        model = models.Leg
        fields = (*RECORD_FIELDS, "from_site", "to_site", "mode", "carrier", "goods_categories",
                  "transit_hours", "frequency", "points_of_rest", "custody_handoffs",
                  "description")


class StatementOfApplicationSerializer(RecordSerializer):
    class Meta:
        model = models.StatementOfApplication
        fields = (*RECORD_FIELDS, "title", "status", "effective_date", "coverage", "processes",
                  "sites", "legs", "partners")


class ExemptionSerializer(RecordSerializer):
    class Meta:
        model = models.Exemption
        fields = (*RECORD_FIELDS, "statement", "partner", "basis", "certificate", "evidence",
                  "valid_until", "is_expired")
