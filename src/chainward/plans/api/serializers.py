"""API serializer overrides of the plans app (computed objective status, generated plan
content); their fields come from the registers' declarations (`Register.get_serializer_class`).
"""

from rest_framework import serializers

from chainward.core.api import RecordSerializer
from chainward.plans.choices import ObjectiveStatus


class SecurityObjectiveSerializer(RecordSerializer):
    status = serializers.ChoiceField(
        choices=ObjectiveStatus.choices, read_only=True,
        help_text="Computed from the measurements (see chainward.plans.status), never stored.")


class SecurityPlanVersionSerializer(RecordSerializer):
    """A plan version. Readers limited to some sites get the ratings of those sites only."""

    content = serializers.SerializerMethodField(
        help_text="The generated part (scope, team, scenarios, ratings, countermeasures) as "
                  "this reader may see it.")

    def get_content(self, obj) -> dict:
        from chainward.plans.security_plan import content_for

        return content_for(self.context["request"].user, obj)
