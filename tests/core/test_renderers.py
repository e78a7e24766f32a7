"""The form renderer draws selects exactly as Django's own renderer does, only faster."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from chainward.core.renderers import FormRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "A & B"), ("b", '"quoted"')])
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


def test_the_select_template_is_the_inline_one():
    from chainward.core.renderers import OVERRIDES

    template = FormRenderer().get_template("django/forms/widgets/select.html")
    assert template.origin.name == str(OVERRIDES / "django/forms/widgets/select.html")
    assert "include option.template_name" in open(template.origin.name).read()
