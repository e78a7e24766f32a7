"""Forms of the audits app: programme, audit, checklist rows."""

from django import forms
from django.db.models import Q

from chainward.core.forms import RecordForm, style_widgets
from chainward.library.models import Framework, Requirement

from .choices import ChecklistResult
from .root_cause import RootCauseFields


def frameworks_for(organisation):
    """Shipped frameworks and the organisation's own custom ones, never another's."""
    return Framework.objects.filter(retired=False).filter(
        Q(library__organisation__isnull=True) | Q(library__organisation=organisation))


def requirements_for(organisation):
    """Requirements of those frameworks."""
    return Requirement.objects.filter(framework__in=frameworks_for(organisation),
                                      retired=False).select_related("framework")


class AuditProgrammeForm(RecordForm):
    """Create or edit a programme; criteria are shipped or own frameworks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "frameworks" in self.fields:
            self.fields["frameworks"].queryset = frameworks_for(self.organisation)


class AuditForm(RecordForm):
    """Create or edit an audit. Auditor independence is checked by `save_record` (through
    `services.assert_independent`) on the saved team and sites; the view shows its refusal on
    the lead auditor / team fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "criteria" in self.fields:
            self.fields["criteria"].queryset = frameworks_for(self.organisation)
        if "requirements" in self.fields:
            self.fields["requirements"].queryset = requirements_for(self.organisation)


class RequirementChoiceForm(RecordForm):
    """Record forms with a requirement field: requirements of shipped or own frameworks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "requirement" in self.fields:
            self.fields["requirement"].queryset = requirements_for(self.organisation)


class CorrectiveActionForm(RootCauseFields, RecordForm):
    """A corrective action; its root cause as five whys or cause categories (no JSON)."""


class ChecklistRowForm(forms.Form):
    """The inline editor of one checklist item."""

    result = forms.ChoiceField(choices=ChecklistResult.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    samples = forms.CharField(required=False, label="Samples taken",
                              widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, prefix_id=None, **kwargs):
        super().__init__(*args, auto_id=f"id_{prefix_id}_%s" if prefix_id else "id_%s", **kwargs)
        style_widgets(self)
        self.fields["result"].widget.attrs["class"] += " form-select-sm"


class VerificationForm(forms.Form):
    """Verification of a corrective action's effectiveness."""

    effective = forms.TypedChoiceField(
        choices=(("yes", "Effective: close it"), ("no", "Not effective: reopen it")),
        coerce=lambda value: value == "yes", widget=forms.RadioSelect)
    notes = forms.CharField(required=False, label="Verification notes",
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["effective"].widget.attrs["class"] = "form-check-input"
