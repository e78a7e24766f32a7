"""Forms of the risk registers."""




from chainward.core.forms import RecordForm

from . import services
from .models import MATRIX_FIELDS


class RiskMatrixForm(RecordForm):
    """JSON fields as text areas; errors come from `levels.validate` per field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in MATRIX_FIELDS[:-1]:
            field = self.fields.get(name)
            if field is not None:
                field.widget.attrs["rows"] = 8
                field.widget.attrs["class"] = "form-control font-monospace"


class RatingForm(RecordForm):
    """Consequences as JSON {category: level}; levels are computed on save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("consequences")
        if field is not None:
            field.help_text = ('{"life": 1, "economic": 4, "environment": 1, "reputation": 3, '
                               '"disruption": 3, "legal": 2} — the worst category counts.')
        if self.instance.pk and self.instance.reviewed is False and "reviewed" in self.fields:
            self.fields["reviewed"].help_text = "Carried over from the baseline: tick once " \
                                                "reviewed."


class RiskAcceptanceForm(RecordForm):
    """The person accepting is the one saving: refused for the assessor or without `accept`."""

    def before_save(self, actor):
        rating = self.instance.rating
        services.check_acceptor(actor, rating)
        self.instance.accepted_by = actor


