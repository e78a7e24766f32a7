"""Forms of the risk registers."""

import json

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from chainward.core.forms import RecordForm

from . import services
from .models import MATRIX_FIELDS, RiskMatrix, SecurityAssessment

DEFINITION = [f for f in MATRIX_FIELDS if f != "acceptance_level"]


class RiskMatrixForm(RecordForm):
    """The scales, categories, levels and grid as one JSON document ("definition").

    Left empty when editing, the definition stays as it is. Errors are reported per part
    (likelihood scale, grid…) by `levels.validate`.
    """

    definition = forms.CharField(
        label="definition (JSON)", required=False, widget=forms.Textarea(attrs={"rows": 14}),
        help_text='{"likelihood_levels": [...], "consequence_levels": [...], '
                  '"consequence_categories": [...], "risk_levels": [...], "grid": [[...]]} — '
                  "leave empty to keep the current one (new matrices start from the default).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].widget.attrs["class"] = "form-control font-monospace"
        if self.instance.pk and not self.is_bound:
            self.initial["definition"] = json.dumps(
                {f: getattr(self.instance, f) for f in DEFINITION}, indent=1)

    def clean_definition(self):
        text = self.cleaned_data.get("definition", "").strip()
        if not text:
            if not self.instance.pk:
                default = RiskMatrix.objects.filter(
                    organisation=self.organisation, name=services.DEFAULT_NAME).first()
                if default is None:
                    raise forms.ValidationError("Give the matrix definition as JSON.")
                return {f: getattr(default, f) for f in DEFINITION}
            return None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(f"This is not valid JSON: {error}.") from None
        if not isinstance(data, dict):
            raise forms.ValidationError("Give a JSON object with " + ", ".join(DEFINITION) + ".")
        missing = [f for f in DEFINITION if f not in data]
        if missing:
            raise forms.ValidationError("Missing parts: " + ", ".join(missing) + ".")
        return data

    def _post_clean(self):
        data = self.cleaned_data.get("definition")
        if data:
            for name in DEFINITION:
                setattr(self.instance, name, data[name])
        super()._post_clean()

    def _update_errors(self, errors):
        # Errors of the definition's parts are shown on the definition field, named.
        if hasattr(errors, "error_dict"):
            for name in DEFINITION:
                if name in errors.error_dict:
                    label = RiskMatrix._meta.get_field(name).verbose_name
                    for error in errors.error_dict.pop(name):
                        for message in error.messages:
                            self.add_error("definition", f"{label.capitalize()}: {message}")
        super()._update_errors(errors)


class RatingForm(RecordForm):
    """One consequence level per category of the matrix; levels are computed on save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_fields = []
        matrix = None
        if self.instance.assessment_id:
            matrix = self.instance.assessment.matrix
        elif self.organisation is not None:
            chosen = self.data.get("assessment") or self.initial.get("assessment")
            assessment = None
            if str(chosen or "").isdigit():
                assessment = SecurityAssessment.objects.filter(
                    organisation=self.organisation, pk=chosen).select_related("matrix").first()
            matrix = assessment.matrix if assessment else RiskMatrix.objects.filter(
                organisation=self.organisation, name=services.DEFAULT_NAME).first()
        if matrix is None:
            return
        choices = [("", "—")] + [(str(lv["value"]), f"{lv['value']} {lv['name']}")
                                 for lv in matrix.consequence_levels]
        for category in matrix.consequence_categories:
            name = f"consequence_{category['ref_id']}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"Consequence: {category['name']}", choices=choices, coerce=int,
                empty_value=None, required=False,
                help_text=category.get("description", ""))
            self.fields[name].widget.attrs["class"] = "form-select"
            current = (self.instance.consequences or {}).get(category["ref_id"])
            if current is not None and not self.is_bound:
                self.initial[name] = str(current)
            self.category_fields.append((category["ref_id"], name))
        for name in ("likelihood", "residual_likelihood"):
            if name in self.fields:
                self.fields[name].help_text = ", ".join(
                    f"{lv['value']} {lv['name']}" for lv in matrix.likelihood_levels)
        if self.instance.pk and self.instance.reviewed is False and "reviewed" in self.fields:
            self.fields["reviewed"].help_text = "Carried over from the baseline: tick once " \
                                                "reviewed."

    def _post_clean(self):
        if self.category_fields:
            self.instance.consequences = {
                ref: self.cleaned_data[name] for ref, name in self.category_fields
                if self.cleaned_data.get(name) is not None}
        super()._post_clean()


class RiskAcceptanceForm(RecordForm):
    """The person accepting is the one saving. Every rule lives in `services.check_acceptance`
    (independence, authority, what may change afterwards); the form only shows its errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The only choice left is the current rating: a recorded acceptance stays with it
            # (services.check_acceptance refuses any other on every path).
            rating = self.fields["rating"]
            rating.queryset = rating.queryset.model.objects.filter(pk=self.instance.rating_id)
            rating.help_text = "A recorded acceptance stays with its rating."
            self.fields["valid_until"].help_text = (
                "May be brought forward, never extended: a renewal is a new acceptance.")
            if self.user is not None and self.user.pk != self.instance.accepted_by_id:
                for name in services.AMENDABLE:
                    self.fields[name].help_text = (
                        f"The words of {self.instance.accepted_by or 'the acceptor'}: only "
                        "they may amend them.")

    def _post_clean(self):
        super()._post_clean()
        if self._errors or self.user is None or not self.instance.rating_id:
            return
        try:
            services.check_acceptance(self.user, self.instance)
        except ValidationError as error:
            fields = error.message_dict if hasattr(error, "error_dict") else {
                None: error.messages}
            for name, messages in fields.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        except PermissionDenied:
            pass  # raised again by before_save inside the transaction: a 403, not a 400

    def before_save(self, actor):
        services.prepare_acceptance(actor, self.instance)
