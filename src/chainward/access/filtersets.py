"""Filters of the role-assignment register."""

import django_filters

from chainward.core.filtersets import RecordFilterSet

from .models import Role, RoleAssignment


class RoleAssignmentFilterSet(RecordFilterSet):
    search_fields = ("user__email", "user__full_name", "reference")
    role = django_filters.ModelChoiceFilter(queryset=Role.objects.all())

    class Meta:
        model = RoleAssignment
        fields = ("q", "role", "archived")

    def related_filters(self):
        return []  # roles are global, not organisation records
