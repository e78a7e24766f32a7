"""Forms of exercises: the "open a corrective action" form of a held exercise's page."""

import datetime

from django import forms
from django.utils import timezone

from chainward.core.forms import style_widgets

from .services import CAPA_DAYS


class ExerciseActionForm(forms.Form):
    """One action an exercise calls for, opened as a corrective action (ISO 28000 10.2)."""

    title = forms.CharField(label="Action", max_length=200,
                            help_text="What must be done, e.g. 'Add the police emergency "
                                      "number to the gate card'.")
    due_date = forms.DateField(label="Due by", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=f"Empty: {CAPA_DAYS} days from today.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].widget.attrs["min"] = timezone.localdate().isoformat()
        style_widgets(self)

    @staticmethod
    def default_due():
        return timezone.localdate() + datetime.timedelta(days=CAPA_DAYS)
