"""Filters of the risk registers (shared by the lists, the heat maps and the API)."""

import django_filters
from django import forms
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from chainward.access.models import User
from chainward.core.bounds import fits
from chainward.core.filtersets import RecordFilterSet, expired_filter
from chainward.library.models import CatalogEntry
from chainward.supplychain.models import Leg, Partner, Site

from .choices import (
    DONE,
    AssessmentStatus,
    CountermeasureStatus,
    Decision,
    MeasureType,
    ProcessKind,
)
from .models import (
    AssessmentMember,
    Countermeasure,
    ExistingMeasure,
    NotCredible,
    Process,
    Rating,
    RiskAcceptance,
    RiskMatrix,
    SecurityAssessment,
    ThreatApplicability,
)

LEVELS = (("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical"))


def _cell(value):
    try:
        likelihood, consequence = (int(v) for v in value.split("-"))
    except (ValueError, AttributeError):
        return None
    if not (fits(likelihood) and fits(consequence)):
        return None  # no such cell; a number beyond 64 bits cannot even be compared
    return likelihood, consequence


class RiskMatrixFilterSet(RecordFilterSet):
    search_fields = ("name", "reference")

    class Meta:
        model = RiskMatrix
        fields = ("q", "archived")


class SecurityAssessmentFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "processes")
    status = django_filters.MultipleChoiceFilter(choices=AssessmentStatus)
    site = django_filters.ModelChoiceFilter(field_name="sites", queryset=Site.objects.all(),
                                            label="Site")

    class Meta:
        model = SecurityAssessment
        fields = ("q", "status", "site", "archived")


class ProcessFilterSet(RecordFilterSet):
    search_fields = ("name", "reference", "description")
    kind = django_filters.MultipleChoiceFilter(choices=ProcessKind)
    site = django_filters.ModelChoiceFilter(field_name="sites", queryset=Site.objects.all(),
                                            label="Runs at")

    class Meta:
        model = Process
        fields = ("q", "kind", "site", "archived")


class AssessmentChildFilterSet(RecordFilterSet):
    assessment = django_filters.ModelChoiceFilter(queryset=SecurityAssessment.objects.all())


class AssessmentMemberFilterSet(AssessmentChildFilterSet):
    search_fields = ("role_in_team", "person__full_name", "user__email", "user__full_name",
                     "reference")

    class Meta:
        model = AssessmentMember
        fields = ("q", "assessment", "archived")


class ExistingMeasureFilterSet(AssessmentChildFilterSet):
    search_fields = ("description", "reference")
    measure_type = django_filters.MultipleChoiceFilter(choices=MeasureType)

    class Meta:
        model = ExistingMeasure
        fields = ("q", "assessment", "measure_type", "archived")


class NotCredibleFilterSet(AssessmentChildFilterSet):
    search_fields = ("reason", "reference", "threat__scenario__name", "threat__scenario__ref_id",
                     "threat__custom_scenario")
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.all())
    leg = django_filters.ModelChoiceFilter(queryset=Leg.objects.all())
    partner = django_filters.ModelChoiceFilter(queryset=Partner.objects.all())
    process = django_filters.ModelChoiceFilter(queryset=Process.objects.all())

    class Meta:
        model = NotCredible
        fields = ("q", "assessment", "site", "leg", "partner", "process", "archived")


class ThreatApplicabilityFilterSet(AssessmentChildFilterSet):
    search_fields = ("custom_scenario", "scenario__name", "scenario__ref_id", "justification",
                     "reference")
    applicable = django_filters.BooleanFilter()

    class Meta:
        model = ThreatApplicability
        fields = ("q", "assessment", "applicable", "archived")


class RatingFilterSet(AssessmentChildFilterSet):
    search_fields = ("reference", "threat__scenario__name", "threat__scenario__ref_id",
                     "threat__custom_scenario", "notes")
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.all())
    leg = django_filters.ModelChoiceFilter(queryset=Leg.objects.all())
    partner = django_filters.ModelChoiceFilter(queryset=Partner.objects.all())
    process = django_filters.ModelChoiceFilter(queryset=Process.objects.all())
    scenario = django_filters.ModelChoiceFilter(
        field_name="threat__scenario", label="Threat scenario",
        queryset=CatalogEntry.objects.filter(kind="threat_scenario"))
    inherent_level = django_filters.MultipleChoiceFilter(choices=LEVELS)
    residual_level = django_filters.MultipleChoiceFilter(choices=LEVELS)
    decision = django_filters.MultipleChoiceFilter(choices=Decision)
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    above_appetite = django_filters.BooleanFilter(label="Above appetite")
    unaccepted = django_filters.BooleanFilter(method="filter_unaccepted",
                                              label="Above appetite, no valid acceptance")
    reviewed = django_filters.BooleanFilter(label="Reviewed")
    cell = django_filters.CharFilter(method="filter_cell", widget=forms.HiddenInput,
                                     label="Inherent cell (likelihood-consequence)")
    residual_cell = django_filters.CharFilter(method="filter_residual_cell",
                                              widget=forms.HiddenInput,
                                              label="Residual cell (likelihood-consequence)")

    class Meta:
        model = Rating
        fields = ("q", "assessment", "site", "leg", "partner", "process", "scenario",
                  "inherent_level",
                  "residual_level", "decision", "owner", "above_appetite", "unaccepted",
                  "reviewed", "cell", "residual_cell", "archived")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = {}
        matrices = RiskMatrix.objects.filter(organisation=self.organisation)
        for levels in matrices.values_list("risk_levels", flat=True):
            for level in levels or []:
                choices.setdefault(level["ref_id"], level["name"])
        for name in ("inherent_level", "residual_level"):
            self.filters[name].extra["choices"] = list(choices.items()) or list(LEVELS)
            self.form.fields[name].choices = list(choices.items()) or list(LEVELS)

    def scoped_choices(self, queryset):
        if queryset.model is User:
            if self.organisation is None:
                return queryset.none()
            return queryset.filter(role_assignments__organisation=self.organisation).distinct()
        if queryset.model is CatalogEntry:
            return queryset
        return super().scoped_choices(queryset)

    def filter_cell(self, queryset, name, value):
        cell = _cell(value)
        if cell is None:
            return queryset.none()
        return queryset.filter(likelihood=cell[0], consequence=cell[1])

    def filter_residual_cell(self, queryset, name, value):
        cell = _cell(value)
        if cell is None:
            return queryset.none()
        return queryset.alias(
            r_l=Coalesce("residual_likelihood", "likelihood"),
            r_c=Coalesce("residual_consequence", "consequence")).filter(r_l=cell[0],
                                                                          r_c=cell[1])

    def filter_unaccepted(self, queryset, name, value):
        if value is None:
            return queryset
        valid = Q(pk__in=RiskAcceptance.objects.filter(
            archived=False, valid_until__gte=timezone.localdate()).values("rating_id"))
        unaccepted = Q(above_appetite=True) & ~valid
        return queryset.filter(unaccepted) if value else queryset.exclude(unaccepted)


def unaccepted_q():
    """Ratings above appetite without a valid acceptance."""
    valid = RiskAcceptance.objects.filter(archived=False, valid_until__gte=timezone.localdate())
    return Q(above_appetite=True) & ~Q(pk__in=valid.values("rating_id"))


class CountermeasureFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "description")
    status = django_filters.MultipleChoiceFilter(choices=CountermeasureStatus)
    measure_type = django_filters.MultipleChoiceFilter(choices=MeasureType)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue")
    site = django_filters.ModelChoiceFilter(field_name="sites", queryset=Site.objects.all())
    owner = django_filters.NumberFilter(field_name="owner", widget=forms.HiddenInput)
    rating = django_filters.NumberFilter(field_name="ratings", widget=forms.HiddenInput)

    class Meta:
        model = Countermeasure
        fields = ("q", "status", "measure_type", "overdue", "site", "owner", "rating",
                  "archived")

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(due_date__lt=timezone.localdate()) & ~Q(status__in=DONE)
        return queryset.filter(late) if value else queryset.exclude(late)


class RiskAcceptanceFilterSet(RecordFilterSet):
    search_fields = ("reference", "justification", "rating__reference")
    expired = expired_filter("Expired (due for renewal)")
    rating = django_filters.NumberFilter(field_name="rating", widget=forms.HiddenInput)

    class Meta:
        model = RiskAcceptance
        fields = ("q", "expired", "rating", "archived")
