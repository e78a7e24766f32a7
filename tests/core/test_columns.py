"""A list or export column shows a choice as Django's `get_<field>_display()` does, in the
language of the request, from a label table built once per field and language
(core.columns.choice_label: Django flattens the choices on every call, 250 of them for a
country)."""

from django.utils import translation

from chainward.core.columns import _choices_field
from chainward.core.registry import all_registers
from chainward.plans.models import SecurityObjective
from chainward.supplychain.models import Site


def _choice_columns():
    """(register, column, field) for every column of every register, list or export, that
    ends on a field with choices of the register's own model."""
    found = []
    for register in all_registers():
        for column in register.bound_columns + register.bound_export_columns:
            if "." in column.accessor:
                continue
            field = _choices_field(register.model, column.accessor)
            if field is not None:
                found.append((register, column, field))
    return found


def test_every_choice_column_shows_what_django_displays_in_each_language():
    columns = _choice_columns()
    assert len({field for _r, _c, field in columns}) >= 40, "too few choice fields found"
    compared = 0
    for language in ("en-gb", "de", "en-gb"):  # back to English: no table leaks across
        with translation.override(language):
            for register, column, field in columns:
                for value, _label in field.flatchoices:
                    record = register.model()
                    setattr(record, field.attname, value)
                    # The oracle is Django's own method, not the table.
                    assert column.raw(record) == record._get_FIELD_display(field), (
                        register.label, column.name, value, language)
                    compared += 1
                record = register.model()
                setattr(record, field.attname, "not-a-choice")
                assert column.raw(record) == "not-a-choice"
    assert compared > 1000


def test_a_country_is_named_in_the_active_language():
    column = next(c for r in all_registers() if r.model is Site
                  for c in r.bound_columns if c.name == "country")
    site = Site(country="DE")
    assert column.raw(site) == "Germany"
    with translation.override("de"):
        assert column.raw(site) == "Deutschland"
    assert column.raw(site) == "Germany"


def test_a_display_method_of_the_models_own_is_used():
    # SecurityObjective.get_status_display computes the status; no table stands in for it.
    assert _choices_field(SecurityObjective, "status") is None
    assert _choices_field(Site, "country") is Site._meta.get_field("country")
