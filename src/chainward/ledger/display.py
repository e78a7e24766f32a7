"""Ledger entries as people read them: field labels, choice labels and record names."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from chainward.core.columns import as_text


def _text(field, value):
    if value is None or value == "" or value == []:
        return "—"
    if field is None:
        return str(value)
    if field.many_to_many or field.many_to_one:
        model = field.related_model
        ids = value if isinstance(value, list) else [value]
        if not all(isinstance(i, int) for i in ids):
            # An event's details may reuse a field's name for a reference ("DOC-0001").
            return ", ".join(map(str, ids))
        names = {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=ids)}
        return ", ".join(names.get(i, f"#{i} (gone)") for i in ids)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = as_text(value)
    return text if len(text) <= 120 else text[:117] + "…"


def readable_changes(entry):
    """`[(label, before, after)]` for one entry, with names instead of ids."""
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        model = None
    rows = []
    for name, before, after in entry.changes():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        label = str(field.verbose_name) if field is not None else name.replace("_", " ")
        rows.append((label, _text(field, before), _text(field, after)))
    return rows
