"""Members of an organisation whose provider disables local passwords are offered none: the
reset request mails them where to sign in instead of a link (the page says the same as for any
address), and the password page (and an old reset link) tells them so instead of a form."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client, override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from chainward.access.sso.models import OidcProvider
from chainward.access.sso.services import set_client_secret
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from tests.support.smtp_sink import smtp_sink
from tests.support.sso import member
from tests.support.world import PASSWORD

NEW_PASSWORD = "a long unusual passphrase 42"
RESET = "/account/password/reset/"
SSO_NOTE = "signs in to Chainward through its identity provider, Acme IdP"


def sso_only(world, *, passwords_disabled=True):
    """Organisation A signs in through “Acme IdP”, with or without local passwords."""
    with actor_context(None, name="fixture"):
        provider = OidcProvider.objects.create(
            organisation=world["org_a"], name="Acme IdP", issuer="https://idp.acme.example",
            client_id="chainward", email_domains="acme.example",
            passwords_disabled=passwords_disabled)
    set_client_secret(None, provider, "secret")
    return provider


@pytest.fixture
def passwords_disabled(world):
    return sso_only(world)


def reset_request(email):
    response = Client().post(RESET, {"email": email})
    assert response.status_code == 302
    return response.url


# --- the reset request ---------------------------------------------------------------------------
def test_a_member_asking_for_a_reset_gets_the_sign_in_note_not_a_link(world, passwords_disabled):
    viewer = world["users"]["viewer__org"]
    answers = {reset_request(email) for email in (viewer.email, "admin@b.example",
                                                   "nobody@c.example")}
    assert answers == {"/account/password/reset/done/"}  # the page reveals nothing
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {viewer.email, "admin@b.example"}
    note = by_recipient[viewer.email]
    assert note.subject == "Sign in to Chainward through your organisation"
    assert SSO_NOTE in note.body and "http://testserver/login/" in note.body
    assert "/account/password/reset/" not in note.body
    # Organisation B has no such provider: its administrator gets the usual link.
    assert re.search(r"http://testserver/account/password/reset/\S+/",
                     by_recipient["admin@b.example"].body)


def test_the_note_goes_through_smtp_like_the_reset_link(world, passwords_disabled):
    viewer = world["users"]["viewer__org"]
    with smtp_sink() as sink, override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD=""):
        reset_request(viewer.email)
    assert [recipients for _, recipients, _ in sink.messages] == [[viewer.email]]
    body = sink.messages[0][2].get_content()
    assert SSO_NOTE in body and "/account/password/reset/" not in body


def test_an_account_made_by_single_sign_on_without_a_password_gets_the_note(
        world, passwords_disabled):
    newcomer = member("newcomer@acme.example", org=world["org_a"])  # no usable password
    assert not newcomer.has_usable_password()
    reset_request(newcomer.email)
    assert [m.to for m in mail.outbox] == [[newcomer.email]]
    assert SSO_NOTE in mail.outbox[0].body


def test_without_a_provider_disabling_passwords_the_reset_link_is_sent_as_before(world):
    sso_only(world, passwords_disabled=False)
    viewer = world["users"]["viewer__org"]
    reset_request(viewer.email)
    assert [m.to for m in mail.outbox] == [[viewer.email]]
    assert re.search(r"http://testserver/account/password/reset/\S+/", mail.outbox[0].body)
    # And an account without a password outside such an organisation still gets nothing.
    reset_request(member("nopassword@acme.example", org=world["org_a"]).email)
    assert len(mail.outbox) == 1


# --- the password page and an old reset link -----------------------------------------------------
def test_the_password_page_tells_a_member_to_use_the_provider_and_changes_nothing(
        world, passwords_disabled):
    viewer = world["users"]["viewer__org"]
    client = Client()
    client.force_login(viewer)
    page = client.get("/account/password/")
    html = page.content.decode()
    assert page.status_code == 200 and SSO_NOTE in html
    assert 'name="old_password"' not in html and 'name="new_password1"' not in html
    posted = client.post("/account/password/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert posted.status_code == 403
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)
    assert not LedgerEntry.objects.filter(action="password_changed").exists()
    # Organisation B's administrator still has the form.
    other = Client()
    other.force_login(world["foreign"])
    html = other.get("/account/password/").content.decode()
    assert 'name="new_password1"' in html and SSO_NOTE not in html


def test_a_reset_link_sent_before_passwords_were_disabled_sets_none(world):
    viewer = world["users"]["viewer__org"]
    uid = urlsafe_base64_encode(force_bytes(viewer.pk))
    path = f"{RESET}{uid}/{default_token_generator.make_token(viewer)}/"
    sso_only(world)
    client = Client()
    form_url = client.get(path).url  # Django swaps the token for a session marker
    page = client.get(form_url)
    assert page.status_code == 200 and SSO_NOTE in page.content.decode()
    posted = client.post(form_url, {"new_password1": NEW_PASSWORD,
                                    "new_password2": NEW_PASSWORD})
    assert posted.status_code == 403
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)
    assert not LedgerEntry.objects.filter(action="password_reset").exists()
