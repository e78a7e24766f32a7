"""Form base classes: Bootstrap classes on widgets, scoped choices, the optimistic-lock version."""

from django import forms

from .registry import registration


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
    """Offer only records of this organisation that the user may see in related-record fields."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        reg = registration(queryset.model)
        if reg is None:
            continue
        queryset = queryset.model.objects.restrict(user, "view").filter(
            **{reg.organisation_path: organisation.pk})
        if hasattr(queryset.model, "archived"):
            queryset = queryset.filter(archived=False)
        field.queryset = queryset


class RecordForm(forms.ModelForm):
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
        style_widgets(self)
