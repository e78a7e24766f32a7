"""The form renderer: Django's own widget templates, with one drawn faster.

Django's select template includes a template for every option, and that option template
includes the attributes template: a country filter (249 options) cost about 500 template
inclusions, most of the CPU of a register's list page. `form_templates/` holds a select
template that draws each option inline; its output is Django's, byte for byte
(tests/core/test_renderers.py compares the two).
"""

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

OVERRIDES = Path(__file__).parent / "form_templates"


class FormRenderer(DjangoTemplates):
    """Django's form templates (and the apps' own), with `form_templates/` looked up first."""

    @cached_property
    def engine(self):
        return self.backend({
            "APP_DIRS": True,
            "DIRS": [OVERRIDES, Path(django.forms.__file__).parent / "templates"],
            "NAME": "djangoforms",
            "OPTIONS": {},
        })
