"""FilterSet base shared by lists and the API: search `q` and the archived switch."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from .bounds import RANGE_MESSAGE, fits
from .forms import style_widgets
from .lookups import filter_lookup_url, use_lookups

# Form fields that compare numbers or record ids with the database.
NUMERIC_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField,
                  forms.ModelChoiceField)


def expired_filter(label="Expired", field_name="valid_until"):
    """yes: past its last valid day; no: still valid or open-ended."""

    def apply(queryset, name, value: bool):
        past = Q(**{f"{field_name}__lt": timezone.localdate()})
        if value is True:
            return queryset.filter(past)
        if value is False:
            return queryset.exclude(past)
        return queryset

    return django_filters.BooleanFilter(field_name=field_name, method=apply, label=label)


def _within_range(clean):
    """Refuse numbers beyond 64 bits before the field looks them up or compares them.

    Every numeric filter of every register goes through here, so `?from_site=<21 digits>` is
    a 400 naming the filter on SQLite and PostgreSQL alike (it was a 500 on SQLite).
    """

    def checked(value):
        values = value if isinstance(value, (list, tuple)) else [value]
        if not all(fits(v) for v in values if v not in (None, "")):
            raise ValidationError(RANGE_MESSAGE, code="out_of_range")
        return clean(value)

    return checked


class RecordFilterSet(django_filters.FilterSet):
    """Adds `q` (search over the register's search fields) and `archived`."""

    search_fields = ()
    q = django_filters.CharFilter(method="search", label="Search")
    archived = django_filters.ChoiceFilter(
        label="Archive", method="filter_archived", empty_label="Active",
        choices=(("archived", "Archived"), ("all", "Active and archived")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Related filters pick by type-ahead from the lookup endpoint (issue 11): the page never
        # lists every site, leg or partner.
        use_lookups(self.form, lambda name: filter_lookup_url(self, name))
        style_widgets(self.form)
        for name, field in self.form.fields.items():
            if isinstance(field, NUMERIC_FIELDS):
                field.clean = _within_range(field.clean)
            if name in self.related_filters():
                field.queryset = self.scoped_choices(field.queryset)
            if isinstance(self.filters.get(name), django_filters.BooleanFilter) and \
                    hasattr(field.widget, "choices"):
                # A yes/no filter left empty means "any", not django-filter's "Unknown".
                field.widget.choices = [("", "Any"), ("true", "Yes"), ("false", "No")]

    @property
    def organisation(self):
        """The active organisation, or None for a person with no current role.

        `request.organisation` is lazy: for such a person it wraps None, which the ORM cannot
        compare with (`filter(organisation=<lazy None>)` raised a 500); this is the real None.
        """
        organisation = getattr(self.request, "organisation", None) if self.request else None
        return organisation or None

    def related_filters(self):
        """Names of filters that pick related records (their choices are scoped)."""
        related = (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)
        return [n for n, f in self.filters.items() if isinstance(f, related)]

    def scoped_choices(self, queryset):
        request = self.request
        if request is None or not request.user.is_authenticated:
            return queryset.none()
        org = self.organisation
        scoped = queryset.model.objects.restrict(request.user, "view")
        return scoped.filter(organisation=org) if org else scoped

    def search(self, queryset, name, value):
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(q) if value.strip() else queryset

    def filter_archived(self, queryset, name, value):
        if value == "archived":
            return queryset.filter(archived=True)
        if value == "all":
            return queryset
        return queryset.filter(archived=False)

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("archived"):
            queryset = queryset.filter(archived=False)
        return super().filter_queryset(queryset)
