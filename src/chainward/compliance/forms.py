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


def offer_statuses(field, framework):
    """Offer "not applicable" only where the framework allows exclusions.

    Only the widget's options change: a posted "not applicable" still reaches the service,
    whose refusal (`services.check_status`) is what the person sees.
    """
    if framework is not None and not framework.allows_exclusions:
        field.widget.choices = [c for c in field.choices
                                if c[0] != ComplianceStatus.NOT_APPLICABLE]


class RequirementStatusForm(RecordForm):
    """The record form of a requirement status (the work page is the usual way in)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.assessment_id and "status" in self.fields:
            offer_statuses(self.fields["status"], self.instance.assessment.framework)


class StatusForm(forms.Form):
    """The inline editor of one requirement's status."""

    status = forms.ChoiceField(choices=ComplianceStatus.choices)
    justification = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, prefix_id=None, framework=None, **kwargs):
        super().__init__(*args, auto_id=f"id_{prefix_id}_%s" if prefix_id else "id_%s", **kwargs)
        style_widgets(self)
        self.fields["status"].widget.attrs["class"] += " form-select-sm"
        self.allows_exclusions = framework is None or framework.allows_exclusions
        offer_statuses(self.fields["status"], framework)


class EvidencePickForm(forms.Form):
    """Pick existing evidence or a controlled document for a requirement (type-ahead).

    The choices are the organisation's records; whether the person may see the one picked is
    the service's rule (`services.attach_evidence`), so its refusal is what they read.
    """

    evidence = forms.ModelChoiceField(queryset=None, required=False, label="Existing evidence")
    document = forms.ModelChoiceField(queryset=None, required=False,
                                      label="Controlled document (its approved version)")

    def __init__(self, *args, row, lookup_urls, **kwargs):
        super().__init__(*args, auto_id=f"id_pick_{row.pk}_%s", **kwargs)
        from chainward.core.lookups import use_lookups
        from chainward.documents.models import Document, Evidence

        self.fields["evidence"].queryset = Evidence.objects.filter(
            organisation=row.organisation, archived=False)
        self.fields["document"].queryset = Document.objects.filter(
            organisation=row.organisation, archived=False)
        use_lookups(self, lookup_urls.get)
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        picked = [name for name in ("evidence", "document") if cleaned.get(name)]
        if len(picked) != 1 and not self.errors:
            raise forms.ValidationError("Pick one: existing evidence or a controlled document.")
        return cleaned
