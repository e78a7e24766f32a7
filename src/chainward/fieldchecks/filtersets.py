"""Filters of the field checks registers (shared by lists and the API)."""

import django_filters
from django import forms

from chainward.core.filtersets import RecordFilterSet

from .choices import AnswerType, CheckKind, RunResult, RunStatus, SealEventKind, SealStatus
from .models import CheckAnswer, CheckItem, CheckRun, CheckTemplate, Seal, SealBatch, SealEvent


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
