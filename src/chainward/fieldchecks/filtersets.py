"""Filters of the field checks registers (shared by lists and the API)."""

import django_filters
from django import forms

from chainward.core.filtersets import RecordFilterSet

from .accesslog import KeyIssue, VisitorLogEntry
from .choices import (
    AnswerType,
    CheckKind,
    FrequencyUnit,
    KeyKind,
    RunResult,
    RunStatus,
    SealEventKind,
    SealStatus,
    VisitorKind,
)
from .models import CheckAnswer, CheckItem, CheckRun, CheckTemplate, Seal, SealBatch, SealEvent
from .schedules import CheckSchedule


def _date(label, field, lookup):
    return django_filters.DateFilter(field_name=field, lookup_expr=lookup, label=label,
                                     widget=forms.DateInput(attrs={"type": "date"}))


class CheckTemplateFilterSet(RecordFilterSet):
    search_fields = ("name", "reference", "description")
    kind = django_filters.MultipleChoiceFilter(choices=CheckKind, label="What is checked")
    active = django_filters.BooleanFilter(label="In use")

    class Meta:
        model = CheckTemplate
        fields = ("q", "kind", "active", "archived")


class CheckItemFilterSet(RecordFilterSet):
    search_fields = ("text", "section", "reference")
    answer_type = django_filters.MultipleChoiceFilter(choices=AnswerType, label="Answer")
    critical = django_filters.BooleanFilter(label="Critical")
    template = django_filters.NumberFilter(field_name="template", widget=forms.HiddenInput)

    class Meta:
        model = CheckItem
        fields = ("q", "answer_type", "critical", "template", "archived")


class CheckRunFilterSet(RecordFilterSet):
    search_fields = ("reference", "container_number", "vehicle_registration",
                     "shipment_reference", "seal_numbers")
    status = django_filters.MultipleChoiceFilter(choices=RunStatus)
    result = django_filters.MultipleChoiceFilter(
        choices=[c for c in RunResult.choices if c[0]])
    checked_from = _date("Checked from", "performed_at", "date__gte")
    checked_to = _date("Checked until", "performed_at", "date__lte")
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)
    template = django_filters.NumberFilter(field_name="template", widget=forms.HiddenInput)
    leg = django_filters.NumberFilter(field_name="leg", widget=forms.HiddenInput)

    class Meta:
        model = CheckRun
        fields = ("q", "status", "result", "checked_from", "checked_to", "site", "template",
                  "leg", "archived")


class CheckAnswerFilterSet(RecordFilterSet):
    search_fields = ("reference", "note", "text", "item__text")
    failed = django_filters.BooleanFilter(label="Failed")
    run = django_filters.NumberFilter(field_name="run", widget=forms.HiddenInput)

    class Meta:
        model = CheckAnswer
        fields = ("q", "failed", "run", "archived")


class SealBatchFilterSet(RecordFilterSet):
    search_fields = ("reference", "prefix", "manufacturer", "certificate")
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)

    class Meta:
        model = SealBatch
        fields = ("q", "site", "archived")


class SealFilterSet(RecordFilterSet):
    search_fields = ("number", "reference", "container_number", "shipment_reference")
    status = django_filters.MultipleChoiceFilter(choices=SealStatus)
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)
    batch = django_filters.NumberFilter(field_name="batch", widget=forms.HiddenInput)

    class Meta:
        model = Seal
        fields = ("q", "status", "site", "batch", "archived")


class SealEventFilterSet(RecordFilterSet):
    search_fields = ("reference", "seal__number", "container_number", "number_read",
                     "reason")
    kind = django_filters.MultipleChoiceFilter(choices=SealEventKind, label="Event")
    seal = django_filters.NumberFilter(field_name="seal", widget=forms.HiddenInput)
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)

    class Meta:
        model = SealEvent
        fields = ("q", "kind", "seal", "site", "archived")


class CheckScheduleFilterSet(RecordFilterSet):
    search_fields = ("reference", "template__name", "site__name", "site__code", "notes")
    unit = django_filters.MultipleChoiceFilter(choices=FrequencyUnit, label="How often")
    active = django_filters.BooleanFilter(label="In force")
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)
    template = django_filters.NumberFilter(field_name="template", widget=forms.HiddenInput)

    class Meta:
        model = CheckSchedule
        fields = ("q", "unit", "active", "site", "template", "archived")


class VisitorLogFilterSet(RecordFilterSet):
    search_fields = ("reference", "name", "company", "vehicle_registration", "escorted_by",
                     "purpose")
    kind = django_filters.MultipleChoiceFilter(choices=VisitorKind, label="Who")
    on_site = django_filters.BooleanFilter(field_name="time_out", lookup_expr="isnull",
                                           label="Still on site")
    id_checked = django_filters.BooleanFilter(label="Identity checked")
    came_from = _date("Came from", "time_in", "date__gte")
    came_to = _date("Came until", "time_in", "date__lte")
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)

    class Meta:
        model = VisitorLogEntry
        fields = ("q", "kind", "on_site", "id_checked", "came_from", "came_to", "site",
                  "archived")


class KeyIssueFilterSet(RecordFilterSet):
    search_fields = ("reference", "key_id", "issued_to", "notes")
    kind = django_filters.MultipleChoiceFilter(choices=KeyKind, label="What")
    out = django_filters.BooleanFilter(field_name="returned_at", lookup_expr="isnull",
                                       label="Not returned")
    issued_from = _date("Issued from", "issued_at", "date__gte")
    issued_to_date = _date("Issued until", "issued_at", "date__lte")
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)

    class Meta:
        model = KeyIssue
        fields = ("q", "kind", "out", "issued_from", "issued_to_date", "site", "archived")
