"""Generated role × scope tests for the single sign-on provider register."""

from django.test import TestCase

from chainward.access.models import Role
from chainward.access.sso.models import OidcProvider, SamlProvider
from chainward.access.sso.registers import OidcProviderRegister, SamlProviderRegister
from chainward.access.sso.services import set_client_secret
from tests.support.matrix import RegisterCase, form_data, matrix_tests
from tests.support.saml import LocalIdp

IDP_METADATA = LocalIdp().metadata


class OidcProviderCase(RegisterCase):
    register = OidcProviderRegister
    change_field = ("client_id", "changed-client")
    marker_field = "name"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        provider = OidcProvider.objects.create(
            organisation=org,
            name=f"IdP {placement}",
            issuer="https://idp.example/realm",
            client_id=f"client-{placement}",
            email_domains=f"{placement}.idp.example",
        )
        set_client_secret(None, provider, f"secret-{placement}")
        return provider

    def create_data(self, world):
        return form_data(
            OidcProvider(default_role=Role.objects.get(name="Viewer")),
            OidcProviderRegister.form_fields,
            name="New IdP",
            issuer="https://login.new.example",
            client_id="new-client",
            email_domains="new.example",
            client_secret="a-secret",
            version="",
        )


@matrix_tests(OidcProviderCase)
class TestOidcProviderMatrix(TestCase):
    pass


class SamlProviderCase(RegisterCase):
    register = SamlProviderRegister
    change_field = ("name", "Changed IdP")
    marker_field = "name"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return SamlProvider.objects.create(
            organisation=org,
            name=f"SAML {placement}",
            metadata_xml=IDP_METADATA,
            email_domains=f"{placement}.saml.example",
        )

    def create_data(self, world):
        return form_data(
            SamlProvider(default_role=Role.objects.get(name="Viewer")),
            SamlProviderRegister.form_fields,
            name="New SAML IdP",
            metadata_xml=IDP_METADATA,
            email_domains="new-saml.example",
            version="",
        )


@matrix_tests(SamlProviderCase)
class TestSamlProviderMatrix(TestCase):
    pass
