"""Forms of the context app beyond the generated ones."""

from chainward.audits.forms import requirements_for
from chainward.core.forms import RecordForm


class ObligationForm(RecordForm):
    """A legal or other requirement; the standard requirements offered are those of the shipped
    frameworks and the organisation's own (never another organisation's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "requirements" in self.fields:
            self.fields["requirements"].queryset = requirements_for(self.organisation)
