"""API serializer of role assignments (read-only user e-mail; assign through the UI)."""

from rest_framework import serializers

from chainward.core.api import RecordSerializer


class RoleAssignmentSerializer(RecordSerializer):
    user = serializers.SlugRelatedField(slug_field="email", read_only=True)
