"""API serializer of the partner register with its partner assurance (ISO 28001 4.5): the risk
score, each factor's contribution, the review interval and the questionnaire depth."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chainward.core.api import RecordSerializer
from chainward.partners.assurance import assurance_of, depth_advice
from chainward.supplychain.api.serializers import PartnerSerializer


class FactorSerializer(serializers.Serializer):
    """One factor of a partner's risk score and what it adds."""

    factor = serializers.CharField()
    finding = serializers.CharField()
    points = serializers.IntegerField()


class AssuranceSerializer(serializers.Serializer):
    """A partner's risk score with its explanation (null score: exempt, ISO 28001 4.4)."""

    exempt = serializers.BooleanField()
    score = serializers.IntegerField(allow_null=True, help_text="0-100; the sum of the factors.")
    band = serializers.CharField(allow_null=True, help_text="low, medium, high or very high")
    factors = FactorSerializer(many=True)
    review_interval_days = serializers.IntegerField(allow_null=True)
    next_review_due_on = serializers.DateField(allow_null=True)
    questionnaire_depth = serializers.CharField(allow_null=True)
    declaration_expired = serializers.BooleanField()
    interval_reason = serializers.CharField()


class AssuredPartnerSerializer(PartnerSerializer):
    """A partner with its ISO 28001 4.5 review state and partner assurance (read-only)."""

    assurance = serializers.SerializerMethodField()

    @extend_schema_field(AssuranceSerializer)
    def get_assurance(self, obj) -> dict:
        return AssuranceSerializer(assurance_of(obj).as_dict()).data


class QuestionnaireRequestSerializer(RecordSerializer):
    """A questionnaire request; `depth_advice` says when its template asks less of the partner
    than the partner's risk score calls for (ISO 28001 4.5; advice, the request is sent)."""

    depth_advice = serializers.SerializerMethodField(
        help_text="When the template asks less of the partner than its risk score calls for, "
                  "a sentence saying so (else empty). Given for one request (create, read, "
                  "update); null in lists, which stay at a fixed number of queries.")

    def get_depth_advice(self, obj) -> str | None:
        if isinstance(self.parent, serializers.ListSerializer):
            return None
        return depth_advice(obj.partner, obj.template)
