"""The form renderer draws selects exactly as Django's own renderer does, only faster."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from chainward.core.renderers import FormRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "A & B"), ("b", '"quoted"')])
    numbers = forms.TypedChoiceField(choices=[(1.5, 1.5), (2, "<b>two</b>")], coerce=float)
    grouped = forms.ChoiceField(choices=[
        ("Road", [("truck", "Truck"), ("van", "Van")]),
        ("Sea", [("ship", "Ship")]),
        ("other", "Other"),
    ])
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")],
                                     widget=forms.SelectMultiple(attrs={"data-x": "y"}))
    country = LazyTypedChoiceField(choices=countries)
    disabled = forms.ChoiceField(choices=[("a", "A")], disabled=True, required=False)


@pytest.mark.parametrize("data", [
    None,
    {"plain": "a", "grouped": "ship", "many": ["1", "3"], "country": "DE"},
    {"plain": "zz", "grouped": "", "many": ["9"], "country": "XX"},
])
def test_every_select_is_drawn_byte_for_byte_as_django_draws_it(data):
    ours = Sample(data, renderer=FormRenderer())
    django_s = Sample(data, renderer=DjangoTemplates())
    for name in Sample.base_fields:
        assert str(ours[name]) == str(django_s[name]), name
    assert "<option" in str(ours["country"]) and str(ours["country"]).count("<option") > 200


def test_the_project_renders_forms_with_it(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)



def test_a_select_is_drawn_without_templates():
    renderer = FormRenderer()
    renderer.get_template = None  # any template lookup would fail
    html = str(Sample({"country": "FR"}, renderer=renderer)["country"])
    assert '<option value="FR" selected>France</option>' in html


@pytest.mark.django_db
def test_every_register_form_is_drawn_as_django_draws_it(world):
    """Every register's add form, as the administrator of organisation A sees it (model
    choices, countries, lazy labels, widgets of the apps' own), under both renderers."""
    from chainward.core.registry import all_registers

    user, organisation = world["users"]["administrator__org"], world["org_a"]
    selects = 0
    for register in all_registers():
        form_class = register.get_form_class()
        forms_ = [form_class(instance=register.model(), user=user, organisation=organisation,
                             renderer=renderer) for renderer in (FormRenderer(), DjangoTemplates())]
        for name in forms_[0].fields:
            ours, django_s = str(forms_[0][name]), str(forms_[1][name])
            assert ours == django_s, f"{register.label}.{name}"
            selects += ours.startswith("<select")
    assert selects > 50
