"""Filters of the exercises register (shared by the list and the API)."""

import django_filters
from django import forms
from django.utils import timezone

from chainward.core.filtersets import RecordFilterSet

from .models import Exercise, ExerciseResult, ExerciseType


class ExerciseFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "tested", "observations", "plan__title")
    exercise_type = django_filters.MultipleChoiceFilter(choices=ExerciseType, label="Type")
    result = django_filters.MultipleChoiceFilter(choices=ExerciseResult)
    held = django_filters.BooleanFilter(field_name="held_on", lookup_expr="isnull",
                                        exclude=True, label="Held")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue")
    plan = django_filters.NumberFilter(field_name="plan", widget=forms.HiddenInput)
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)
    incident = django_filters.NumberFilter(field_name="incident", widget=forms.HiddenInput)

    class Meta:
        model = Exercise
        fields = ("q", "exercise_type", "result", "held", "overdue", "plan", "site",
                  "incident", "archived")

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = {"held_on__isnull": True, "due_on__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)
