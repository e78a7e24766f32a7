"""Form base classes: Bootstrap classes on widgets, scoped choices, the optimistic-lock version."""

from django import forms

from .lookups import form_lookup_url, use_lookups
from .registry import registration


def formfield_for(model_field, **kwargs):
    """Default form fields, with web addresses assumed to be https (Django 6 behaviour)."""
    from django.db import models

    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


def style_widgets(form):
    """Give every widget the Bootstrap class it needs (no template tags, no inline styles)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 3)


def scope_choices(form, user, organisation):
    """Offer only records of this organisation that the user may see in related-record fields.

    Records the instance already links to stay valid choices, so a site officer can edit a
    leg whose far end lies outside their own sites without having to change that end.
    """
    from django.contrib.auth import get_user_model

    instance = getattr(form, "instance", None)
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        if queryset.model is get_user_model():
            # People are offered only from this organisation: never list other tenants' users.
            field.queryset = queryset.filter(
                role_assignments__organisation=organisation,
                role_assignments__archived=False, is_active=True).distinct()
            continue
        reg = registration(queryset.model)
        if reg is None:
            continue
        model = queryset.model
        scoped = model.objects.restrict(user, "view").filter(
            **{reg.organisation_path: organisation.pk})
        if hasattr(model, "archived"):
            scoped = scoped.filter(archived=False)
        current = _current_ids(instance, name)
        if current:
            scoped = model.objects.filter(pk__in=scoped.values("pk")) | model.objects.filter(
                pk__in=current, **{reg.organisation_path: organisation.pk})
        field.queryset = scoped


def _current_ids(instance, name):
    """Ids the saved instance links to through field `name` (none for a new record)."""
    if instance is None or instance.pk is None:
        return []
    try:
        model_field = instance._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a form-only field
        return []
    if model_field.many_to_many:
        return list(getattr(instance, name).values_list("pk", flat=True))
    if model_field.many_to_one:
        value = getattr(instance, model_field.attname)
        return [value] if value is not None else []
    return []


class ScopedModelForm(forms.ModelForm):
    """A ModelForm that validates organisation-wide constraints although it has no such field."""

    def _get_validation_exclusions(self):
        # The organisation is set by the view, not the form, but constraints such as "unique
        # name per organisation" must still be checked here: a field error, never a 500.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("organisation")
        return exclusions


class RecordForm(ScopedModelForm):
    """Create/edit form of a register record."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.organisation = user, organisation
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version
        if organisation is not None and hasattr(self.instance, "organisation_id") \
                and not self.instance.organisation_id:
            self.instance.organisation = organisation
        if user is not None and organisation is not None:
            scope_choices(self, user, organisation)
        # Related records are picked by type-ahead, never listed in full (issue 11).
        use_lookups(self, lambda name: form_lookup_url(self, name))
        style_widgets(self)


def require_sites_or_whole_organisation(form, cleaned, message):
    """A scope is the whole organisation or at least one site: say so on the sites field."""
    if not cleaned.get("all_sites") and not cleaned.get("sites"):
        form.add_error("sites", message)
