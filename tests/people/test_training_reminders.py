"""Training reminders (ISO 28000 7.2): required training expired, missing, or ending within 30
days is in My work — and so in the daily e-mail digest — of whoever keeps the person's records
within their scope (the security manager; a site-limited one only for their sites) and of the
person themselves when their staff record is linked to their account, whatever their role."""

import pytest

from chainward.ledger.context import actor_context
from chainward.notifications.digest import send_daily_digests
from tests.support.smtp import smtp_server  # noqa: F401 - the real SMTP server fixture

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(world):
    """Seal procedure (12 months) required at S1 and S2. At S1: Jana's ends in 20 days, Ola's
    in 45 (not yet a reminder), Piotr has none. At S2: Eva's expired. The Viewer's own staff
    record (at S2) has a training that ends in 10 days."""
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        seals = f.requirement(org, "Seal procedure", validity_months=12)
        s1_role = f.role(org, "Gate S1", site=world["s1"], positions=5)
        s2_role = f.role(org, "Gate S2", site=world["s2"], positions=5)
        for role in (s1_role, s2_role):
            role.required_competences.add(seals)
        people = {}
        for name, role, site, expires in (
                ("Jana Nowak", s1_role, world["s1"], 20), ("Ola Berg", s1_role, world["s1"], 45),
                ("Piotr Zielinski", s1_role, world["s1"], None),
                ("Eva de Vries", s2_role, world["s2"], -3),
                ("Vera Viewer", s2_role, world["s2"], 10)):
            extra = {"user": world["users"]["viewer__org"]} if name == "Vera Viewer" else {}
            person = people[name] = f.person(org, name, site=site, **extra)
            f.appoint(role, person)
            if expires is not None:
                f.training(person, seals, completed_on=f.days(-300),
                           expires_on=f.days(expires))
    return people


def _my_work(client, user):
    client.force_login(user)
    response = client.get("/audits/my-work/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_security_manager_is_reminded_of_expired_missing_and_ending_within_30_days(
        client, world, due):
    page = _my_work(client, world["users"]["security_manager__org"])
    for name in ("Jana Nowak", "Piotr Zielinski", "Eva de Vries", "Vera Viewer"):
        assert f"{name} — Seal procedure" in page
    assert "Ola Berg" not in page  # 45 days away: on the matrix as expiring, no reminder yet
    matrix = client.get("/people/matrix/").content.decode()
    assert "Ola Berg" in matrix and 'data-state="expiring"' in matrix


def test_a_site_limited_security_manager_is_reminded_of_their_sites_only(client, world, due):
    page = _my_work(client, world["users"]["security_manager__site"])
    assert "Jana Nowak — Seal procedure" in page and "Piotr Zielinski — Seal procedure" in page
    assert "Eva de Vries" not in page and "Vera Viewer" not in page


def test_a_person_linked_to_an_account_is_reminded_of_their_own_training(client, world, due):
    # A Viewer keeps nobody's training and may not see training records: only their own row.
    page = _my_work(client, world["users"]["viewer__org"])
    assert "Vera Viewer — Seal procedure" in page
    assert "Jana Nowak" not in page and "Eva de Vries" not in page


def test_the_digest_reminds_each_person_within_their_scope(world, due, smtp_server):  # noqa: F811
    users = world["users"]
    send_daily_digests()
    mail = {}
    for message in smtp_server.messages:
        for address in message.rcpt_tos:
            mail[address] = message.text()
    site_manager = mail[users["security_manager__site"].email]
    assert "Jana Nowak — Seal procedure" in site_manager
    assert "Piotr Zielinski — Seal procedure" in site_manager
    assert "Eva de Vries" not in site_manager and "Vera Viewer" not in site_manager
    manager = mail[users["security_manager__org"].email]
    assert "Eva de Vries — Seal procedure" in manager and "Ola Berg" not in manager
    viewer = mail[users["viewer__org"].email]
    assert "Vera Viewer — Seal procedure" in viewer and "Jana Nowak" not in viewer
    # Someone with no record of their own and nobody's training to keep gets none of it.
    assert "Seal procedure" not in mail.get(users["viewer__site"].email, "")
