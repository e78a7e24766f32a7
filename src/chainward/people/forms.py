"""Forms of the people app beyond the register forms: a training session's attendance recorded
for several attendees at once (ISO 28000 7.2)."""

from django import forms

from chainward.core.forms import scope_choices, style_widgets
from chainward.core.lookups import register_lookup_url, use_lookups

from .choices import TrainingResult
from .models import Person


class AttendanceForm(forms.Form):
    """Attendees of one session with one result; `services.record_attendance` saves them."""

    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.all(), label="Attendees",
        help_text="Type a name and pick each person who attended with this result.")
    result = forms.ChoiceField(label="Result", choices=TrainingResult.choices,
                               initial=TrainingResult.PASSED,
                               help_text="Passed and attended give a training record of each "
                                         "competence the course satisfies; failed gives none.")

    def __init__(self, *args, user=None, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and organisation is not None:
            scope_choices(self, user, organisation)
        # People are picked by type-ahead from the attendance register's own person field (same
        # scope): the page never lists every person.
        use_lookups(self, lambda name: register_lookup_url("people.sessionattendance", "person")
                    if name == "people" else None)
        style_widgets(self)
