"""No form asks for JSON (issue 13 item 3): every register's create/edit form, and the forms of
the pages that are not registers, offer form fields for structured values — the risk matrix as
a grid, root causes as whys or categories, consequences one select per category, a role's
grants as checkboxes — while the database and the API keep JSON.

Two-sided: a model field stored as JSON that a register's form offers must come back as
something other than a JSON field, and no field of any form is a JSON field or says "JSON" in
its label or help text."""

import pytest
from django import forms
from django.db import models

from chainward.core.registry import all_registers

REGISTERS = [r for r in all_registers() if r.form_fields]


def json_problems(name, form):
    found = []
    for field_name, field in form.fields.items():
        if isinstance(field, forms.JSONField):
            found.append(f"{name}.{field_name} is a JSON field")
        text = f"{field.label or ''} {field.help_text or ''}"
        if "json" in text.lower():
            found.append(f"{name}.{field_name} mentions JSON: {text.strip()!r}")
    return found


@pytest.mark.parametrize("register", REGISTERS, ids=[r.label for r in REGISTERS])
def test_no_register_form_asks_for_json(register):
    assert json_problems(register.label, register.get_form_class()()) == []


# The structured values people edit, stored as JSON (written by hand from the models): the
# register, its JSON model field, and the form field that stands for it.
EDITED_AS_FIELDS = {
    "risk.riskmatrix": ("grid", "definition"),  # the grid editor (matrix_editor.MatrixEditor)
    "risk.threatapplicability": ("custom_categories", "custom_categories"),  # checkboxes
    "audits.correctiveaction": ("root_cause", "why_1"),  # five whys or cause categories
    "incidents.investigation": ("root_cause", "why_1"),
}


@pytest.mark.parametrize("label", sorted(EDITED_AS_FIELDS))
def test_the_json_stored_values_people_edit_are_form_fields(label):
    from chainward.core.registry import all_registers

    register = next(r for r in all_registers() if r.label == label)
    stored, offered = EDITED_AS_FIELDS[label]
    assert isinstance(register.model._meta.get_field(stored), models.JSONField)
    form = register.get_form_class()()
    assert offered in form.fields, sorted(form.fields)
    field = form.fields[offered]
    assert not isinstance(field, forms.JSONField)
    assert not isinstance(field.widget, forms.Textarea), f"{label}.{offered} is a text box"
    if offered != stored:
        assert stored not in form.fields  # never also offered as JSON


@pytest.mark.parametrize("register", REGISTERS, ids=[r.label for r in REGISTERS])
def test_every_multi_select_is_a_type_ahead_picker_or_checkboxes(register):
    """Issue 13 item 5: several records are chosen one by one with type-ahead (Tom Select on
    the lookup widget), or ticked — never a plain list that needs Ctrl+click."""
    from chainward.core.lookups import LookupSelectMultiple

    form = register.get_form_class()()
    plain = [
        name
        for name, field in form.fields.items()
        if isinstance(field.widget, forms.SelectMultiple)
        and not isinstance(field.widget, (LookupSelectMultiple, forms.CheckboxSelectMultiple))
    ]
    assert plain == []
