"""Template helpers for registers: cells, field values, history labels."""

import datetime

from django import template
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from chainward.core.colours import WHITE, safe_colour, text_colour_on
from chainward.core.columns import as_text

register = template.Library()

BADGES = {True: ("text-bg-success", "yes"), False: ("text-bg-light border", "no")}


def _render(value):
    if isinstance(value, bool):
        css, text = BADGES[value]
        return format_html('<span class="badge {}">{}</span>', css, text)
    if isinstance(value, list):
        return format_html_join(", ", "{}", ((_render(v),) for v in value)) or "—"
    if isinstance(value, models.Model) and hasattr(value, "get_absolute_url"):
        return format_html('<a href="{}">{}</a>', value.get_absolute_url(), value)
    return as_text(value) or "—"


@register.simple_tag
def level_badge(label, colour, id=""):  # noqa: A002 - the HTML attribute's name
    """A badge in a risk matrix level's colour (ISO 28001 5.3), its text black or white,
    whichever is readable on it. The colour is an SVG fill, not an inline style (our CSP
    allows none); `id` names the text, for pages and tests that read it."""
    colour = safe_colour(colour)
    tone = "level-on-dark" if text_colour_on(colour) == WHITE else "level-on-light"
    id_attr = format_html(' id="{}"', id) if id else ""
    return format_html(
        '<span class="badge level-badge {}" data-colour="{}">'
        '<svg class="level-badge-fill" aria-hidden="true" focusable="false" viewBox="0 0 1 1" '
        'preserveAspectRatio="none"><rect width="1" height="1" fill="{}"/></svg>'
        '<span class="level-badge-text"{}>{}</span></span>',
        tone, colour, colour, id_attr, label)


def _level(obj, name, levels):
    """(label, colour) of a register's `level_badges` entry for `name`, or None."""
    badge = (levels or {}).get(name)
    return badge(obj) if badge is not None else None


@register.simple_tag
def cell(obj, column, levels=None):
    """One list cell: the first column links to the record, related records link to theirs;
    a risk level (the register's `level_badges`) is a badge in its matrix colour."""
    level = None if column.link else _level(obj, column.name, levels)
    if level is not None:
        return level_badge(*level)
    value = column.raw(obj)
    if column.name == "is_expired":
        return mark_safe('<span class="badge text-bg-danger">expired</span>') if value else ""
    if column.link:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), as_text(value) or "—")
    return _render(value)


@register.simple_tag
def field_value(obj, field, levels=None):
    """A field of a record on its detail page; a risk level (the register's `level_badges`)
    as a badge in its matrix colour."""
    level = _level(obj, field.name, levels)
    if level is not None:
        return level_badge(*level)
    if field.many_to_many:
        return _render(list(getattr(obj, field.name).all()))
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")() or "—"
    value = getattr(obj, field.name)
    if isinstance(field, models.URLField) and value:
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', value, value)
    return _render(value)


@register.simple_tag(takes_context=True)
def sort_url(context, column):
    """Querystring that sorts by a column (toggling direction)."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{column.sort}" if current == column.sort else column.sort
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """Querystring for another page of the same list."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def export_url(context, fmt):
    """Querystring exporting the current filtered list."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    params["export"] = fmt
    return "?" + params.urlencode()


@register.filter
def is_date_past(value):
    """True for a date before today."""
    return isinstance(value, datetime.date) and value < datetime.date.today()


@register.simple_tag
def record_url(reg, view, obj=None):
    """URL of a register view, e.g. `{% record_url register "edit" object %}`."""
    from django.urls import reverse

    return reverse(reg.url_name(view), args=[obj.pk] if obj is not None else [])


@register.filter
def is_wide_field(bound_field):
    """True for a field that takes a sectioned form's full width: text areas and pickers of
    several records."""
    from django import forms

    return isinstance(bound_field.field.widget, (forms.Textarea, forms.SelectMultiple,
                                                 forms.CheckboxSelectMultiple))
