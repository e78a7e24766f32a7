"""Filters of the people registers (shared by lists and the API)."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from chainward.core.filtersets import RecordFilterSet

from .choices import RoleKind, ScreeningResult, TrainingResult
from .models import (
    Appointment,
    AwarenessCampaign,
    CompetenceRequirement,
    ConductAcknowledgement,
    Person,
    ScreeningRecord,
    SecurityRole,
    SessionAttendance,
    TrainingCourse,
    TrainingRecord,
    TrainingSession,
)
from .services import EXPIRING_DAYS


class PersonFilterSet(RecordFilterSet):
    search_fields = ("full_name", "reference", "employee_number", "job_title", "email")
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)
    current = django_filters.BooleanFilter(method="filter_current", label="Still with us")

    class Meta:
        model = Person
        fields = ("q", "site", "current", "archived")

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = Q(left_on__isnull=True) | Q(left_on__gte=timezone.localdate())
        return queryset.filter(current) if value else queryset.exclude(current)


class CompetenceRequirementFilterSet(RecordFilterSet):
    search_fields = ("name", "reference", "description", "basis")

    class Meta:
        model = CompetenceRequirement
        fields = ("q", "archived")


class SecurityRoleFilterSet(RecordFilterSet):
    search_fields = ("name", "reference", "responsibilities")
    kind = django_filters.MultipleChoiceFilter(choices=RoleKind)
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)

    class Meta:
        model = SecurityRole
        fields = ("q", "kind", "site", "archived")


class AppointmentFilterSet(RecordFilterSet):
    search_fields = ("reference", "person__full_name", "role__name", "notes")
    role = django_filters.NumberFilter(field_name="role", widget=forms.HiddenInput)
    person = django_filters.NumberFilter(field_name="person", widget=forms.HiddenInput)

    class Meta:
        model = Appointment
        fields = ("q", "role", "person", "archived")


class TrainingRecordFilterSet(RecordFilterSet):
    search_fields = ("reference", "person__full_name", "requirement__name", "course",
                     "provider")
    result = django_filters.MultipleChoiceFilter(choices=TrainingResult)
    validity = django_filters.ChoiceFilter(
        method="filter_validity", label="Validity",
        choices=(("expired", "Expired"), ("expiring", f"Expiring within {EXPIRING_DAYS} days"),
                 ("valid", "Valid")))
    person = django_filters.NumberFilter(field_name="person", widget=forms.HiddenInput)
    requirement = django_filters.NumberFilter(field_name="requirement",
                                              widget=forms.HiddenInput)

    class Meta:
        model = TrainingRecord
        fields = ("q", "result", "validity", "person", "requirement", "archived")

    def filter_validity(self, queryset, name, value):
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=EXPIRING_DAYS)
        if value == "expired":
            return queryset.filter(expires_on__lt=today)
        if value == "expiring":
            return queryset.filter(expires_on__gte=today, expires_on__lte=soon)
        if value == "valid":
            return queryset.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        return queryset


class ScreeningRecordFilterSet(RecordFilterSet):
    search_fields = ("reference", "person__full_name", "person__employee_number")
    result = django_filters.MultipleChoiceFilter(choices=ScreeningResult)
    person = django_filters.NumberFilter(field_name="person", widget=forms.HiddenInput)

    class Meta:
        model = ScreeningRecord
        fields = ("q", "result", "person", "archived")


class ConductAcknowledgementFilterSet(RecordFilterSet):
    search_fields = ("reference", "person__full_name", "person__employee_number", "notes")
    person = django_filters.NumberFilter(field_name="person", widget=forms.HiddenInput)
    document = django_filters.NumberFilter(field_name="document", widget=forms.HiddenInput)

    class Meta:
        model = ConductAcknowledgement
        fields = ("q", "person", "document", "archived")


class AwarenessCampaignFilterSet(RecordFilterSet):
    search_fields = ("reference", "topic", "messages")
    material = django_filters.NumberFilter(field_name="material", widget=forms.HiddenInput)

    class Meta:
        model = AwarenessCampaign
        fields = ("q", "material", "archived")


class TrainingCourseFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "provider", "description")
    requirement = django_filters.NumberFilter(field_name="requirements",
                                              widget=forms.HiddenInput)

    class Meta:
        model = TrainingCourse
        fields = ("q", "requirement", "archived")


class TrainingSessionFilterSet(RecordFilterSet):
    search_fields = ("reference", "course__title", "trainer", "notes")
    course = django_filters.NumberFilter(field_name="course", widget=forms.HiddenInput)
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte",
                                           label="Held on or after")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte",
                                            label="Held on or before")

    class Meta:
        model = TrainingSession
        fields = ("q", "course", "site", "held_after", "held_before", "archived")


class SessionAttendanceFilterSet(RecordFilterSet):
    search_fields = ("reference", "person__full_name", "person__employee_number",
                     "session__course__title", "session__reference", "notes")
    result = django_filters.MultipleChoiceFilter(choices=TrainingResult)
    session = django_filters.NumberFilter(field_name="session", widget=forms.HiddenInput)
    person = django_filters.NumberFilter(field_name="person", widget=forms.HiddenInput)

    class Meta:
        model = SessionAttendance
        fields = ("q", "result", "session", "person", "archived")
