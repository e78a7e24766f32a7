"""Filters of the evidence register."""

import django_filters
from django import forms
from django.db.models import Q

from chainward.core.filtersets import RecordFilterSet, expired_filter

from .choices import Classification, DocumentType, VersionStatus
from .models import Document, DocumentVersion, Evidence, EvidenceKind


class EvidenceFilterSet(RecordFilterSet):
    search_fields = ("title", "description", "link", "reference")
    kind = django_filters.MultipleChoiceFilter(choices=EvidenceKind)
    expired = expired_filter("Expired (due)")

    class Meta:
        model = Evidence
        fields = ("q", "kind", "expired", "archived")



class DocumentFilterSet(RecordFilterSet):
    search_fields = ("title", "reference", "description", "owner__email",
                     "versions__text")
    doc_type = django_filters.MultipleChoiceFilter(choices=DocumentType)
    classification = django_filters.MultipleChoiceFilter(choices=Classification)

    class Meta:
        model = Document
        fields = ("q", "doc_type", "classification", "archived")

    def search(self, queryset, name, value):
        # Text of the current version too; a subquery keeps one row per document.
        value = value.strip()
        if not value:
            return queryset
        hits = Document.objects.filter(
            Q(title__icontains=value) | Q(reference__icontains=value)
            | Q(owner__email__icontains=value) | Q(description__icontains=value)
            | Q(versions__status=VersionStatus.APPROVED, versions__text__icontains=value)
        ).values("pk")
        return queryset.filter(pk__in=hits)


class DocumentVersionFilterSet(RecordFilterSet):
    search_fields = ("document__title", "document__reference", "filename")
    status = django_filters.MultipleChoiceFilter(choices=VersionStatus)
    document = django_filters.NumberFilter(field_name="document", widget=forms.HiddenInput)

    class Meta:
        model = DocumentVersion
        fields = ("q", "status", "document", "archived")
