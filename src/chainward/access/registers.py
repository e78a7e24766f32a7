"""Register declaration for people's role assignments (Administration menu)."""

from chainward.core.columns import Column
from chainward.core.register import Register, add_register

from . import filtersets, models, services
from .api.serializers import RoleAssignmentSerializer
from .api.viewsets import RoleAssignmentViewSet
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
    api_can_add = False  # people join by invitation (the add page, access.views.InviteView)
    serializer_class = RoleAssignmentSerializer
    viewset_base = RoleAssignmentViewSet

    def after_save(self, user, obj, created):
        """Every save (form, API, invitation, service): the scope is explicit."""
        services.check_scope(obj)
