"""Register declaration of single sign-on providers (Administration menu)."""

from chainward.core.register import Register
from chainward.core.registry import add_register

from . import filtersets, models, services
from .forms import OidcProviderForm


@add_register
class OidcProviderRegister(Register):
    model = models.OidcProvider
    url_prefix = "providers"
    menu_group = "Administration"
    menu_label = "Single sign-on"
    columns = ("name", "issuer", "email_domains", "jit_enabled", "passwords_disabled")
    fields = (
        "name",
        "issuer",
        "client_id",
        "email_domains",
        "jit_enabled",
        "default_role",
        "group_claim",
        "role_mapping",
        "provider_enforces_mfa",
        "passwords_disabled",
    )
    filterset_class = filtersets.OidcProviderFilterSet
    form_class = OidcProviderForm
    select_related = ("default_role",)
    can_import = False
    detail_template = "sso/oidcprovider_detail.html"

    def detail_context(self, obj, request):
        """The redirect URI to register at the provider."""
        from django.urls import reverse

        return {"redirect_uri": request.build_absolute_uri(reverse("sso:callback"))}

    def after_save(self, user, obj, created):
        """Every save (form, API): the settings are usable; a new secret is stored apart."""
        services.check_provider(obj)
        secret = getattr(obj, "_new_client_secret", "")
        if secret:
            services.set_client_secret(user, obj, secret)
            obj._new_client_secret = ""
