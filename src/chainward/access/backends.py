"""Authentication by e-mail and permission checks through the scope definition."""

from django.apps import apps
from django.contrib.auth.backends import ModelBackend

from .scope import allows, scope_map


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
        try:
            app_label, codename = perm.split(".", 1)
            action, model_name = codename.split("_", 1)
            model = apps.get_model(app_label, model_name)
        except (ValueError, LookupError):
            return False
        if obj is None:
            return bool(scope_map(user_obj).get(f"{model._meta.label_lower}:{action}"))
        if obj.pk is None:
            return allows(user_obj, action, obj)
        return model._default_manager.restrict(user_obj, action).filter(pk=obj.pk).exists()

    def get_all_permissions(self, user_obj, obj=None):
        return set()
