"""`?expand=display`: related records' display names next to their ids (issue 11 item 2).

A record's related fields stay ids (what a client writes back); with `?expand=display` a
read-only `display` object maps each related field to the name of its record (a list of names
for a many-to-many field, in the order of its ids; null when empty). The names come from the
same query as the rows: foreign keys are joined (with the joins their labels need) and the
many-to-many prefetches the list already makes fetch the labels' joins too, so an expanded
page costs the same queries as a plain one.
"""

from django.db.models import Prefetch
from rest_framework import serializers

from .lookups import label_paths, with_labels

EXPAND_PARAM = "expand"
DISPLAY = "display"


def wants_display(request):
    """Whether the request asks for display names."""
    return request is not None and DISPLAY in request.query_params.get(EXPAND_PARAM, "").split(",")


def _relations(serializer_class, model):
    """(foreign keys, many-to-many) of the serializer's fields that are model relations."""
    names = getattr(getattr(serializer_class, "Meta", None), "fields", ()) or ()
    single, many = [], []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a computed field
            continue
        if field.many_to_many:
            many.append(name)
        elif field.many_to_one or field.one_to_one:
            single.append(name)
    return single, many


def with_display(queryset, serializer_class):
    """The rows' queryset with the joins and prefetches their related records' labels need."""
    model = queryset.model
    single, many = _relations(serializer_class, model)
    paths = []
    for name in single:
        related = model._meta.get_field(name).related_model
        paths += [name, *(f"{name}__{p}" for p in label_paths(related, depth=1))]
    if paths:
        queryset = queryset.select_related(*paths)
    lookups = list(queryset._prefetch_related_lookups)
    for name in many:
        if any(getattr(lookup, "prefetch_to", None) == name for lookup in lookups):
            continue  # the register prefetches it its own way
        related = model._meta.get_field(name).related_model
        prefetch = Prefetch(name, queryset=with_labels(related._base_manager.all()))
        lookups = [lookup for lookup in lookups if lookup != name] + [prefetch]
    return queryset.prefetch_related(None).prefetch_related(*lookups)


class DisplayMixin(serializers.Serializer):
    """Adds `display` (related field -> display name) to the representation."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        single, many = _relations(type(self), type(instance))
        display = {}
        for name in single:
            value = getattr(instance, name)
            display[name] = str(value) if value is not None else None
        for name in many:
            display[name] = [str(value) for value in getattr(instance, name).all()]
        data[DISPLAY] = display
        return data


_classes = {}


def display_serializer(serializer_class):
    """The serializer class with `display` added (one class per base, made once)."""
    if serializer_class not in _classes:
        _classes[serializer_class] = type(serializer_class.__name__, (DisplayMixin,
                                                                      serializer_class), {
            "__module__": serializer_class.__module__})
    return _classes[serializer_class]
