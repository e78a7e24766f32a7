"""Forms of the incidents app: severity on the organisation's scale, the structured root cause
of an investigation (no JSON typed by hand), who notified."""

from django import forms

from chainward.audits.root_cause import RootCauseFields
from chainward.core.forms import RecordForm, style_widgets

from .choices import modus_operandi_choices
from .models import severity_scale


class IncidentForm(RecordForm):
    """Create or edit an incident; severity is offered on the organisation's consequence scale
    (its risk matrix), the modus operandi grouped by type (the model checks the pair)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "severity" in self.fields:
            scale = severity_scale(self.organisation.pk) if self.organisation else [1, 2, 3, 4, 5]
            names = _scale_names(self.organisation)
            self.fields["severity"] = forms.TypedChoiceField(
                label="Severity", coerce=int, help_text=self.fields["severity"].help_text,
                choices=[("", "---------")] + [(v, f"{v} — {names.get(v, '')}".rstrip(" —"))
                                                for v in scale])
            style_widgets(self)
        if "modus_operandi" in self.fields:
            from .choices import MODUS_OPERANDI, IncidentType

            groups = [(IncidentType(t).label, list(mo.items()))
                      for t, mo in MODUS_OPERANDI.items() if mo]
            self.fields["modus_operandi"].choices = [
                *groups, ("Any type", [c for c in modus_operandi_choices() if c[0] == "other"])]


def _scale_names(organisation):
    from chainward.risk.models import RiskMatrix

    if organisation is None:
        return {}
    matrix = (RiskMatrix.objects.filter(organisation=organisation, archived=False)
              .order_by("-frozen", "pk").first())
    return {lv.get("value"): lv.get("name", "") for lv in
            (matrix.consequence_levels if matrix else [])}


class InvestigationForm(RootCauseFields, RecordForm):
    """An investigation; the root cause is entered as five whys or cause categories with the
    corrective action's own component (`audits.root_cause.RootCauseFields`, ISO 28000 10.2)
    and stored as such."""


class NotificationForm(RecordForm):
    """A notification; "notified by" defaults to the person filling the form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "notified_by" in self.fields and not self.instance.notified_by_id and self.user:
            self.fields["notified_by"].initial = self.user.pk


class NotifyForm(forms.Form):
    """The "notified" button of an incident's notification row."""

    reference_number = forms.CharField(label="Their reference", required=False, max_length=100)

    def __init__(self, *args, prefix_id=None, **kwargs):
        super().__init__(*args, auto_id=f"id_{prefix_id}_%s" if prefix_id else "id_%s",
                         **kwargs)
        style_widgets(self)
