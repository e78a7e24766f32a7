"""Filters of the incidents registers (shared by lists and the API)."""

import django_filters
from django import forms
from django.utils import timezone

from chainward.core.filtersets import RecordFilterSet

from .choices import ContactKind, IncidentStatus, IncidentType, Recipient
from .models import Contact, Incident, Investigation, Notification, NotificationRule, TimelineEntry


class IncidentFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "location", "description")
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus)
    incident_type = django_filters.MultipleChoiceFilter(choices=IncidentType, label="Type")
    open = django_filters.BooleanFilter(method="filter_open", label="Open")
    occurred_from = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte",
                                              label="Occurred from",
                                              widget=forms.DateInput(attrs={"type": "date"}))
    occurred_to = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte",
                                            label="Occurred until",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)
    leg = django_filters.NumberFilter(field_name="leg", widget=forms.HiddenInput)
    partner = django_filters.NumberFilter(field_name="partner", widget=forms.HiddenInput)
    affected_ratings = django_filters.NumberFilter(field_name="affected_ratings",
                                                   widget=forms.HiddenInput)

    class Meta:
        model = Incident
        fields = ("q", "status", "incident_type", "open", "occurred_from", "occurred_to",
                  "site", "leg", "partner", "affected_ratings", "archived")

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = {"status": IncidentStatus.CLOSED}
        return queryset.exclude(**closed) if value else queryset.filter(**closed)


class NotificationFilterSet(RecordFilterSet):
    search_fields = ("reference", "reference_number", "incident__title", "notes")
    recipient = django_filters.MultipleChoiceFilter(choices=Recipient, label="Notify")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue")
    sent = django_filters.BooleanFilter(field_name="notified_at", lookup_expr="isnull",
                                        exclude=True, label="Notified")
    incident = django_filters.NumberFilter(field_name="incident", widget=forms.HiddenInput)

    class Meta:
        model = Notification
        fields = ("q", "recipient", "overdue", "sent", "incident", "archived")

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = {"notified_at__isnull": True, "due_at__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class InvestigationFilterSet(RecordFilterSet):
    search_fields = ("reference", "summary", "lessons_learned", "incident__title")
    incident = django_filters.NumberFilter(field_name="incident", widget=forms.HiddenInput)
    completed = django_filters.BooleanFilter(field_name="completed_on", lookup_expr="isnull",
                                             exclude=True, label="Completed")

    class Meta:
        model = Investigation
        fields = ("q", "completed", "incident", "archived")


class TimelineEntryFilterSet(RecordFilterSet):
    search_fields = ("reference", "description")
    incident = django_filters.NumberFilter(field_name="incident", widget=forms.HiddenInput)

    class Meta:
        model = TimelineEntry
        fields = ("q", "incident", "archived")


class ContactFilterSet(RecordFilterSet):
    search_fields = ("name", "person", "reference", "phone", "email")
    kind = django_filters.MultipleChoiceFilter(choices=ContactKind)
    site = django_filters.NumberFilter(field_name="site", widget=forms.HiddenInput)

    class Meta:
        model = Contact
        fields = ("q", "kind", "site", "archived")


class NotificationRuleFilterSet(RecordFilterSet):
    search_fields = ("reference", "basis")
    recipient = django_filters.MultipleChoiceFilter(choices=Recipient, label="Notify")
    incident_type = django_filters.MultipleChoiceFilter(choices=IncidentType, label="Type")

    class Meta:
        model = NotificationRule
        fields = ("q", "recipient", "incident_type", "archived")
