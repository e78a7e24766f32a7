from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Django app configuration for chainward.access."""

    name = "chainward.access"
    label = "access"
    verbose_name = "People and access"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import registers  # noqa: F401 - declares the register

        post_migrate.connect(ensure_builtin_roles, sender=self,
                             dispatch_uid="access:builtin_roles")


def ensure_builtin_roles(sender, using="default", **kwargs):
    """Create the built-in role rows after every migrate (their grants live in the registry)."""
    from chainward.core.roles import BUILTIN_ROLES

    from .models import Role

    for name, description in BUILTIN_ROLES.items():
        Role.objects.using(using).get_or_create(
            name=name, defaults={"builtin": True, "description": description})
