"""Finding 8: administrators add people only by an invitation the person accepts.

The add form never says whether an address has an account, another organisation's account is
never attached without its holder's consent, and the e-mail really leaves through SMTP.
"""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from chainward.access.models import Invitation, Role, RoleAssignment, User
from tests.support.smtp_sink import smtp_sink
from tests.support.world import PASSWORD

NEW_PASSWORD = "a long unusual passphrase 42"


def invite(client, email, role="Contributor", **extra):
    data = {"email": email, "full_name": "Someone", "role": Role.objects.get(name=role).pk}
    data.update(extra or {"all_sites": "on"})
    return client.post("/account/people/add/", data, follow=True)


def link_in(body):
    match = re.search(r"http://testserver(/account/invitations/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_inviting_another_organisations_account_attaches_nothing_until_it_accepts(
        admin_client, world):
    foreign = world["foreign"]
    response = invite(admin_client, foreign.email)
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=foreign, organisation=world["org_a"]).exists()
    # B's administrator still works with one organisation through the API.
    client = Client()
    client.force_login(foreign)
    assert client.get("/api/supplychain/sites/").json()["count"] == 1
    assert client.post("/api/supplychain/goods/", {"name": "Cheese"},
                       content_type="application/json").status_code == 201


def test_add_form_answers_the_same_whether_or_not_the_address_has_an_account(
        admin_client, world):
    known = invite(admin_client, world["foreign"].email).content.decode()
    unknown = invite(admin_client, "nobody.yet@c.example").content.decode()

    def message(page, email):
        alert = re.search(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', page, re.S).group(1)
        return alert.replace(email, "ADDRESS").strip()

    assert message(known, world["foreign"].email) == message(unknown, "nobody.yet@c.example")
    assert "B admin" not in known  # the holder's name is not disclosed
    assert "one-time password" not in known + unknown
    assert Invitation.objects.filter(organisation=world["org_a"]).count() == 2


def test_invitation_is_delivered_through_smtp_and_a_new_person_sets_their_password(
        admin_client, world):
    with smtp_sink() as sink, override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD=""):
        invite(admin_client, "Piotr@A.example", role="Site security officer",
               sites=[world["s2"].pk])
    assert len(sink.messages) == 1
    _, recipients, message = sink.messages[0]
    assert recipients == ["piotr@a.example"]
    assert "ABC Logistics" in message["Subject"]
    url = link_in(message.get_content())
    person = Client()
    page = person.get(url)
    assert page.status_code == 200 and "Choose your password" in page.content.decode()
    weak = person.post(url, {"full_name": "Piotr", "new_password1": "password1234",
                             "new_password2": "password1234"})
    assert weak.status_code == 400 and not User.objects.filter(email="piotr@a.example").exists()
    done = person.post(url, {"full_name": "Piotr", "new_password1": NEW_PASSWORD,
                             "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    user = User.objects.get(email="piotr@a.example")
    assert user.check_password(NEW_PASSWORD) and not user.must_change_password
    assignment = user.role_assignments.get()
    assert (assignment.organisation, assignment.all_sites, list(assignment.sites.all())) == (
        world["org_a"], False, [world["s2"]])
    assert person.get(world["s2"].get_absolute_url()).status_code == 200
    assert person.get(world["s1"].get_absolute_url()).status_code == 404
    # The link works once.
    again = Client().get(url)
    assert again.status_code == 410


def test_an_existing_account_holder_accepts_while_signed_in(admin_client, world):
    foreign = world["foreign"]
    invite(admin_client, foreign.email, role="Viewer")
    url = link_in(mail.outbox[-1].body)
    holder = Client()
    page = holder.get(url)
    # Not signed in: the page asks for the account's password, never for a new one.
    assert "Choose your password" not in page.content.decode()
    assert holder.post(url, {"password": "wrong"}).status_code == 400
    assert not foreign.role_assignments.filter(organisation=world["org_a"]).exists()
    holder.force_login(foreign)
    assert holder.post(url, {"accept": "1"}).status_code == 302
    assignment = foreign.role_assignments.get(organisation=world["org_a"])
    assert assignment.role.name == "Viewer" and assignment.all_sites
    # The holder's own name and password are untouched.
    foreign.refresh_from_db()
    assert foreign.full_name == "B admin" and foreign.check_password(PASSWORD)


def test_an_invitation_cannot_be_accepted_by_another_signed_in_account(admin_client, world):
    invite(admin_client, world["foreign"].email)
    url = link_in(mail.outbox[-1].body)
    other = Client()
    other.force_login(world["users"]["viewer__org"])
    response = other.post(url, {"accept": "1"})
    assert response.status_code == 403
    assert not world["foreign"].role_assignments.filter(organisation=world["org_a"]).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_invitation_is_refused(admin_client, world):
    invite(admin_client, "late@c.example")
    url = link_in(mail.outbox[-1].body)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = Client().post(url, {"full_name": "Late", "new_password1": NEW_PASSWORD,
                                   "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email="late@c.example").exists()


def test_invitation_links_are_unguessable_and_stored_only_as_a_digest(admin_client, world):
    invite(admin_client, "someone@c.example")
    secret = link_in(mail.outbox[-1].body).rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert len(secret) >= 40 and secret not in (invitation.digest, str(invitation.pk))
    assert Client().get("/account/invitations/" + secret[:-1] + "x/").status_code == 410


@pytest.mark.parametrize("key", ["security_manager__org", "administrator__site", "viewer__org"])
def test_people_who_may_not_add_role_assignments_cannot_invite(client, world, key):
    client.force_login(world["users"][key])
    response = invite(client, "someone@c.example")
    assert response.status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox


def test_role_assignments_cannot_be_created_through_the_api(admin_client, world):
    response = admin_client.post("/api/access/people/", {
        "role": Role.objects.get(name="Viewer").pk, "all_sites": True},
        content_type="application/json")
    assert response.status_code == 403
