"""The preferences form: it only translates to `services.set_preferences`."""

from django import forms

from .models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ("daily_digest", "immediate_assignments")
