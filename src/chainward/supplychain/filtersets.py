"""Filters of the supply-chain registers (shared by lists and the API)."""

import django_filters
from django import forms
from django.db.models import Q

from chainward.core.filtersets import RecordFilterSet, expired_filter

from . import choices, models, services


def by_id(field_name):
    """A hidden filter by related id, used by "All …" links from a record's related panels.

    Visible filters on partners and sites search by name instead: a drop-down of every partner
    would cost megabytes of HTML at 50,000 partners.
    """
    return django_filters.NumberFilter(field_name=field_name, widget=forms.HiddenInput)


def name_contains(field_name, label):
    """A visible search on a related record's name."""
    return django_filters.CharFilter(field_name=f"{field_name}__name", lookup_expr="icontains",
                                     label=label)


class SiteFilterSet(RecordFilterSet):
    search_fields = ("name", "code", "city", "reference")
    kind = django_filters.MultipleChoiceFilter(choices=choices.SiteKind)
    country = django_filters.MultipleChoiceFilter(choices=choices.country_choices)
    security_level = django_filters.MultipleChoiceFilter(choices=choices.SecurityLevel)
    operator_name = name_contains("operator", "Operator")
    operator = by_id("operator")

    class Meta:
        model = models.Site
        fields = ("q", "kind", "country", "security_level", "operator_name", "operator",
                  "archived")


class PartnerFilterSet(RecordFilterSet):
    search_fields = ("name", "city", "reference", "registration_number")
    kind = django_filters.MultipleChoiceFilter(choices=choices.PartnerKind)
    status = django_filters.MultipleChoiceFilter(choices=choices.PartnerStatus)
    criticality = django_filters.MultipleChoiceFilter(choices=choices.Criticality)
    country = django_filters.MultipleChoiceFilter(choices=choices.country_choices)
    programme = django_filters.MultipleChoiceFilter(
        choices=choices.Programme, field_name="programme_statuses__programme", distinct=True,
        label="Holds programme")
    review_due = django_filters.BooleanFilter(method="filter_review_due",
                                              label="Review due (ISO 28001 4.5)")
    programme_expired = django_filters.BooleanFilter(
        method="filter_programme_expired", label="Programme expired (not renewed)")

    class Meta:
        model = models.Partner
        fields = ("q", "kind", "status", "criticality", "country", "programme", "review_due",
                  "programme_expired", "archived")

    def filter_programme_expired(self, queryset, name, value: bool):
        if value is None:
            return queryset
        if "programme_expired" not in queryset.query.annotations:
            queryset = services.with_programme_state(queryset)
        return queryset.filter(programme_expired=value)

    def filter_review_due(self, queryset, name, value: bool):
        if value is None:
            return queryset
        if "assurance_interval" not in queryset.query.annotations:
            queryset = services.with_review_state(queryset)
        due = services.review_due_q()
        return queryset.filter(due) if value else queryset.exclude(due)


class PartnerContactFilterSet(RecordFilterSet):
    search_fields = ("name", "email", "partner__name")
    partner_name = name_contains("partner", "Partner")
    partner = by_id("partner")
    security_contact = django_filters.BooleanFilter()

    class Meta:
        model = models.PartnerContact
        fields = ("q", "partner_name", "partner", "security_contact", "archived")


class ProgrammeStatusFilterSet(RecordFilterSet):
    search_fields = ("identifier", "partner__name", "level")
    programme = django_filters.MultipleChoiceFilter(choices=choices.Programme)
    partner_name = name_contains("partner", "Partner")
    partner = by_id("partner")
    expired = expired_filter()
    expires_before = django_filters.DateFilter(field_name="valid_until", lookup_expr="lte",
                                               label="Expires on or before")

    class Meta:
        model = models.ProgrammeStatus
        fields = ("q", "programme", "partner_name", "partner", "expired", "expires_before",
                  "archived")



class GoodsCategoryFilterSet(RecordFilterSet):
    search_fields = ("name", "description", "un_numbers")
    value_class = django_filters.MultipleChoiceFilter(choices=choices.ValueClass)
    dangerous_goods = django_filters.BooleanFilter()

    class Meta:
        model = models.GoodsCategory
        fields = ("q", "value_class", "dangerous_goods", "archived")


class LegFilterSet(RecordFilterSet):
    search_fields = ("from_site__name", "to_site__name", "carrier__name", "reference")
    mode = django_filters.MultipleChoiceFilter(choices=choices.Mode)
    site = django_filters.CharFilter(method="filter_site", label="Touches site")
    carrier_name = name_contains("carrier", "Carrier")
    country = django_filters.ChoiceFilter(choices=choices.country_choices, method="filter_country",
                                          label="Touches country")
    from_site = by_id("from_site")
    to_site = by_id("to_site")
    carrier = by_id("carrier")

    class Meta:
        model = models.Leg
        fields = ("q", "mode", "site", "carrier_name", "country", "from_site", "to_site",
                  "carrier", "archived")

    def filter_site(self, queryset, name, value: str):
        named = Q(name__icontains=value) | Q(code__iexact=value)
        sites = models.Site.objects.filter(named).values("pk")
        return queryset.filter(Q(from_site__in=sites) | Q(to_site__in=sites))

    def filter_country(self, queryset, name, value: str):
        return queryset.filter(Q(from_site__country=value) | Q(to_site__country=value))


class StatementOfApplicationFilterSet(RecordFilterSet):
    search_fields = ("title", "coverage", "reference")
    status = django_filters.MultipleChoiceFilter(choices=choices.SoAStatus)

    class Meta:
        model = models.StatementOfApplication
        fields = ("q", "status", "archived")


class ExemptionFilterSet(RecordFilterSet):
    search_fields = ("partner__name", "certificate")
    basis = django_filters.MultipleChoiceFilter(choices=choices.ExemptionBasis)
    statement = django_filters.ModelChoiceFilter(
        queryset=models.StatementOfApplication.objects.all())
    in_force = django_filters.BooleanFilter(method="filter_in_force",
                                            label="In force (programme status valid)")
    partner = by_id("partner")

    class Meta:
        model = models.Exemption
        fields = ("q", "basis", "statement", "in_force", "partner", "archived")

    def filter_in_force(self, queryset, name, value: bool):
        if value is None:
            return queryset
        in_force = services.in_force_q()
        return queryset.filter(in_force) if value else queryset.exclude(in_force)


class PartnerReviewFilterSet(RecordFilterSet):
    search_fields = ("partner__name", "reviewer", "findings")
    method = django_filters.MultipleChoiceFilter(choices=choices.ReviewMethod)
    outcome = django_filters.MultipleChoiceFilter(choices=choices.ReviewOutcome)
    partner_name = name_contains("partner", "Partner")
    partner = by_id("partner")
    reviewed_after = django_filters.DateFilter(field_name="reviewed_on", lookup_expr="gte",
                                               label="Reviewed on or after")

    class Meta:
        model = models.PartnerReview
        fields = ("q", "method", "outcome", "partner_name", "partner", "reviewed_after",
                  "archived")


class OrganisationFilterSet(RecordFilterSet):
    search_fields = ("name", "legal_name")

    class Meta:
        model = models.Organisation
        fields = ("q", "archived")
