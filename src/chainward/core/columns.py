"""List columns: how a register shows, sorts and exports one value of a record."""

import datetime
import decimal
import functools
import inspect
from dataclasses import dataclass

from django.db import models
from django.utils import formats, translation
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django_countries.fields import CountryField


@dataclass
class Column:
    """One column of a register's list and export."""

    name: str
    label: str = ""
    accessor: str = ""  # dotted path on the record; defaults to `name`
    sort: str | None = ""  # ORM ordering field; "" means `name` when it is a concrete field
    link: bool = False  # render as a link to the record itself

    def bind(self, model):
        """Fill label, accessor and sort from the model's field."""
        self.accessor = self.accessor or self.name
        field = _field(model, self.accessor.split(".")[0])
        if not self.label:
            self.label = (field.verbose_name if field is not None else self.name.replace("_", " "))
        if self.sort == "" and field is not None and field.concrete and not field.many_to_many:
            self.sort = self.name
        return self

    def raw(self, obj):
        """The value at the accessor (choices as their label, many-to-many as a list)."""
        value = obj
        parts = self.accessor.split(".")
        for index, part in enumerate(parts):
            if value is None:
                return None
            if index == len(parts) - 1:
                field = _choices_field(type(value), part)
                if field is not None:
                    return choice_label(field, getattr(value, field.attname))
                display = getattr(value, f"get_{part}_display", None)
                if display is not None:
                    return display()
            value = getattr(value, part)
            if isinstance(value, models.Manager):
                return list(value.all())
            if callable(value) and not isinstance(value, models.Model):
                value = value()
        return value

    def text(self, obj):
        """The value as plain text, for exports."""
        return as_text(self.raw(obj))


def as_text(value, nested=False):
    """Plain-text rendering shared by exports and simple cells."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        joiner = " | " if any(isinstance(v, dict) for v in value) else ", "
        return joiner.join(as_text(v, nested=True) for v in value)
    if isinstance(value, dict):
        # Structured data (a root-cause analysis, consequences per category) read as text,
        # never as a Python literal.
        return (", " if nested else "; ").join(
            f"{str(k).replace('_', ' ')}: {as_text(v, nested=True)}" for k, v in value.items())
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a model field: a property or method
        return None


@functools.cache
def _choices_field(model, name):
    """The field whose Django-made `get_<name>_display` the model has, or None (no choices,
    or a method of the model's own)."""
    method = inspect.getattr_static(model, f"get_{name}_display", None)
    if (isinstance(method, functools.partialmethod)
            and method.func is models.Model._get_FIELD_display):
        return method.keywords["field"]
    return None


_LABELS = {}  # (field, language) -> {value: label}


def choice_label(field, value):
    """What `get_<field>_display()` returns, from a table built once per field and language:
    Django flattens the choices on every call, and a country field's are 250 (a list page of
    25 sites spent a quarter of its time there)."""
    key = (field, translation.get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = dict(make_hashable(field.flatchoices))
        # Kept unless the choices are computed on each use: a country field's vary only with
        # the language, which is part of the key.
        if isinstance(field, CountryField) or not isinstance(field.choices,
                                                             CallableChoiceIterator):
            _LABELS[key] = labels
    return force_str(labels.get(make_hashable(value), value), strings_only=True)
