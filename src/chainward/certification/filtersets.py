"""Filters of reviews, actions, certificates, milestones and packs (lists and the API)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from chainward.core.filtersets import RecordFilterSet

from .choices import ActionStatus, CertificateStatus, MilestoneKind, PackStatus, ReviewStatus
from .models import (
    Certificate,
    CertificationBody,
    CycleMilestone,
    EvidencePack,
    ManagementReview,
    ReviewAction,
)


def _overdue(done_field):
    def apply(queryset, name, value):
        late = Q(due_date__lt=timezone.localdate()) & done_field
        if value is True:
            return queryset.filter(late)
        if value is False:
            return queryset.exclude(late)
        return queryset
    return django_filters.BooleanFilter(method=apply, label="Overdue")


class ManagementReviewFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "decisions", "minutes")
    status = django_filters.MultipleChoiceFilter(choices=ReviewStatus)

    class Meta:
        model = ManagementReview
        fields = ("q", "status", "archived")


class ReviewActionFilterSet(RecordFilterSet):
    search_fields = ("description", "reference", "owner__email")
    status = django_filters.MultipleChoiceFilter(choices=ActionStatus)
    overdue = _overdue(Q(status=ActionStatus.OPEN))
    review = django_filters.NumberFilter(field_name="review", widget=forms.HiddenInput)

    class Meta:
        model = ReviewAction
        fields = ("q", "status", "overdue", "review", "archived")


class CertificationBodyFilterSet(RecordFilterSet):
    search_fields = ("name", "reference", "accreditation_body", "accreditation_number")

    class Meta:
        model = CertificationBody
        fields = ("q", "archived")


class CertificateFilterSet(RecordFilterSet):
    search_fields = ("number", "reference", "scope", "body__name")
    status = django_filters.MultipleChoiceFilter(choices=CertificateStatus)
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte",
                                               label="Expires on or before")
    body = django_filters.NumberFilter(field_name="body", widget=forms.HiddenInput)

    class Meta:
        model = Certificate
        fields = ("q", "status", "expires_before", "body", "archived")


class CycleMilestoneFilterSet(RecordFilterSet):
    search_fields = ("notes", "reference", "certificate__number")
    kind = django_filters.MultipleChoiceFilter(choices=MilestoneKind)
    overdue = _overdue(Q(done_on__isnull=True))
    certificate = django_filters.NumberFilter(field_name="certificate", widget=forms.HiddenInput)

    class Meta:
        model = CycleMilestone
        fields = ("q", "kind", "overdue", "certificate", "archived")


class EvidencePackFilterSet(RecordFilterSet):
    search_fields = ("reference", "framework__name", "produced_by__email")
    status = django_filters.MultipleChoiceFilter(choices=PackStatus)

    class Meta:
        model = EvidencePack
        fields = ("q", "status", "archived")
