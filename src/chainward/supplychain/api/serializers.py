"""API serializer overrides of the supply-chain registers: computed review and exemption
state. Each serializer's fields are generated from its register's declaration
(`core.register.Register.get_serializer_class`)."""

import datetime

from rest_framework import serializers

from chainward.core.api import RecordSerializer


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
