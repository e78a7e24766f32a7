"""Issue 13 item 1: organisations are created from the UI, the API and `chainward init` through
one service — with the default risk matrix, the catalogues and the first administrator invited
(they accept; nothing tells whether the address has an account) — by a superuser or an
installation administrator only; bad input gives field errors."""

import io
import re
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from chainward.access.models import Invitation, RoleAssignment, User
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.library import loader
from chainward.library.models import Library
from chainward.risk.models import RiskMatrix
from chainward.supplychain.models import Organisation
from tests.support.mfa import verify_session
from tests.support.world import PASSWORD

ADD = "/supplychain/organisations/add/"
API = "/api/supplychain/organisations/"
NEW_PASSWORD = "a long unusual passphrase 42"


@pytest.fixture
def matrix_catalogue(db):
    """The risk-matrix catalogue only (a library is loaded: the service loads no other)."""
    with actor_context(None, name="tests"):
        loader.load(loader.CATALOG_DIR / "risk-matrix-default.yaml")


@pytest.fixture
def installer(world):
    """An installation administrator who holds no role in any organisation."""
    return User.objects.create_user("installer@c.example", PASSWORD, installation_admin=True)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def form(**extra):
    data = {"name": "Delta Freight", "legal_name": "Delta Freight GmbH", "country": "AT",
            "registration_number": "", "description": "",
            "administrator_email": "Boss@Delta.example", "administrator_name": "Dana Boss"}
    data.update(extra)
    return data


def link_in(body):
    return re.search(r"https?://[^/\s]+(/account/invitations/[^/\s]+/)", body).group(1)


def accept_as_new_person(path):
    client = Client()
    response = client.post(path, {"full_name": "Dana Boss", "new_password1": NEW_PASSWORD,
                                  "new_password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def assert_ready(organisation, admin_email):
    """The organisation has its default matrix and, once accepted, its administrator."""
    matrix = RiskMatrix.objects.get(organisation=organisation)
    assert matrix.name == "Default 5x5 security risk matrix"
    assert len(matrix.grid) == 5 and len(matrix.consequence_categories) == 6
    assignment = RoleAssignment.objects.get(organisation=organisation)
    assert assignment.user.email == admin_email and assignment.role.name == "Administrator"
    assert assignment.all_sites and assignment.valid_until is None


def test_an_installation_administrator_creates_an_organisation_whose_admin_accepts(
        installer, matrix_catalogue):
    client = client_for(installer)
    # Every page's user menu leads there (they hold no role: no register menu).
    assert f'href="{ADD}">Add an organisation<' in client.get("/jobs/").content.decode()
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, form(), follow=True)
    assert response.status_code == 200
    assert "Invitation sent to boss@delta.example" in response.content.decode()
    organisation = Organisation.objects.get(name="Delta Freight")
    assert organisation.created_by == installer and organisation.country == "AT"
    # Nobody holds a role yet; the installer sees none of its records.
    assert not RoleAssignment.objects.filter(organisation=organisation).exists()
    assert client.get(organisation.get_absolute_url()).status_code in (403, 404)
    invitation = Invitation.objects.get(organisation=organisation)
    assert invitation.founding and invitation.invited_by == installer
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["boss@delta.example"]
    admin = accept_as_new_person(link_in(mail.outbox[0].body))
    assert_ready(organisation, "boss@delta.example")
    # An administrator sets up two-step sign-in before anything else (issue 18) ...
    refused = admin.get("/api/risk/matrices/")
    assert refused.status_code == 403
    assert "Two-step sign-in is required" in refused.json()["detail"]
    assert admin.get("/").url == "/account/two-step/"
    verify_session(admin, User.objects.get(email="boss@delta.example"))
    # ... then works in their organisation: the matrix is there.
    matrices = admin.get("/api/risk/matrices/").json()
    assert [m["name"] for m in matrices["results"]] == ["Default 5x5 security risk matrix"]
    assert LedgerEntry.objects.filter(action="organisation_created",
                                      object_id=str(organisation.pk)).exists()


def test_a_superuser_creates_one_and_lands_on_it(world, matrix_catalogue):
    root = User.objects.create_superuser("root@c.example", PASSWORD)
    client = client_for(root)
    # The register's list offers the page.
    assert ADD in client.get("/supplychain/organisations/").content.decode()
    response = client.post(ADD, form(name="Echo Ports"))
    organisation = Organisation.objects.get(name="Echo Ports")
    assert response.status_code == 302 and response.url == organisation.get_absolute_url()
    assert client.get(response.url).status_code == 200
    assert RiskMatrix.objects.filter(organisation=organisation).count() == 1


def test_an_existing_account_joins_only_by_accepting_and_is_not_disclosed(
        installer, matrix_catalogue):
    foreign = User.objects.get(email="admin@b.example")
    client = client_for(installer)
    known = client.post(ADD, form(name="Known", administrator_email=foreign.email),
                        follow=True).content.decode()
    unknown = client.post(ADD, form(name="Unknown", administrator_email="new@c.example"),
                          follow=True).content.decode()

    def alert(page, email, name):
        text = re.search(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', page, re.S).group(1)
        return text.replace(email, "ADDRESS").replace(name, "ORG").strip()

    assert alert(known, foreign.email, "Known") == alert(unknown, "new@c.example", "Unknown")
    assert "B admin" not in known
    known_org = Organisation.objects.get(name="Known")
    assert not RoleAssignment.objects.filter(organisation=known_org).exists()
    # The account holder accepts signed in, with their password.
    path = link_in(mail.outbox[0].body)
    holder = Client()
    response = holder.post(path, {"password": PASSWORD})
    assert response.status_code == 302
    assert RoleAssignment.objects.get(organisation=known_org).user == foreign


@pytest.mark.parametrize("who", ["administrator__org", "security_manager__org"])
def test_organisation_people_cannot_create_organisations(world, who, matrix_catalogue):
    client = client_for(world["users"][who])
    before = Organisation.objects.count()
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form()).status_code == 403
    page = client.get("/supplychain/organisations/").content.decode()
    assert "organisations/add/" not in page and "Add an organisation" not in page
    api = client.post(API, {"name": "Sneaky", "administrator_email": "x@c.example"},
                      content_type="application/json")
    assert api.status_code == 403
    assert Organisation.objects.count() == before and not Invitation.objects.exists()


def test_bad_input_gives_field_errors_and_writes_nothing(installer, matrix_catalogue):
    client = client_for(installer)
    before = Organisation.objects.count()
    for data, field, text in (
            (form(name="ABC Logistics"), "name", "already exists"),
            (form(name=""), "name", "This field is required"),
            (form(administrator_email="not an address"), "administrator_email",
             "valid email"),
            (form(country="XX"), "country", "not one of the available choices")):
        response = client.post(ADD, data)
        assert response.status_code == 400, field
        assert text in str(response.context["form"].errors[field]), field
    assert Organisation.objects.count() == before and not Invitation.objects.exists()
    assert not RiskMatrix.objects.exists()


def test_the_api_creates_through_the_same_service_with_field_errors(installer,
                                                                   matrix_catalogue):
    client = client_for(installer)
    bad = client.post(API, {"name": "Golf Rail"}, content_type="application/json")
    assert bad.status_code == 400
    assert "administrator_email" in bad.json()["errors"]
    dup = client.post(API, {"name": "ABC Logistics", "administrator_email": "a@c.example"},
                      content_type="application/json")
    assert dup.status_code == 400 and "name" in dup.json()["errors"]
    created = client.post(API, {"name": "Foxtrot Air", "country": "BE",
                                "administrator_email": "ops@foxtrot.example"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Foxtrot Air" and "administrator_email" not in body
    organisation = Organisation.objects.get(pk=body["id"])
    assert RiskMatrix.objects.filter(organisation=organisation).count() == 1
    accept_as_new_person(link_in(mail.outbox[-1].body))
    assert_ready(organisation, "ops@foxtrot.example")


def test_chainward_init_uses_the_service_and_prints_the_invitation_link(db):
    # A fresh installation: no catalogue loaded, nobody signed in.
    assert not Library.objects.exists()
    out = io.StringIO()
    with mock.patch("chainward.access.management.commands.init.call_command"):
        call_command("init", organisation="First Freight", email="boss@first.example",
                     country="DE", site_url="https://sms.first.example", stdout=out)
    text = out.getvalue()
    assert "one-time password" not in text
    link = re.search(r"https://sms\.first\.example(/account/invitations/\S+/)", text).group(1)
    organisation = Organisation.objects.get(name="First Freight")
    # The shipped catalogues are loaded (frameworks for gap assessments, threats, the matrix).
    assert Library.objects.filter(organisation__isnull=True).count() == \
        len(loader.shipped_files())
    accept_as_new_person(link)
    assert_ready(organisation, "boss@first.example")
    entry = LedgerEntry.objects.get(action="organisation_created")
    assert entry.actor_name == "chainward init"
    # A second run with the same name is one clear line, not a traceback.
    with mock.patch("chainward.access.management.commands.init.call_command"), \
            pytest.raises(CommandError, match="name: .*already exists"):
        call_command("init", organisation="First Freight", email="x@first.example",
                     stdout=io.StringIO())


def test_a_founding_invitation_dies_with_the_creators_capability(installer, matrix_catalogue):
    client = client_for(installer)
    client.post(ADD, form())
    installer.installation_admin = False
    installer.save()
    path = link_in(mail.outbox[0].body)
    response = Client().post(path, {"full_name": "Dana", "new_password1": NEW_PASSWORD,
                                    "new_password2": NEW_PASSWORD})
    assert response.status_code in (302, 403)
    assert not RoleAssignment.objects.filter(
        organisation__name="Delta Freight").exists()


def test_the_capability_is_granted_by_command_and_lets_its_holder_sign_in(world,
                                                                         matrix_catalogue):
    user = User.objects.create_user("ops@c.example", PASSWORD)
    client = Client()
    # Without a role or the capability, nobody signs in.
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}
                       ).status_code == 200
    call_command("installation_admin", user.email, stdout=io.StringIO())
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}
                       ).status_code == 302
    assert client.get(ADD).status_code == 200
    call_command("installation_admin", user.email, "--revoke", stdout=io.StringIO())
    assert client.get(ADD).status_code == 403
    assert LedgerEntry.objects.filter(action__startswith="installation_admin_").count() == 2
    with pytest.raises(CommandError, match="No account"):
        call_command("installation_admin", "nobody@c.example", stdout=io.StringIO())
