from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Single sign-on: each organisation's OpenID Connect or SAML 2.0 identity provider."""

    name = "chainward.access.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from . import registers  # noqa: F401 - declares the register

        user_logged_out.connect(sso_session_ended, dispatch_uid="sso:session_ended")


def sso_session_ended(sender, request, user, **kwargs):
    """Ledger the end of a session single sign-on began (before Django clears the session)."""
    from .services import record_sign_out

    record_sign_out(request, user)
