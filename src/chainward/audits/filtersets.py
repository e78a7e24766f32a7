"""Filters of the audits registers (shared by lists and the API)."""

import django_filters
from django import forms

from chainward.core.filtersets import RecordFilterSet

from .choices import AuditStatus, AuditType, CapaSource, CapaStatus, ChecklistResult, Grade
from .models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    CorrectiveActionStep,
    Finding,
)


class AuditProgrammeFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "objectives")

    class Meta:
        model = AuditProgramme
        fields = ("q", "archived")


class AuditFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "scope")
    status = django_filters.MultipleChoiceFilter(choices=AuditStatus)
    audit_type = django_filters.MultipleChoiceFilter(choices=AuditType)
    programme = django_filters.NumberFilter(field_name="programme", widget=forms.HiddenInput)

    class Meta:
        model = Audit
        fields = ("q", "status", "audit_type", "programme", "archived")


class ChecklistItemFilterSet(RecordFilterSet):
    search_fields = ("question", "notes", "reference")
    result = django_filters.MultipleChoiceFilter(choices=ChecklistResult)
    audit = django_filters.NumberFilter(field_name="audit", widget=forms.HiddenInput)

    class Meta:
        model = ChecklistItem
        fields = ("q", "result", "audit", "archived")


class FindingFilterSet(RecordFilterSet):
    search_fields = ("statement", "reference", "audit__title")
    grade = django_filters.MultipleChoiceFilter(choices=Grade)
    audit = django_filters.NumberFilter(field_name="audit", widget=forms.HiddenInput)

    class Meta:
        model = Finding
        fields = ("q", "grade", "audit", "archived")


class CorrectiveActionFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "description")
    status = django_filters.MultipleChoiceFilter(choices=CapaStatus)
    source = django_filters.MultipleChoiceFilter(choices=CapaSource)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue")
    owner = django_filters.NumberFilter(field_name="owner", widget=forms.HiddenInput)
    finding = django_filters.NumberFilter(field_name="finding", widget=forms.HiddenInput)

    class Meta:
        model = CorrectiveAction
        fields = ("q", "status", "source", "overdue", "owner", "finding", "archived")

    def filter_overdue(self, queryset, name, value):
        from .services import overdue_corrective_actions

        if value is None:
            return queryset
        overdue = overdue_corrective_actions(queryset)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class CorrectiveActionStepFilterSet(RecordFilterSet):
    search_fields = ("description", "reference")
    corrective_action = django_filters.NumberFilter(field_name="corrective_action",
                                                    widget=forms.HiddenInput)
    open = django_filters.BooleanFilter(field_name="done_on", lookup_expr="isnull",
                                        label="Not done")

    class Meta:
        model = CorrectiveActionStep
        fields = ("q", "corrective_action", "open", "archived")
