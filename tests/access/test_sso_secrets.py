"""OpenID Connect client secrets are stored sealed (Fernet under a key derived from SECRET_KEY,
sso.sealing): written by the form and the API, never shown, opened only for the sign-in; a
secret the instance's key no longer opens is said on the provider's page and refuses the
sign-in with a message, never a 500."""

import base64
import importlib

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from chainward.access.models import ApiToken, Role, TokenScope
from chainward.access.sso.models import OidcClientSecret, OidcProvider
from chainward.access.sso.services import SecretUnreadable, client_secret, set_client_secret
from chainward.access.sso.views import FLOW_KEY
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from tests.support.sso import messages_of
from tests.support.sso import provider_form as sso_form

SECRET = "Pl4in-client-secret-from-the-idp"
OTHER_KEY = "a different instance secret key, e.g. after a lost instance folder 0123456789"
migration = importlib.import_module("chainward.access.sso.migrations.0003_seal_client_secrets")


def raw_secret_column(provider):
    """The stored column as the database holds it (no model, no field conversion)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM sso_oidcclientsecret WHERE provider_id = %s",
                       [provider.pk])
        return cursor.fetchone()[0]


def open_by_the_documented_recipe(token, secret_key):
    """The sealing as sso.sealing's docstring documents it, written out here again: HKDF-SHA256
    over SECRET_KEY, no salt, info "chainward sso client secret v1", 32 bytes, Fernet."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"chainward sso client secret v1").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key)).decrypt(token.encode()).decode()


def assert_sealed(provider, plain):
    raw = raw_secret_column(provider)
    assert plain not in raw
    assert raw.startswith("gAAAAA")  # a Fernet token (version byte 0x80)
    assert open_by_the_documented_recipe(raw, settings.SECRET_KEY) == plain


def form(**changes):
    return sso_form(**{"name": "Acme IdP", "issuer": "https://idp.acme.example/realm",
                       "client_id": "chainward", "client_secret": SECRET, **changes})


@pytest.fixture
def provider(world):
    with actor_context(None, name="fixture"):
        provider = OidcProvider.objects.create(
            organisation=world["org_a"], name="Acme IdP", issuer="https://idp.acme.example/realm",
            client_id="chainward", email_domains="acme.example", jit_enabled=True,
            default_role=Role.objects.get(name="Viewer"))
    set_client_secret(None, provider, SECRET)
    return provider


@pytest.fixture
def api(world):
    _, token = ApiToken.issue(world["users"]["administrator__org"], "integration",
                              scope=TokenScope.READ_WRITE)
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


# --- sealed at rest, from every path that writes it --------------------------------------------
def test_the_form_stores_the_secret_sealed_and_never_shows_it(admin_client, world):
    response = admin_client.post("/sso/providers/add/", form())
    assert response.status_code == 302, response.context["form"].errors
    provider = OidcProvider.objects.get(organisation=world["org_a"])
    assert_sealed(provider, SECRET)
    for page in (response.url, f"{response.url}edit/"):
        html = admin_client.get(page).content.decode()
        assert SECRET not in html and raw_secret_column(provider) not in html
    # A new secret from the edit form replaces it, sealed again.
    response = admin_client.post(f"{response.url}edit/", form(client_secret="Second-secret-77",
                                                              version=provider.version))
    assert response.status_code == 302, response.context["form"].errors
    assert_sealed(provider, "Second-secret-77")


def test_the_api_writes_the_secret_sealed_and_never_returns_it(world, api):
    payload = {"name": "Acme IdP", "issuer": "https://idp.acme.example/realm",
               "client_id": "chainward", "email_domains": "acme.example", "jit_enabled": False}
    refused = Client().post("/api/sso/providers/", payload, content_type="application/json",
                            **api)
    assert refused.status_code == 400
    assert "Give the client secret" in str(refused.json()["errors"]["client_secret"])
    assert not OidcProvider.objects.exists()
    created = Client().post("/api/sso/providers/", {**payload, "client_secret": SECRET},
                            content_type="application/json", **api)
    assert created.status_code == 201, created.content
    assert "client_secret" not in created.json() and SECRET not in created.content.decode()
    provider = OidcProvider.objects.get(pk=created.json()["id"])
    assert_sealed(provider, SECRET)
    url = f"/api/sso/providers/{provider.pk}/"
    read = Client().get(url, **api)
    assert read.status_code == 200 and SECRET not in read.content.decode()
    # A change without a secret keeps it; with one replaces it.
    kept = Client().patch(url, {"client_id": "renamed", "version": provider.version},
                          content_type="application/json", **api)
    assert kept.status_code == 200, kept.content
    assert client_secret(provider) == SECRET
    replaced = Client().patch(url, {"client_secret": "Api-second-secret",
                                    "version": kept.json()["version"]},
                              content_type="application/json", **api)
    assert replaced.status_code == 200, replaced.content
    assert_sealed(provider, "Api-second-secret")
    assert LedgerEntry.objects.filter(action="sso_client_secret_set",
                                      object_id=str(provider.pk)).count() == 2
    ledgered = LedgerEntry.objects.filter(object_type="sso.oidcprovider")
    assert not any("secret" in str(e.after).lower() + str(e.before).lower() for e in ledgered)


# --- a key that no longer opens it ---------------------------------------------------------------
def test_a_changed_instance_key_is_said_on_the_provider_page_and_asks_for_the_secret(
        provider, world):
    with override_settings(SECRET_KEY=OTHER_KEY):
        client = Client()
        client.force_login(world["users"]["administrator__org"])
        page = client.get(f"/sso/providers/{provider.pk}/")
        assert page.status_code == 200
        assert "The client secret can no longer be read" in page.content.decode()
        edit = client.post(f"/sso/providers/{provider.pk}/edit/",
                           form(client_secret="", version=provider.version))
        assert edit.status_code == 400
        assert "can no longer be read" in " ".join(edit.context["form"].errors["client_secret"])
        edit = client.post(f"/sso/providers/{provider.pk}/edit/",
                           form(client_secret="Re-entered-secret", version=provider.version))
        assert edit.status_code == 302, edit.context["form"].errors
        assert client_secret(provider) == "Re-entered-secret"
        assert "can no longer be read" not in client.get(
            f"/sso/providers/{provider.pk}/").content.decode()


def test_a_changed_instance_key_still_opens_the_secret_when_the_old_one_is_a_fallback(provider):
    old = settings.SECRET_KEY
    with override_settings(SECRET_KEY=OTHER_KEY), pytest.raises(SecretUnreadable):
        client_secret(provider)
    with override_settings(SECRET_KEY=OTHER_KEY, SECRET_KEY_FALLBACKS=[old]):
        assert client_secret(provider) == SECRET


def test_sign_in_with_an_unreadable_secret_is_refused_with_a_message_not_an_error(provider):
    with override_settings(SECRET_KEY=OTHER_KEY):
        client = Client()
        started = client.post("/sso/start/", {"email": "alice@acme.example"})
        assert started.status_code == 302 and started.url == "/login/"
        assert "is not working on this Chainward just now" in messages_of(client)
        # The way back from the provider (a flow started before the key changed) alike.
        session = client.session
        session[FLOW_KEY] = {"provider": provider.pk, "next": ""}
        session.save()
        back = client.get("/sso/callback/", {"code": "c", "state": "s"})
        assert back.status_code == 302 and back.url == "/login/"
        assert "is not working on this Chainward just now" in messages_of(client)
    refusal = LedgerEntry.objects.get(action="sso_refused")
    assert refusal.reason == "client secret unreadable"


# --- the data migration --------------------------------------------------------------------------
def test_the_migration_seals_plain_secrets_and_opens_them_again_backwards(provider):
    # A row as 0002 left it: the plain secret in the column.
    OidcClientSecret.objects.filter(provider=provider).delete()
    OidcClientSecret.objects.create(provider=provider, value=SECRET)
    assert raw_secret_column(provider) == SECRET
    migration.seal_secrets(apps, None)
    assert_sealed(provider, SECRET)
    assert client_secret(provider) == SECRET
    # Backwards, with another key: refused, nothing changed.
    sealed = raw_secret_column(provider)
    with override_settings(SECRET_KEY=OTHER_KEY), pytest.raises(RuntimeError, match="SECRET_KEY"):
        migration.open_secrets(apps, None)
    assert raw_secret_column(provider) == sealed
    migration.open_secrets(apps, None)
    assert raw_secret_column(provider) == SECRET
