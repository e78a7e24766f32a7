"""Forms of gap assessments."""

from django import forms
from django.db.models import Q

from chainward.core.forms import RecordForm, require_sites_or_whole_organisation, style_widgets

from .choices import ComplianceStatus


class GapAssessmentForm(RecordForm):
    """Create or edit an assessment; creating one lists every assessable requirement."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from chainward.library.models import Framework

        self.fields["framework"].queryset = Framework.objects.filter(retired=False).filter(
            Q(library__organisation__isnull=True) | Q(library__organisation=self.organisation))
        if self.instance.pk:
            self.fields["framework"].disabled = True

    def clean(self):
        cleaned = super().clean()
        require_sites_or_whole_organisation(
            self, cleaned, "Choose the sites in scope, or tick “whole organisation”.")
        return cleaned


class StatusForm(forms.Form):
    """The inline editor of one requirement's status."""

    status = forms.ChoiceField(choices=ComplianceStatus.choices)
    justification = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, prefix_id=None, **kwargs):
        super().__init__(*args, auto_id=f"id_{prefix_id}_%s" if prefix_id else "id_%s", **kwargs)
        style_widgets(self)
        self.fields["status"].widget.attrs["class"] += " form-select-sm"
