"""The root-cause analysis as form fields (ISO 28000 10.2; issue 13 item 3): five "why"
questions with their answers, or a cause per category — one component for corrective actions
and incident investigations, stored as the JSON the API reads and writes.

The form only translates: `models.validate_root_cause` (the model field's validator, run by
forms, the API and imports alike) decides what a valid analysis is.
"""

from django import forms
from django.core.exceptions import ValidationError

from chainward.core.forms import style_widgets

from .choices import CAUSE_CATEGORIES
from .models import validate_root_cause

WHYS = 5
METHODS = (("", "Not analysed yet"), ("five_whys", "Five whys"),
           ("cause_categories", "Cause categories"))


class RootCauseFields:
    """Mixin for a ModelForm whose model has a `root_cause` JSON field (left out of the form's
    own fields): adds `rc_method`, `why_N`/`answer_N` and `cause_<category>` fields, filled
    from the record, and puts the analysis back on the instance when the form is valid."""

    root_cause_field = "root_cause"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = getattr(self.instance, self.root_cause_field, None) or {}
        current = current if isinstance(current, dict) else {}
        whys = current.get("whys") if isinstance(current.get("whys"), list) else []
        categories = current.get("categories") if isinstance(current.get("categories"),
                                                             dict) else {}
        self.fields["rc_method"] = forms.ChoiceField(
            label="Root-cause method", required=False, choices=METHODS,
            initial=current.get("method", ""),
            help_text="Ask “why?” until you reach a cause you can act on, or describe the cause "
                      "in each category that contributed.")
        for number in range(1, WHYS + 1):
            step = whys[number - 1] if number <= len(whys) and isinstance(
                whys[number - 1], dict) else {}
            self.fields[f"why_{number}"] = forms.CharField(
                label=f"Why {number}?", required=False, max_length=300,
                initial=step.get("why", ""))
            self.fields[f"answer_{number}"] = forms.CharField(
                label=f"Because {number}", required=False, max_length=300,
                initial=step.get("answer", ""))
        for category in CAUSE_CATEGORIES:
            self.fields[f"cause_{category}"] = forms.CharField(
                label=f"Cause: {category}", required=False, max_length=500,
                initial=categories.get(category, ""),
                widget=forms.Textarea(attrs={"rows": 2}))
        style_widgets(self)

    def root_cause_value(self, cleaned):
        """The analysis the fields describe, as stored (`{}` when none is chosen)."""
        method = cleaned.get("rc_method") or ""
        if method == "five_whys":
            steps = [{"why": (cleaned.get(f"why_{n}") or "").strip(),
                      "answer": (cleaned.get(f"answer_{n}") or "").strip()}
                     for n in range(1, WHYS + 1)]
            return {"method": method, "whys": [s for s in steps if s["why"] or s["answer"]]}
        if method == "cause_categories":
            return {"method": method, "categories": {
                c: (cleaned.get(f"cause_{c}") or "").strip() for c in CAUSE_CATEGORIES
                if (cleaned.get(f"cause_{c}") or "").strip()}}
        return {}

    def clean(self):
        cleaned = super().clean()
        value = self.root_cause_value(cleaned)
        try:
            validate_root_cause(value)
        except ValidationError as invalid:
            self.add_error("rc_method", invalid)
        setattr(self.instance, self.root_cause_field, value)
        return cleaned
