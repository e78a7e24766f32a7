"""API serializer overrides of the supply-chain registers: computed review and exemption
state, legs ending at a partner's facility. Each serializer's fields are generated from its
register's declaration (`core.register.Register.get_serializer_class`)."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from chainward.core.api import BoundedPrimaryKeyRelatedField, RecordSerializer
from chainward.supplychain.models import Partner


class OrganisationSerializer(RecordSerializer):
    # No docstring: the OpenAPI description stays the base one. The organisation is the
    # tenant: it belongs to no other organisation.
    organisation = None
    # Creating one (installation administrators): whom to invite as its first administrator.
    administrator_email = serializers.EmailField(
        write_only=True, required=False,
        help_text="On creation: the first administrator, invited by e-mail.")
    administrator_name = serializers.CharField(write_only=True, required=False,
                                               allow_blank=True, max_length=150)

    def validate(self, attrs):
        if self.instance is None and not attrs.get("administrator_email"):
            raise serializers.ValidationError({"administrator_email": [
                "Give the e-mail address of the organisation's first administrator; they "
                "receive an invitation."]})
        attrs = {k: v for k, v in attrs.items() if not k.startswith("administrator_")} \
            if self.instance is not None else attrs
        return super().validate(attrs)


class PartnerSerializer(RecordSerializer):
    """A partner with its ISO 28001 4.5 review state (read-only, computed)."""

    last_reviewed_on = serializers.SerializerMethodField()
    review_interval_days = serializers.SerializerMethodField()
    review_due_on = serializers.SerializerMethodField()
    review_due = serializers.SerializerMethodField()

    def get_last_reviewed_on(self, obj) -> datetime.date | None:
        return obj.review.last_reviewed

    def get_review_interval_days(self, obj) -> int | None:
        return obj.review.interval_days

    def get_review_due_on(self, obj) -> datetime.date | None:
        return obj.review.due_on

    def get_review_due(self, obj) -> bool:
        return obj.review.due


class ExemptionSerializer(RecordSerializer):
    """An exemption (ISO 28001 4.4) with whether it is in force today and why not."""

    in_force = serializers.BooleanField(read_only=True)
    lapse_reason = serializers.CharField(read_only=True)


class LegSerializer(RecordSerializer):
    """A leg; an end may be named by a partner (`from_partner` / `to_partner`, write-only)
    instead of a site: the leg then ends at that partner's own facility, recorded on first use
    (`services.partner_facility`, as the leg form does)."""

    ENDS = (("from_site", "from_partner"), ("to_site", "to_partner"))

    from_partner = BoundedPrimaryKeyRelatedField(
        queryset=Partner.objects.all(), write_only=True, required=False, allow_null=True,
        help_text="Instead of from_site: the partner whose own facility the leg starts at.")
    to_partner = BoundedPrimaryKeyRelatedField(
        queryset=Partner.objects.all(), write_only=True, required=False, allow_null=True,
        help_text="Instead of to_site: the partner whose own facility the leg ends at.")

    def get_fields(self):
        fields = super().get_fields()
        for site_name, _partner_name in self.ENDS:
            fields[site_name].required = False
        return fields

    def validate(self, attrs):
        from chainward.supplychain import services

        self.pending_facilities = {}  # site field -> partner whose facility the save records
        errors = {}
        for site_name, partner_name in self.ENDS:
            partner = attrs.pop(partner_name, None)
            given = attrs.get(site_name)
            current = getattr(self.instance, site_name, None) if self.instance else None
            if partner is not None and given is not None:
                errors[partner_name] = [f"Give {site_name} or {partner_name}, not both."]
            elif partner is None and given is None and current is None:
                errors[site_name] = [f"Give {site_name}, or {partner_name}: the partner whose "
                                     "own facility this end is."]
            elif partner is not None:
                try:
                    existing = services.partner_facility(self.context["request"].user,
                                                         partner, create=False)
                except DjangoValidationError as refused:
                    errors[partner_name] = refused.messages
                    continue
                if existing is None:
                    self.pending_facilities[site_name] = partner
                else:
                    attrs[site_name] = existing
        if errors:
            raise serializers.ValidationError(errors)
        try:
            return super().validate(attrs)
        except serializers.ValidationError as invalid:
            # An end whose facility the save records has no site yet; every other error holds.
            left = {name: problem for name, problem in invalid.detail.items()
                    if name not in self.pending_facilities}
            if left:
                raise serializers.ValidationError(left) from None
            return attrs
