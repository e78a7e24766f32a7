"""Register declaration for people's role assignments (Administration menu)."""

from chainward.core.columns import Column
from chainward.core.register import Register, add_register

from . import filtersets, models
from .api.serializers import RoleAssignmentSerializer
from .forms import RoleAssignmentForm


@add_register
class RoleAssignmentRegister(Register):
    model = models.RoleAssignment
    url_prefix = "people"
    menu_group = "Administration"
    menu_label = "People and roles"
    columns = (Column("user", sort="user__email"), Column("role", sort="role__name"),
               "all_sites", "sites", "valid_until")
    filterset_class = filtersets.RoleAssignmentFilterSet
    form_class = RoleAssignmentForm
    form_fields = ("role", "all_sites", "sites", "valid_until")
    detail_fields = ("user", "role", "all_sites", "sites", "valid_until")
    select_related = ("user", "role")
    prefetch_related = ("sites",)
    can_import = False
    api_can_add = False  # accounts are created by an administrator in the UI
    serializer_class = RoleAssignmentSerializer
