"""Single sign-on (issue 18 item 2) against a REAL OpenID Connect provider: django-oauth-toolkit
started in its own process on the loopback (tests/support/oidc_provider), RSA key made by the
test. The person's side of the provider (its login form, its redirects) is driven with
`requests`; Chainward's side with Django's test client, whose callback exchanges the code at
the provider's token endpoint and checks the ID token against the provider's JWKS."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone

from chainward.access.models import Role, RoleAssignment, User
from chainward.access.sso.models import OidcClientSecret, OidcProvider
from chainward.access.sso.services import SESSION_KEY, client_secret, set_client_secret
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from tests.support.mfa import give_authenticator
from tests.support.oidc import oidc_provider
from tests.support.sso import member, messages_of, provider_url, signed_in_user
from tests.support.sso import provider_form as sso_form
from tests.support.world import PASSWORD

CALLBACK = "http://testserver/sso/callback/"
PEOPLE = {
    "alice@acme.example": "alice-pw",
    "newbie@acme.example": "newbie-pw",
    "plain@acme.example": "plain-pw",
    "blocked@acme.example": "blocked-pw",
    "ended@acme.example": "ended-pw",
    "mallory@other.example": "mallory-pw",
}


@pytest.fixture(scope="module")
def idp():
    with oidc_provider([CALLBACK]) as provider:
        yield provider


@pytest.fixture
def configured(world, idp):
    """Organisation A signs in through the test provider: acme.example and a.example routed,
    accounts created on first sign-in as Viewer, “security-team” mapped to Contributor."""
    with actor_context(None, name="fixture"):
        provider = OidcProvider.objects.create(
            organisation=world["org_a"],
            name="Acme IdP",
            issuer=idp.issuer,
            client_id=idp.client_id,
            email_domains="acme.example, a.example",
            jit_enabled=True,
            default_role=Role.objects.get(name="Viewer"),
            role_mapping="security-team = Contributor",
        )
        set_client_secret(None, provider, idp.client_secret)
    return provider


def at_provider(start_url, login, *, tamper=None):
    """Sign in at the provider as `login` (its login form, as a person would) and return the
    address it sends the browser back to (the callback with code and state, or an error)."""
    browser = requests.Session()
    answer = browser.get(start_url, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    login_url = urljoin(start_url, answer.headers["Location"])
    page = browser.get(login_url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_url = parse_qs(urlsplit(login_url).query)["next"][0]
    answer = browser.post(
        login_url,
        data={
            "username": login,
            "password": PEOPLE[login],
            "csrfmiddlewaretoken": csrf,
            "next": next_url,
        },
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    answer = browser.get(urljoin(login_url, answer.headers["Location"]), allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    back = answer.headers["Location"]
    assert back.startswith(CALLBACK), back
    return back


def sso_sign_in(client, email, login=None, *, before_callback=None):
    """The whole round: e-mail on our login page → provider → our callback; returns the
    callback's response."""
    back = at_provider(provider_url(client.post("/sso/start/", {"email": email})), login or email)
    if before_callback is not None:
        back = before_callback(client, back) or back
    parts = urlsplit(back)
    return client.get(parts.path, parse_qs(parts.query))


# --- the happy paths -----------------------------------------------------------------------------
def test_a_member_signs_in_through_the_provider_into_their_organisation(configured, idp):
    alice = member("alice@acme.example", org=configured.organisation)
    client = Client()
    started = provider_url(client.post("/sso/start/", {"email": "Alice@acme.example"}))
    assert started.startswith(f"{idp.issuer}/authorize/")
    query = parse_qs(urlsplit(started).query)
    assert query["client_id"] == [idp.client_id] and query["code_challenge_method"] == ["S256"]
    assert "nonce" in query and "state" in query
    back = at_provider(started, "alice@acme.example")
    parts = urlsplit(back)
    response = client.get(parts.path, parse_qs(parts.query))
    assert response.status_code == 302 and response.url == "/"
    assert signed_in_user(client) == alice
    home = client.get("/")
    assert home.status_code == 200
    assert home.wsgi_request.organisation == configured.organisation
    assert client.session[SESSION_KEY] == {"provider": configured.pk, "mfa": False}
    entries = list(
        LedgerEntry.objects.filter(object_type="access.user", object_id=str(alice.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert entries[-2:] == ["sso_login", "login"]
    client.post("/logout/")
    assert LedgerEntry.objects.filter(action="sso_logout", object_id=str(alice.pk)).exists()
    assert not signed_in_user(client).is_authenticated


def test_a_new_person_gets_an_account_with_the_mapped_role_and_no_sites(configured):
    client = Client()
    response = sso_sign_in(client, "newbie@acme.example")
    assert response.status_code == 302 and response.url == "/"
    newbie = User.objects.get(email="newbie@acme.example")
    assert signed_in_user(client) == newbie
    assert not newbie.has_usable_password()
    (assignment,) = RoleAssignment.objects.filter(user=newbie)
    assert (assignment.organisation, assignment.role.name) == (
        configured.organisation,
        "Contributor",
    )
    assert assignment.all_sites is False and not assignment.sites.exists()
    created = LedgerEntry.objects.get(action="sso_account_created", object_id=str(newbie.pk))
    assert created.after["role"] == "Contributor" and created.after["groups"] == ["security-team"]
    assert client.get("/").wsgi_request.organisation == configured.organisation


def test_a_new_person_without_a_mapped_group_gets_the_default_role(configured):
    response = sso_sign_in(Client(), "plain@acme.example")
    assert response.status_code == 302 and response.url == "/"
    assert RoleAssignment.objects.get(user__email="plain@acme.example").role.name == "Viewer"


def test_without_account_creation_an_unknown_person_is_refused(configured):
    configured.jit_enabled = False
    with actor_context(None, name="fixture"):
        configured.save()
    client = Client()
    response = sso_sign_in(client, "newbie@acme.example")
    assert response.status_code == 302 and response.url == "/login/"
    assert "no Chainward account for newbie@acme.example" in messages_of(client)
    assert not User.objects.filter(email="newbie@acme.example").exists()


# --- refusals ------------------------------------------------------------------------------------
def test_the_provider_refusing_the_person_access_denied_is_a_refusal(configured):
    client = Client()
    response = sso_sign_in(client, "blocked@acme.example")
    assert response.status_code == 302 and response.url == "/login/"
    assert "access_denied" in messages_of(client)
    assert not signed_in_user(client).is_authenticated
    assert not User.objects.filter(email="blocked@acme.example").exists()
    refusal = LedgerEntry.objects.filter(action="sso_refused").latest("seq")
    assert "access_denied" in refusal.reason


def test_an_account_without_a_current_role_there_is_refused(configured):
    member(
        "ended@acme.example",
        org=configured.organisation,
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    client = Client()
    response = sso_sign_in(client, "ended@acme.example")
    assert response.url == "/login/"
    assert "no current role in ABC Logistics" in messages_of(client)
    assert not signed_in_user(client).is_authenticated


def test_a_member_of_another_organisation_only_is_refused(configured, world):
    member("alice@acme.example", org=world["org_b"])
    client = Client()
    response = sso_sign_in(client, "alice@acme.example")
    assert response.url == "/login/"
    assert not signed_in_user(client).is_authenticated


def test_the_provider_cannot_sign_in_an_address_of_another_domain(configured, world):
    member("mallory@other.example", org=world["org_a"])
    client = Client()
    # Started with an address of the provider's domain, signed in at the provider as someone
    # of another domain: the ID token names mallory@other.example.
    response = sso_sign_in(client, "alice@acme.example", login="mallory@other.example")
    assert response.url == "/login/"
    assert "not an address of ABC Logistics" in messages_of(client)
    assert not signed_in_user(client).is_authenticated


def test_a_wrong_state_is_refused(configured):
    member("alice@acme.example", org=configured.organisation)
    client = Client()

    def wrong_state(client, back):
        parts = urlsplit(back)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["state"] = "not-the-state-we-sent"
        return f"{CALLBACK}?{urlencode(query)}"

    response = sso_sign_in(client, "alice@acme.example", before_callback=wrong_state)
    assert response.url == "/login/"
    assert "could not be verified" in messages_of(client)
    refusal = LedgerEntry.objects.filter(action="sso_refused").latest("seq")
    assert refusal.reason == "not verified: MismatchingStateError"
    assert not signed_in_user(client).is_authenticated


def test_a_wrong_nonce_is_refused(configured):
    member("alice@acme.example", org=configured.organisation)
    client = Client()

    def other_nonce(client, back):
        # What we remembered differs from what the provider signed into the ID token.
        session = client.session
        (key,) = [k for k in session.keys() if k.startswith("_state_")]
        data = session[key]
        data["data"]["nonce"] = "a-nonce-we-never-sent"
        session[key] = data
        session.save()

    response = sso_sign_in(client, "alice@acme.example", before_callback=other_nonce)
    assert response.url == "/login/"
    assert "could not be verified" in messages_of(client)
    refusal = LedgerEntry.objects.filter(action="sso_refused").latest("seq")
    assert refusal.reason == "not verified: InvalidClaimError"  # the ID token's nonce
    assert not signed_in_user(client).is_authenticated


def test_a_callback_without_a_started_sign_in_is_refused(configured):
    client = Client()
    response = client.get("/sso/callback/", {"code": "x", "state": "y"})
    assert response.status_code == 302 and response.url == "/login/"
    assert not signed_in_user(client).is_authenticated


# --- routing and passwords -----------------------------------------------------------------------
def test_an_unrouted_domain_falls_back_to_the_password(configured, world):
    client = Client()
    response = client.post("/sso/start/", {"email": "admin@b.example"})
    assert response.status_code == 302 and response.url == "/login/"
    assert "log in with your e-mail and password" in messages_of(client)
    # Organisation B's administrator still logs in with a password (and then the code step).
    response = client.post("/login/", {"username": "admin@b.example", "password": PASSWORD})
    assert response.status_code == 302


def test_local_passwords_disabled_refuses_password_login_of_members(configured, world):
    viewer = world["users"]["viewer__org"]
    assert (
        Client().post("/login/", {"username": viewer.email, "password": PASSWORD}).status_code
        == 302
    )
    configured.passwords_disabled = True
    with actor_context(None, name="fixture"):
        configured.save()
    response = Client().post("/login/", {"username": viewer.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "signs in through Acme IdP only" in response.content.decode()
    # Organisation B's people are not affected.
    assert (
        Client().post("/login/", {"username": "admin@b.example", "password": PASSWORD}).status_code
        == 302
    )


# --- two-step sign-in after single sign-on -------------------------------------------------------
def test_someone_with_an_authenticator_still_gives_the_code_by_default(configured):
    alice = member("alice@acme.example", org=configured.organisation)
    give_authenticator(alice)
    client = Client()
    response = sso_sign_in(client, "alice@acme.example")
    assert response.status_code == 302 and response.url == "/account/two-step/code/"
    assert not signed_in_user(client).is_authenticated


def test_an_administrator_needs_no_own_code_when_the_provider_enforces_mfa(configured):
    configured.provider_enforces_mfa = True
    with actor_context(None, name="fixture"):
        configured.save()
    alice = member("alice@acme.example", role="Administrator", org=configured.organisation)
    client = Client()
    response = sso_sign_in(client, "alice@acme.example")
    assert response.url == "/"
    assert signed_in_user(client) == alice
    assert client.get("/supplychain/sites/").status_code == 200


def test_an_administrator_must_set_up_two_step_when_the_provider_does_not_enforce_it(configured):
    member("alice@acme.example", role="Administrator", org=configured.organisation)
    client = Client()
    assert sso_sign_in(client, "alice@acme.example").url == "/"
    response = client.get("/supplychain/sites/")
    assert response.status_code == 302 and response.url == "/account/two-step/"


# --- configuration by the organisation's administrator -------------------------------------------
def provider_form(idp, **changes):
    return sso_form(
        **{
            "name": "Acme IdP",
            "issuer": idp.issuer,
            "client_id": "chainward",
            "client_secret": "s3cret-from-the-idp",
            **changes,
        }
    )


def test_an_administrator_configures_the_provider_and_the_secret_is_never_shown(
    admin_client, world, idp
):
    response = admin_client.post("/sso/providers/add/", provider_form(idp))
    assert response.status_code == 302, response.context["form"].errors
    provider = OidcProvider.objects.get(organisation=world["org_a"])
    assert client_secret(provider) == "s3cret-from-the-idp"
    assert "s3cret" not in OidcClientSecret.objects.get(provider=provider).value  # sealed
    for page in (response.url, f"{response.url}edit/"):
        html = admin_client.get(page).content.decode()
        assert "s3cret-from-the-idp" not in html
    assert "/sso/callback/" in admin_client.get(response.url).content.decode()
    created = LedgerEntry.objects.filter(object_type="sso.oidcprovider", object_id=str(provider.pk))
    assert set(created.values_list("action", flat=True)) == {"create", "sso_client_secret_set"}
    assert not any("s3cret" in str(e.after) + str(e.before) for e in created)
    # An edit without a secret keeps the stored one.
    response = admin_client.post(
        f"/sso/providers/{provider.pk}/edit/",
        provider_form(idp, client_secret="", name="Acme Entra", version=provider.version),
    )
    assert response.status_code == 302, response.context["form"].errors
    provider.refresh_from_db()
    assert provider.name == "Acme Entra" and client_secret(provider) == "s3cret-from-the-idp"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email_domains": "acme..example"}, "email_domains", "Not a domain"),
        ({"email_domains": ""}, "email_domains", "This field is required"),
        ({"default_role": ""}, "default_role", "Choose the role of accounts created"),
        ({"role_mapping": "security-team Contributor"}, "role_mapping", "Line 1: write"),
        ({"role_mapping": "x = Chief of everything"}, "role_mapping", "no role"),
        ({"issuer": "http://idp.acme.example/realm"}, "issuer", "https://"),
        ({"client_secret": ""}, "client_secret", "Give the client secret"),
    ],
)
def test_bad_settings_are_field_errors(admin_client, world, idp, changes, field, message):
    response = admin_client.post("/sso/providers/add/", provider_form(idp, **changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors.get(field, [])), response.context[
        "form"
    ].errors
    assert not OidcProvider.objects.exists()


def test_a_domain_goes_to_one_provider_only(admin_client, configured, world, idp):
    client = Client()
    client.force_login(world["foreign"])  # organisation B's administrator
    response = client.post("/sso/providers/add/", provider_form(idp, email_domains="acme.example"))
    assert response.status_code == 400
    assert "already signs in through another provider" in " ".join(
        response.context["form"].errors["email_domains"]
    )


@pytest.mark.parametrize("persona", ["security_manager__org", "top_management__org", "viewer__org"])
def test_only_administrators_see_the_settings(configured, world, persona):
    client = Client()
    client.force_login(world["users"][persona])
    assert client.get(f"/sso/providers/{configured.pk}/").status_code in (403, 404)
    assert client.get("/sso/providers/add/").status_code == 403


def test_the_api_applies_the_same_rules_and_never_shows_a_secret(configured, world, idp):
    from chainward.access.models import ApiToken, TokenScope

    admin = world["users"]["administrator__org"]
    _, secret = ApiToken.issue(admin, "integration", scope=TokenScope.READ_WRITE)
    auth = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    listed = Client().get("/api/sso/providers/", **auth)
    assert listed.status_code == 200
    assert idp.client_secret not in listed.content.decode()
    response = Client().post(
        "/api/sso/providers/",
        {
            "name": "Second",
            "issuer": idp.issuer,
            "client_id": "x",
            "email_domains": "acme.example",
            "jit_enabled": False,
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 400
    assert "already signs in through another provider" in str(response.json())
    assert OidcProvider.objects.count() == 1
