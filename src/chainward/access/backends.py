"""Authentication by e-mail and permission checks through the scope definition."""

from django.apps import apps
from django.contrib.auth.backends import ModelBackend

from chainward.core.registry import registration
from chainward.core.scope import allows, scope_map

from .services import may_create_organisations

CREATE_ORGANISATION = "supplychain.add_organisation"


class ScopedPermissionBackend(ModelBackend):
    """`user.has_perm("supplychain.change_site", site)` answers from the user's role assignments.

    Without an object it answers "somewhere in some organisation" (used to show buttons);
    with an object it asks the same `restrict()` filter the lists use.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return True
        if perm == CREATE_ORGANISATION:
            # Above organisations: no role grants it (issue 13).
            return may_create_organisations(user_obj)
        try:
            app_label, codename = perm.split(".", 1)
            action, model_name = codename.split("_", 1)
            model = apps.get_model(app_label, model_name)
        except (ValueError, LookupError):
            return False
        if obj is None:
            return self.has_model_perm(user_obj, model, action)
        if not isinstance(obj, model):
            # Asking about a notification with the incident in hand would compare primary keys
            # of two tables and answer by coincidence: ask about the child itself, or use
            # core.scope.allows on an unsaved child.
            raise TypeError(f"{perm} asked about a {type(obj).__name__}")
        if obj.pk is None:
            return allows(user_obj, action, obj)
        return model._default_manager.restrict(user_obj, action).filter(pk=obj.pk).exists()

    @staticmethod
    def has_model_perm(user, model, action):
        """Could the user `action` some record of `model` (drives buttons and page access)?
        Reads, per grant, only whether it is held and whether some organisation holds it
        whole: what `core.scope.model_perms_key` keys the navigation menu by."""
        reg = registration(model)
        if reg is None:
            return False
        per_org = scope_map(user).get(f"{reg.label}:{action}")
        if not per_org:
            return False
        site_limited_ok = action == "view" or (reg.site_paths and not (
            action in {"add", "import"} and reg.site_paths == ("id",)))
        # A grant limited to sites reaches organisation-wide records only to read them, and
        # cannot create a new site (which is at none of the user's sites yet).
        return bool(site_limited_ok) or any(sites is None for sites in per_org.values())

    def get_all_permissions(self, user_obj, obj=None):
        return set()
