"""Forms of the audits app: programme, audit (with the independence rule), checklist rows."""

from django import forms
from django.db.models import Q

from chainward.core.forms import RecordForm, style_widgets
from chainward.library.models import Framework, Requirement

from .choices import ChecklistResult
from .services import independence_errors


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
    """Create or edit an audit; an auditor responsible for what is audited is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "criteria" in self.fields:
            self.fields["criteria"].queryset = frameworks_for(self.organisation)
        if "requirements" in self.fields:
            self.fields["requirements"].queryset = requirements_for(self.organisation)

    def clean(self):
        cleaned = super().clean()
        sites = cleaned.get("sites") or []
        responsible = cleaned.get("responsible_persons") or []
        errors = independence_errors(
            self.organisation.pk if self.organisation else self.instance.organisation_id,
            cleaned.get("lead_auditor"), list(cleaned.get("team") or []),
            {s.pk for s in sites}, {p.pk for p in responsible})
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name, message)
        return cleaned


class RequirementChoiceForm(RecordForm):
    """Record forms with a requirement field: requirements of shipped or own frameworks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "requirement" in self.fields:
            self.fields["requirement"].queryset = requirements_for(self.organisation)


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
