"""Finding 9: a one-time password works once, then its holder must choose their own; people
change their password on a page and reset a forgotten one by e-mail."""

import io
import re

from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings

from chainward.access.management.commands.changepassword import Command as ChangePassword
from chainward.access.models import Role, RoleAssignment, User
from chainward.ledger.models import LedgerEntry
from tests.support.smtp_sink import smtp_sink
from tests.support.world import PASSWORD

NEW_PASSWORD = "a long unusual passphrase 42"


def login(client, email, password):
    return client.post("/login/", {"username": email, "password": password})


def test_first_login_with_a_one_time_password_forces_a_change(world, client):
    # `chainward init` now invites (issue 13); a password someone else chose (set with
    # must_change_password, e.g. by an operator in a shell) is still replaced first.
    user = User.objects.create_user("boss@first.example", "one-time 8Kd93jf",
                                    must_change_password=True)
    RoleAssignment.objects.create(organisation=world["org_a"], user=user,
                                  role=Role.objects.get(name="Viewer"))
    one_time = "one-time 8Kd93jf"
    response = login(client, "boss@first.example", one_time)
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    # Every other page sends them back until they have chosen a password.
    assert client.get("/").url == "/account/password/"
    assert client.get("/api/supplychain/sites/").status_code == 403
    change = client.post("/account/password/", {
        "old_password": one_time, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert change.status_code == 302
    user = User.objects.get(email="boss@first.example")
    assert user.check_password(NEW_PASSWORD) and not user.must_change_password
    assert client.get("/").status_code == 200
    # The one-time password is spent.
    assert login(Client(), "boss@first.example", one_time).status_code == 200


def test_a_person_changes_their_password_on_the_password_page(client, world):
    user = world["users"]["viewer__org"]
    client.force_login(user)
    page = client.get("/account/password/")
    assert page.status_code == 200 and "Change your password" in page.content.decode()
    assert client.post("/account/password/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Still signed in after the change (the session hash is updated).
    assert client.get("/").status_code == 200


def test_the_password_page_refuses_common_and_short_passwords(client, world):
    user = world["users"]["viewer__org"]
    client.force_login(user)
    for weak, why in (("password1234", "too common"), ("Qx7!zr", "too short")):
        response = client.post("/account/password/", {
            "old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
        assert response.status_code == 200 and why in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_mail_is_sent_through_smtp_and_its_link_works_once(client, world):
    user = world["users"]["viewer__org"]
    with smtp_sink() as sink, override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD=""):
        response = client.post("/account/password/reset/", {"email": user.email})
        assert response.status_code == 302
        # An unknown address gets the same answer and no mail.
        assert client.post("/account/password/reset/", {"email": "nobody@c.example"}).url == \
            response.url
    assert [recipients for _, recipients, _ in sink.messages] == [[user.email]]
    body = sink.messages[0][2].get_content()
    path = re.search(r"http://testserver(/account/password/reset/\S+/)", body).group(1)
    form_url = client.get(path).url  # Django swaps the token for a session marker
    assert client.post(form_url, {"new_password1": NEW_PASSWORD,
                                  "new_password2": NEW_PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    again = Client().get(path)
    assert "no longer valid" in again.content.decode()


def test_password_reset_clears_a_pending_forced_change(client, world):
    user = world["users"]["viewer__org"]
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client.post("/account/password/reset/", {"email": user.email})
    path = re.search(r"http://testserver(/account/password/reset/\S+/)",
                     mail.outbox[0].body).group(1)
    form_url = client.get(path).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert not user.must_change_password
    assert login(Client(), user.email, NEW_PASSWORD).url == "/"


def test_login_page_links_to_password_reset(client, db):
    assert 'href="/account/password/reset/"' in client.get("/login/").content.decode()


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=2)
def test_one_address_cannot_flood_a_mailbox_with_reset_links(client, world):
    email = world["users"]["viewer__org"].email
    answers = {client.post("/account/password/reset/", {"email": email}).url for _ in range(4)}
    assert answers == {"/account/password/reset/done/"}
    assert len(mail.outbox) == 2


def test_a_wrong_old_password_is_a_field_error_and_changes_nothing(client, world):
    user = world["users"]["viewer__org"]
    client.force_login(user)
    response = client.post("/account/password/", {
        "old_password": "not my password", "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["old_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not LedgerEntry.objects.filter(action="password_changed").exists()


def test_a_common_password_is_refused_on_the_new_password_field(client, world):
    user = world["users"]["viewer__org"]
    client.force_login(user)
    response = client.post("/account/password/", {
        "old_password": PASSWORD, "new_password1": "password1234",
        "new_password2": "password1234"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["new_password2"] and "too common" in errors["new_password2"][0]


def test_a_password_change_is_ledgered(client, world):
    user = world["users"]["viewer__org"]
    client.force_login(user)
    client.post("/account/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                       "new_password2": NEW_PASSWORD})
    assert list(LedgerEntry.objects.filter(action="password_changed").values_list(
        "actor_id", "object_id")) == [(user.pk, str(user.pk))]


def test_a_password_an_operator_sets_must_be_replaced_at_next_login(world, monkeypatch):
    user = world["users"]["viewer__org"]
    one_time = "operator chose 7Hq2mX9v"
    monkeypatch.setattr(ChangePassword, "_get_pass", lambda self, prompt="": one_time)
    call_command("changepassword", user.email, stdout=io.StringIO())
    user.refresh_from_db()
    assert user.check_password(one_time) and user.must_change_password
    entry = LedgerEntry.objects.get(action="one_time_password_set")
    assert (entry.object_id, entry.actor_id, entry.actor_name) == (str(user.pk), None,
                                                                  "operator")
    client = Client()
    assert login(client, user.email, one_time).url == "/account/password/"
    for page in ("/", "/account/tokens/", "/account/sessions/"):
        assert client.get(page).url == "/account/password/"
    client.post("/account/password/", {"old_password": one_time, "new_password1": NEW_PASSWORD,
                                       "new_password2": NEW_PASSWORD})
    assert client.get("/account/tokens/").status_code == 200


def test_an_operator_setting_their_own_password_is_not_forced_to_change_it(world, monkeypatch):
    user = world["users"]["viewer__org"]
    monkeypatch.setattr(ChangePassword, "_get_pass", lambda self, prompt="": NEW_PASSWORD)
    call_command("changepassword", user.email, "--own", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.must_change_password
