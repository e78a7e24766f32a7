"""An organisation's identity provider (OpenID Connect or SAML 2.0): where its people sign in,
and on what terms."""

from django.db import models

from chainward.core import roles
from chainward.core.models import PrimaryModel
from chainward.core.registry import register


class SignInProvider(PrimaryModel):
    """What every kind of identity provider shares: the e-mail domains routed to it, accounts
    on first sign-in, the group → role mapping, and the organisation's sign-in terms
    (the rules on them are in sso.services, one function per rule for both kinds)."""

    name = models.CharField(
        "name", max_length=100, help_text="What the login page calls it, e.g. “Acme Entra ID”."
    )
    email_domains = models.CharField(
        "e-mail domains",
        max_length=500,
        help_text="Addresses of these domains sign in here, e.g. “acme.example, acme.de” "
        "(separated by commas or spaces).",
    )
    jit_enabled = models.BooleanField(
        "create accounts on first sign-in",
        default=False,
        help_text="Someone the provider lets in who has no account yet gets one, with the "
        "default role (or a mapped one) and no sites.",
    )
    default_role = models.ForeignKey(
        "access.Role",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="default role",
        help_text="The role of accounts created on first sign-in.",
    )
    group_claim = models.CharField(
        "group claim",
        max_length=100,
        blank=True,
        default="groups",
        help_text="The ID token claim listing the person's groups (often “groups”).",
    )
    role_mapping = models.TextField(
        "group → role mapping",
        blank=True,
        help_text="One line per group: “group = role”, e.g. “security-team = Security "
        "manager”. A new account gets the role of the first line its groups match, "
        "else the default role.",
    )
    provider_enforces_mfa = models.BooleanField(
        "provider enforces multi-factor sign-in",
        default=False,
        help_text="Tick only if the provider always asks for a second factor: then Chainward "
        "does not ask for its own code after single sign-on.",
    )
    passwords_disabled = models.BooleanField(
        "local passwords disabled",
        default=False,
        help_text="Members of this organisation may sign in only through this provider.",
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.name


class OidcProvider(SignInProvider):
    """The identity provider an organisation's people sign in with (OpenID Connect, the
    authorization-code flow). E-mail addresses of its domains are sent to it from the login
    page; the client secret is kept apart (OidcClientSecret) so it never enters the ledger."""

    reference_prefix = "SSO"

    issuer = models.URLField(
        "issuer URL",
        max_length=300,
        help_text="The provider's issuer, e.g. https://login.example.com/realms/acme; its "
        "/.well-known/openid-configuration must answer.",
    )
    client_id = models.CharField("client ID", max_length=200)

    class Meta:
        ordering = ("name",)
        verbose_name = "single sign-on provider"
        constraints = [
            models.UniqueConstraint(
                fields=("organisation", "name"),
                name="sso_provider_unique_name",
                violation_error_message="This organisation already has a provider of that name.",
            ),
        ]


class OidcClientSecret(models.Model):
    """The client secret of a provider: written through the form or the API, never shown or
    ledgered (its changes are: `sso_client_secret_set`, without the value), and stored sealed
    (`value` holds a Fernet token under a key derived from SECRET_KEY, sso.sealing; read it
    with sso.services.client_secret)."""

    provider = models.OneToOneField(
        OidcProvider, on_delete=models.CASCADE, related_name="secret", verbose_name="provider"
    )
    value = models.TextField("client secret (sealed)")
    set_at = models.DateTimeField("set", auto_now=True)

    class Meta:
        verbose_name = "client secret"

    def __str__(self):
        return f"client secret of {self.provider}"


class SamlProvider(SignInProvider):
    """The SAML 2.0 identity provider an organisation's people sign in with (SP-initiated,
    HTTP-Redirect AuthnRequest, HTTP-POST response). Its metadata (pasted, or fetched from
    its URL at each sign-in) names its entity ID, sign-in endpoint and signing certificate."""

    reference_prefix = "SAML"

    metadata_url = models.URLField(
        "metadata URL",
        max_length=500,
        blank=True,
        help_text="Where the provider publishes its SAML metadata, e.g. "
        "https://idp.example/metadata; or paste the metadata below.",
    )
    metadata_xml = models.TextField(
        "metadata XML",
        blank=True,
        help_text="The provider's SAML metadata document (an EntityDescriptor), as it exports "
        "it; leave empty when a metadata URL is given.",
    )
    group_claim = models.CharField(
        "group attribute",
        max_length=200,
        blank=True,
        default="groups",
        help_text="The assertion attribute listing the person's groups (e.g. “groups”, or "
        "the URI your provider uses).",
    )

    class Meta:
        ordering = ("name",)
        verbose_name = "SAML identity provider"
        constraints = [
            models.UniqueConstraint(
                fields=("organisation", "name"),
                name="sso_saml_provider_unique_name",
                violation_error_message="This organisation already has a provider of that name.",
            ),
        ]


class SamlRequest(models.Model):
    """An AuthnRequest sent and not yet answered: the IdP's answer comes back by a cross-site
    POST that carries no session cookie, so its InResponseTo is checked against these rows
    (used once, expired after SAML_REQUEST_SECONDS)."""

    request_id = models.CharField("request ID", max_length=100, unique=True)
    provider = models.ForeignKey(
        SamlProvider, on_delete=models.CASCADE, related_name="+", verbose_name="provider"
    )
    next_url = models.CharField("next", max_length=500, blank=True)
    expires_at = models.DateTimeField("expires")

    class Meta:
        verbose_name = "pending SAML request"

    def __str__(self):
        return self.request_id


ADMINISTRATORS_ONLY = roles.matrix(
    top=roles.NONE,
    manager=roles.NONE,
    officer=roles.NONE,
    auditor=roles.NONE,
    contributor=roles.NONE,
    viewer=roles.NONE,
    external=roles.NONE,
)
# Only administrators configure how their organisation signs in.
register(SamlProvider, roles=ADMINISTRATORS_ONLY)
register(OidcProvider, roles=ADMINISTRATORS_ONLY)
