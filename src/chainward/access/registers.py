"""Register declaration for people's role assignments (Administration menu)."""

from chainward.core.columns import Column
from chainward.core.register import RECORD_FIELDS, Register, without
from chainward.core.registry import add_register

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
    fields = ("user", "role", "all_sites", "sites", "valid_until")
    read_only_fields = ("user",)  # a person joins by invitation; the assignment stays theirs
    # As before, the API does not list the created/updated stamps.
    api_record_fields = without(RECORD_FIELDS, "created_at", "updated_at")
    select_related = ("user", "role")
    prefetch_related = ("sites",)
    can_import = False
    api_can_add = False  # people join by invitation (the add page, access.views.InviteView)
    serializer_class = RoleAssignmentSerializer  # the person by e-mail
    viewset_base = RoleAssignmentViewSet
    detail_template = "access/roleassignment_detail.html"

    def detail_context(self, obj, request):
        """Whether the person has two-step sign-in, and whether the viewer may reset it."""
        from . import mfa

        return {"two_step_on": mfa.has_two_step(obj.user),
                "may_reset_two_step": mfa.may_reset(request.user, obj.organisation_id)}

    def after_save(self, user, obj, created):
        """Every save (form, API, invitation, service): the scope is explicit."""
        services.check_scope(obj)
