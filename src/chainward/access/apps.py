from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Django app configuration for chainward.access."""

    name = "chainward.access"
    label = "access"
    verbose_name = "People and access"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_migrate

        from . import registers  # noqa: F401 - declares the register

        post_migrate.connect(ensure_builtin_roles, sender=self,
                             dispatch_uid="access:builtin_roles")
        user_logged_in.connect(session_started, dispatch_uid="access:session_started")
        user_logged_out.connect(session_ended, dispatch_uid="access:session_ended")


def ensure_builtin_roles(sender, using="default", **kwargs):
    """Create the built-in role rows after every migrate (their grants live in the registry)."""
    from chainward.core.roles import BUILTIN_ROLES

    from .models import Role

    for name, description in BUILTIN_ROLES.items():
        Role.objects.using(using).get_or_create(
            name=name, defaults={"builtin": True, "description": description})


def session_started(sender, request, user, **kwargs):
    """Record the new session on the person's session list."""
    from .sessions import record_login

    record_login(request, user)


def session_ended(sender, request, user, **kwargs):
    """Mark the session ended when its person logs out."""
    from .sessions import record_logout

    session = getattr(request, "session", None)
    record_logout(session.session_key if session is not None else None)
