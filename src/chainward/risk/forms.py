"""Forms of the risk registers."""

import functools

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.urls import reverse

from chainward.core.forms import RecordForm

from . import services
from .likelihood import suggest_likelihood
from .matrix_editor import PARTS as DEFINITION
from .matrix_editor import MatrixDefinitionField, definition_of
from .models import RiskMatrix, SecurityAssessment, ThreatApplicability


class RiskMatrixForm(RecordForm):
    """The scales, categories, risk levels and grid as form fields (`MatrixEditor`), a new
    matrix prefilled with the default one; the acceptance level chosen among its risk levels.

    The rules of a valid matrix live in `levels.validate` (run by `RiskMatrix.clean` on every
    path); their errors are shown on the editor, named by part (likelihood scale, grid…).
    """

    definition = MatrixDefinitionField(label="Scales, categories, risk levels and grid")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["definition"]
        initial = self.initial_definition = self._initial_definition()
        if not self.is_bound:
            self.initial["definition"] = initial
        field.widget.disabled = bool(self.instance.pk and self.instance.frozen)
        # A level added or removed with the editor's buttons: shown again, never saved.
        posted = field.widget.value_from_datadict(self.data, None, self.add_prefix(
            "definition")) if self.is_bound and not field.widget.disabled else None
        self.still_editing = (posted or {}).get("resized", "")
        if "acceptance_level" in self.fields:
            posted = field.widget.value_from_datadict(self.data, None, self.add_prefix(
                "definition")) if self.is_bound else None
            risk_levels = (posted or initial or {}).get("risk_levels") or []
            current = self.fields["acceptance_level"]
            self.fields["acceptance_level"] = forms.ChoiceField(
                label=current.label, required=True,
                help_text="Residual risks up to this level are accepted without a formal "
                          "acceptance; higher ones need the authority named per level.",
                choices=[("", "---------")] + [
                    (lv.get("ref_id", ""), lv.get("name") or lv.get("ref_id", ""))
                    for lv in risk_levels if isinstance(lv, dict)])
            self.fields["acceptance_level"].widget.attrs["class"] = "form-select"
            if not self.instance.pk and not self.is_bound and initial:
                self.initial["acceptance_level"] = initial.get("acceptance_level", "")

    def _initial_definition(self):
        """The matrix's own definition; for a new one the organisation's default matrix, else
        the catalogue's default (None when no risk matrix is loaded at all)."""
        if self.instance.pk:
            return {**definition_of(self.instance),
                    "acceptance_level": self.instance.acceptance_level}
        if self.organisation is None:
            return None  # a form built without a context (declaration checks)
        default = RiskMatrix.objects.filter(organisation=self.organisation,
                                            name=services.DEFAULT_NAME).first()
        if default is not None:
            return {**definition_of(default), "acceptance_level": default.acceptance_level}
        entry = services.default_catalogue_entry()
        return services.matrix_from_catalogue(entry) if entry is not None else None

    def is_valid(self):
        """Not while the person is still shaping the matrix (a level added or removed)."""
        return not self.still_editing and super().is_valid()

    def full_clean(self):
        if self.still_editing:  # nothing to judge yet: the editor shows the new shape
            self._errors, self.cleaned_data = ErrorDict(), {}
            return
        super().full_clean()

    def clean_definition(self):
        data = self.cleaned_data.get("definition")
        if data is None and not self.instance.pk:
            # Not posted (a client other than the page): a new matrix starts from the default.
            if self.initial_definition is None:
                raise forms.ValidationError("No risk matrix is loaded in the library to start "
                                            "from; ask the installation's operator to run "
                                            "`chainward catalogs load`.")
            return definition_of(self.initial_definition)
        return data

    def _post_clean(self):
        data = self.cleaned_data.get("definition")
        if data:
            for name in DEFINITION:
                setattr(self.instance, name, data[name])
        super()._post_clean()

    def _update_errors(self, errors):
        # Errors of the definition's parts are shown on the editor, named.
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
        # ISO 28001 5.7: what the incidents here suggest, named, next to the likelihood.
        suggestion = suggest_likelihood(self.user, self.instance) if self.user else None
        if suggestion is not None and "likelihood" in self.fields:
            self.fields["likelihood"].help_text += f". Suggested: {suggestion.explanation}"
        if self.instance.pk and self.instance.reviewed is False and "reviewed" in self.fields:
            self.fields["reviewed"].help_text = "Carried over from the baseline: tick once " \
                                                "reviewed."

    @property
    def prerequisites(self):
        """No applicable threat scenario to rate yet: say so and link to declaring them."""
        assessment = self.instance.assessment if self.instance.assessment_id else None
        if assessment is None and self.organisation is not None:
            chosen = self.data.get("assessment") or self.initial.get("assessment")
            if str(chosen or "").isdigit():
                assessment = SecurityAssessment.objects.filter(
                    organisation=self.organisation, pk=chosen).first()
        declared = ThreatApplicability.objects.filter(archived=False, applicable=True)
        if assessment is not None:
            declared = declared.filter(assessment=assessment)
        elif self.organisation is not None:
            declared = declared.filter(organisation=self.organisation)
        else:
            return []
        if declared.exists():
            return []
        url = reverse("risk:threatapplicability_add")
        if assessment is not None:
            url += f"?assessment={assessment.pk}"
        where = f" in {assessment}" if assessment is not None else ""
        return [{"text": f"No threat scenario is declared applicable{where} yet, so there is "
                         "nothing to rate.", "url": url,
                 "link": "Declare which threat scenarios apply"}]

    def _post_clean(self):
        if self.category_fields:
            self.instance.consequences = {
                ref: self.cleaned_data[name] for ref, name in self.category_fields
                if self.cleaned_data.get(name) is not None}
        super()._post_clean()


class SecurityAssessmentForm(RecordForm):
    """A security assessment; without a risk matrix the form says so and offers the default."""

    @property
    def prerequisites(self):
        if self.organisation is None or RiskMatrix.objects.filter(
                organisation=self.organisation, archived=False).exists():
            return []
        can_add = self.user is not None and self.user.has_perm("risk.add_riskmatrix")
        note = {"text": "An assessment rates its scenarios on a risk matrix, and this "
                        "organisation has none yet."}
        if can_add:
            next_url = reverse("risk:securityassessment_add")
            note.update(url=f"{reverse('risk:default_matrix')}?next={next_url}",
                        link="Create the default matrix", post=True)
        else:
            note["text"] += " Ask your security manager to create the default matrix."
        return [note]


class ThreatApplicabilityForm(RecordForm):
    """Whether a threat scenario applies: library scenarios are offered with their ISO 28001
    threat categories (the completion rule needs every category considered); an own
    scenario's categories are ticked, not typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "custom_categories" in self.fields:
            current = self.fields["custom_categories"]
            self.fields["custom_categories"] = forms.TypedMultipleChoiceField(
                label=current.label, required=False, choices=threat_categories,
                widget=forms.CheckboxSelectMultiple,
                help_text="For an own scenario: the ISO 28001 threat categories it covers.")
            self.fields["custom_categories"].widget.attrs["class"] = "form-check-input"
        if "scenario" in self.fields:
            field = self.fields["scenario"]
            # read from the catalogue on the first label, not when the form is built
            names = functools.cache(lambda: dict(threat_categories()))

            def label(entry):
                codes = entry.data.get("iso28001_categories") or []
                covered = "; ".join(names().get(code, code) for code in codes)
                return f"{entry} — {covered}" if covered else str(entry)

            field.label_from_instance = label
            field.help_text = ("Each scenario names the ISO 28001 threat categories it covers; "
                               "completing the assessment needs every category considered.")


def threat_categories():
    """(code, "CODE name") of the catalogue's ISO 28001 threat categories, in order."""
    from chainward.library.models import CatalogEntry

    return [(c.ref_id, f"{c.ref_id} {c.name}") for c in CatalogEntry.objects.filter(
        kind="threat_category", retired=False).order_by("order")]


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
