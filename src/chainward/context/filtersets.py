"""Filters of the context registers (shared by lists and the API)."""

import django_filters
from django import forms

from chainward.core.filtersets import RecordFilterSet

from .choices import (
    ChangeKind,
    ChangeStatus,
    EvaluationResult,
    IssueCategory,
    IssueOrigin,
    ObligationKind,
    PartyKind,
)
from .models import ComplianceEvaluation, ContextIssue, InterestedParty, Obligation, PlannedChange
from .services import due_q


class ObligationFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "source", "article", "authority", "summary")
    kind = django_filters.MultipleChoiceFilter(choices=ObligationKind)
    last_result = django_filters.MultipleChoiceFilter(choices=EvaluationResult,
                                                      label="Last result")
    due = django_filters.BooleanFilter(method="filter_due", label="Evaluation due")
    interested_party = django_filters.NumberFilter(field_name="interested_party",
                                                   widget=forms.HiddenInput)
    sites = django_filters.NumberFilter(field_name="sites", widget=forms.HiddenInput)

    class Meta:
        model = Obligation
        fields = ("q", "kind", "last_result", "due", "interested_party", "sites", "archived")

    def filter_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = due_q()
        return queryset.filter(due) if value else queryset.exclude(due)


class ComplianceEvaluationFilterSet(RecordFilterSet):
    search_fields = ("reference", "obligation__title", "evidence", "actions")
    result = django_filters.MultipleChoiceFilter(choices=EvaluationResult)
    obligation = django_filters.NumberFilter(field_name="obligation", widget=forms.HiddenInput)
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)

    class Meta:
        model = ComplianceEvaluation
        fields = ("q", "result", "obligation", "site", "archived")


class ContextIssueFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "description", "source")
    origin = django_filters.MultipleChoiceFilter(choices=IssueOrigin,
                                                 label="Internal or external")
    category = django_filters.MultipleChoiceFilter(choices=IssueCategory)

    class Meta:
        model = ContextIssue
        fields = ("q", "origin", "category", "archived")


class InterestedPartyFilterSet(RecordFilterSet):
    search_fields = ("name", "reference", "needs")
    kind = django_filters.MultipleChoiceFilter(choices=PartyKind)

    class Meta:
        model = InterestedParty
        fields = ("q", "kind", "archived")


class PlannedChangeFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "reason", "security_implications")
    kind = django_filters.MultipleChoiceFilter(choices=ChangeKind)
    status = django_filters.MultipleChoiceFilter(choices=ChangeStatus)
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)

    class Meta:
        model = PlannedChange
        fields = ("q", "kind", "status", "site", "archived")
