"""API serializer of role assignments (read-only user e-mail; assign through the UI)."""

from rest_framework import serializers

from chainward.access import models
from chainward.core.api import RecordSerializer


class RoleAssignmentSerializer(RecordSerializer):
    user = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = models.RoleAssignment
        fields = ("id", "url", "reference", "organisation", "version", "archived", "user",
                  "role", "all_sites", "sites", "valid_until")
