"""Filters of gap assessments and requirement statuses."""

import django_filters
from django.db.models import Q

from chainward.core.filtersets import RecordFilterSet
from chainward.library.models import Framework

from .choices import AssessmentStatus, ComplianceStatus
from .models import GapAssessment, RequirementStatus


class GapAssessmentFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "framework__name")
    status = django_filters.MultipleChoiceFilter(choices=AssessmentStatus)
    framework = django_filters.ModelChoiceFilter(queryset=Framework.objects.filter(retired=False))

    class Meta:
        model = GapAssessment
        fields = ("q", "status", "framework", "archived")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shipped frameworks plus this organisation's custom ones, never another's.
        self.filters["framework"].queryset = Framework.objects.filter(retired=False).filter(
            Q(library__organisation__isnull=True) | Q(library__organisation=self.organisation))
        self.form.fields["framework"].queryset = self.filters["framework"].queryset

    def related_filters(self):
        return []  # frameworks are shared library data, not organisation records


class RequirementStatusFilterSet(RecordFilterSet):
    search_fields = ("requirement__ref_id", "requirement__title", "notes")
    status = django_filters.MultipleChoiceFilter(choices=ComplianceStatus)
    assessment = django_filters.ModelChoiceFilter(queryset=GapAssessment.objects.all())
    section = django_filters.CharFilter(field_name="requirement__section__ref_id",
                                        label="Section")
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")
    to_reconfirm = django_filters.BooleanFilter(label="To re-confirm")

    class Meta:
        model = RequirementStatus
        fields = ("q", "status", "assessment", "section", "tag", "to_reconfirm", "archived")

    def filter_tag(self, queryset, name, value: str):
        # Tags are a JSON list; an exact element match works the same on SQLite and PostgreSQL.
        matching = [pk for pk, tags in queryset.values_list("pk", "requirement__tags")
                    if value in (tags or [])]
        return queryset.filter(pk__in=matching)
