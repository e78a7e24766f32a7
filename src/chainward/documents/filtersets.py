"""Filters of the evidence register."""

import django_filters

from chainward.core.filtersets import RecordFilterSet

from .models import Evidence, EvidenceKind


class EvidenceFilterSet(RecordFilterSet):
    search_fields = ("title", "description", "link", "reference")
    kind = django_filters.MultipleChoiceFilter(choices=EvidenceKind)

    class Meta:
        model = Evidence
        fields = ("q", "kind", "archived")
