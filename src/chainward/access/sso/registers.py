"""Register declarations of single sign-on providers (Administration menu)."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from chainward.core.register import Register
from chainward.core.registry import add_register

from . import filtersets, models, saml, services
from .forms import OidcProviderForm
from .serializers import OidcProviderSerializer

WHO = ("email_domains", "jit_enabled", "default_role", "group_claim", "role_mapping")
TERMS = ("provider_enforces_mfa", "passwords_disabled")
SHARED_FIELDS = (*WHO, *TERMS)


def sections(provider_fields):
    """The form read in three parts: the provider, who signs in through it, on what terms."""
    return (
        ("Identity provider", provider_fields),
        ("Who signs in, with which role", WHO),
        ("Sign-in terms", TERMS),
    )


class ProviderRegister(Register):
    """What both kinds of provider registers share: Administration menu, no import, and the
    provider rules on every save (sso.services.check_provider)."""

    menu_group = "Administration"
    select_related = ("default_role",)
    can_import = False

    def after_save(self, user, obj, created):
        """Every save (form, API): the settings are usable."""
        services.check_provider(obj)


@add_register
class OidcProviderRegister(ProviderRegister):
    model = models.OidcProvider
    url_prefix = "providers"
    menu_label = "Single sign-on"
    columns = ("name", "issuer", "email_domains", "jit_enabled", "passwords_disabled")
    fields = ("name", "issuer", "client_id", *SHARED_FIELDS)
    filterset_class = filtersets.OidcProviderFilterSet
    form_class = OidcProviderForm
    form_sections = sections(("name", "issuer", "client_id", "client_secret"))
    detail_template = "sso/oidcprovider_detail.html"

    serializer_class = OidcProviderSerializer  # adds the write-only client_secret

    def detail_context(self, obj, request):
        """The redirect URI to register at the provider; whether its secret still opens."""
        return {
            "redirect_uri": request.build_absolute_uri(reverse("sso:callback")),
            "secret_state": services.client_secret_state(obj),
        }

    def after_save(self, user, obj, created):
        """Every save (form, API): the settings are usable, with a client secret this
        deployment can read; a new secret is stored sealed and apart."""
        secret = getattr(obj, "_new_client_secret", "")
        errors = {}
        try:
            super().after_save(user, obj, created)
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            services.check_client_secret(obj, secret)
        except ValidationError as error:
            errors.update(error.message_dict)  # only client_secret: no field in common
        if errors:
            raise ValidationError(errors)
        if secret:
            services.set_client_secret(user, obj, secret)
            obj._new_client_secret = ""


@add_register
class SamlProviderRegister(ProviderRegister):
    model = models.SamlProvider
    url_prefix = "saml-providers"
    menu_label = "SAML single sign-on"
    columns = ("name", "metadata_url", "email_domains", "jit_enabled", "passwords_disabled")
    fields = ("name", "metadata_url", "metadata_xml", *SHARED_FIELDS)
    filterset_class = filtersets.SamlProviderFilterSet
    form_sections = sections(("name", "metadata_url", "metadata_xml"))
    detail_template = "sso/samlprovider_detail.html"

    def detail_context(self, obj, request):
        """What to register at the provider: our entity ID, ACS URL and metadata URL."""
        entity_id, acs, metadata = saml.service_provider(request, obj)
        return {"sp_entity_id": entity_id, "acs_url": acs, "sp_metadata_url": metadata}
