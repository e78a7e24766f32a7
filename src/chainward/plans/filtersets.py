"""Filters of objectives and measurements (shared by lists and the API)."""

import django_filters
from django import forms

from chainward.core.filtersets import RecordFilterSet

from .choices import Direction, ObjectiveStatus, PlanStatus
from .models import Measurement, SecurityObjective, SecurityPlan, SecurityPlanVersion


class SecurityObjectiveFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "kpi_name", "description")
    status = django_filters.MultipleChoiceFilter(choices=ObjectiveStatus, method="filter_status",
                                                 label="Status")
    direction = django_filters.MultipleChoiceFilter(choices=Direction)
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte",
                                           label="Due on or before")
    owner = django_filters.NumberFilter(field_name="owner", widget=forms.HiddenInput)

    class Meta:
        model = SecurityObjective
        fields = ("q", "status", "direction", "due_before", "owner", "archived")

    def filter_status(self, queryset, name, value: list[str]):
        # The status is computed, not stored: evaluate it on the (prefetched) rows.
        if not value:
            return queryset
        wanted = set(value)
        matching = [objective.pk for objective in queryset.prefetch_related("measurements")
                    if objective.status in wanted]
        return queryset.filter(pk__in=matching)


class MeasurementFilterSet(RecordFilterSet):
    search_fields = ("note", "reference", "objective__title")
    objective = django_filters.ModelChoiceFilter(queryset=SecurityObjective.objects.all())
    measured_after = django_filters.DateFilter(field_name="measured_on", lookup_expr="gte",
                                               label="Measured on or after")
    measured_before = django_filters.DateFilter(field_name="measured_on", lookup_expr="lte",
                                                label="Measured on or before")

    class Meta:
        model = Measurement
        fields = ("q", "objective", "measured_after", "measured_before", "archived")


class SecurityPlanFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "assessment__title")
    assessment = django_filters.NumberFilter(field_name="assessment", widget=forms.HiddenInput)

    class Meta:
        model = SecurityPlan
        fields = ("q", "assessment", "archived")


class SecurityPlanVersionFilterSet(RecordFilterSet):
    search_fields = ("plan__title", "reference", "change_summary")
    status = django_filters.MultipleChoiceFilter(choices=PlanStatus)
    plan = django_filters.NumberFilter(field_name="plan", widget=forms.HiddenInput)

    class Meta:
        model = SecurityPlanVersion
        fields = ("q", "status", "plan", "archived")
