"""API representations of the risk app beyond the generated record serializers."""

from rest_framework import serializers


class OccurrenceSerializer(serializers.Serializer):
    """A record that realised the rating's scenario at its target (a security incident)."""

    reference = serializers.CharField()
    url = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class LikelihoodSuggestionSerializer(serializers.Serializer):
    """A rating's likelihood suggestion (`risk.likelihood.suggest_likelihood`); `minimum` is
    null when nothing the caller may see happened."""

    minimum = serializers.IntegerField(allow_null=True)
    minimum_name = serializers.CharField(allow_blank=True)
    current = serializers.IntegerField(allow_null=True)
    below = serializers.BooleanField()
    since = serializers.DateField(allow_null=True)
    explanation = serializers.CharField(allow_blank=True)
    occurrences = OccurrenceSerializer(many=True)
