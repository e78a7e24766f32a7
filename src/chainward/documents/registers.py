"""Register declaration of evidence."""

from chainward.core.columns import Column
from chainward.core.register import Register, add_register

from . import filtersets, models
from .api.serializers import EvidenceSerializer


@add_register
class EvidenceRegister(Register):
    model = models.Evidence
    url_prefix = "evidence"
    menu_group = "Compliance"
    columns = ("title", "kind", "valid_until", Column("is_expired", label="expired"))
    filterset_class = filtersets.EvidenceFilterSet
    form_fields = ("title", "kind", "link", "description", "valid_until")
    import_fields = form_fields
    import_required = ("title",)
    serializer_class = EvidenceSerializer
