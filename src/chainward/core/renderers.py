"""The form renderer: Django's own widget templates, with the select drawn in Python.

Django's select template includes a template for every option, and that option template
includes the attributes template: a country filter (249 options) cost about 500 template
inclusions, most of the CPU of a register's list page. A select whose options all use Django's
option template is drawn here instead, in the same markup, byte for byte
(tests/core/test_renderers.py compares the two renderers on every register's form); any other
widget, and a select with an option template of its own, goes through the templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
ESCAPING = Context(autoescape=True)


class FormRenderer(DjangoTemplates):
    """Django's form templates (and the apps' own); selects drawn without templates."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT and _plain_options(context["widget"]):
            return draw_select(context["widget"])
        return super().render(template_name, context, request=request)


def _plain_options(widget):
    return all(option["template_name"] == OPTION
               for _name, options, _index in widget["optgroups"] for option in options)


def _text(value):
    """`{{ value }}` in a template: localised, as text, escaped unless already safe."""
    return render_value_in_context(value, ESCAPING)


def _attrs(attrs):
    """django/forms/widgets/attrs.html: ` name="value"`, a bare name for True, nothing for
    False (values through `stringformat:'s'`, so as text, not localised)."""
    return "".join(
        "" if value is False else f" {_text(name)}" if value is True
        else f' {_text(name)}="{_text(str(value))}"'
        for name, value in attrs.items())


def draw_select(widget):
    """django/forms/widgets/select.html with select_option.html, as the renderer returns it."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(f'\n  <option value="{_text(str(option["value"]))}"'
                         f'{_attrs(option["attrs"])}>{_text(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts).strip()
