"""A corrective action assigned to me: an in-app notification and one e-mail through the real
SMTP server — from every path that saves one (service, UI form, the finding rule) — never to
someone who cannot see the action, never twice for the same owner, and not by e-mail when the
owner switched it off."""

import pytest
from django.urls import reverse

from chainward.audits.models import CorrectiveAction
from chainward.core.services import save_record
from chainward.notifications import services
from chainward.notifications.models import Notification
from tests.audits import factories as af

pytestmark = pytest.mark.django_db


def _new_capa(world, owner, site, title="Fix the fence"):
    return CorrectiveAction(organisation=world["org_a"], source="other", title=title,
                            description="Gap in the fence at gate 2", owner=owner, site=site,
                            due_date=af.days(30))


def test_the_owner_gets_one_email_when_a_corrective_action_is_assigned(
        world, smtp_server, run_on_commit):
    manager, officer = world["users"]["security_manager__org"], \
        world["users"]["site_security_officer__site"]
    with run_on_commit():
        capa = save_record(manager, _new_capa(world, officer, world["s1"]))
    (received,) = smtp_server.messages
    assert received.rcpt_tos == [officer.email]
    assert capa.reference in received.subject
    assert "Fix the fence" in received.text()
    assert f"/audits/corrective-actions/{capa.pk}/" in received.text()
    assert "List-Unsubscribe" in received.message
    assert Notification.objects.get(recipient=officer).emailed_at is not None

    # Saving it again (same owner) tells nobody again.
    capa.title = "Fix the fence properly"
    with run_on_commit():
        save_record(manager, capa)
    assert len(smtp_server.messages) == 1


def test_a_new_owner_is_told_and_the_assigner_is_not(world, smtp_server, run_on_commit):
    manager = world["users"]["security_manager__org"]
    first, second = world["users"]["contributor__org"], world["users"]["site_security_officer__org"]
    with run_on_commit():
        capa = save_record(manager, _new_capa(world, manager, world["s2"]))
    assert smtp_server.messages == []  # assigned to themselves
    capa.owner = first
    with run_on_commit():
        save_record(manager, capa)
    capa.owner = second
    with run_on_commit():
        save_record(manager, capa)
    assert [m.rcpt_tos for m in smtp_server.messages] == [[first.email], [second.email]]


def test_no_notification_for_an_owner_who_cannot_see_the_action(world, smtp_server,
                                                                 run_on_commit):
    manager, officer = world["users"]["security_manager__org"], \
        world["users"]["site_security_officer__site"]
    with run_on_commit():
        save_record(manager, _new_capa(world, officer, world["s2"]))  # S2: outside their sites
    assert smtp_server.messages == []
    assert not Notification.objects.filter(recipient=officer).exists()


def test_an_owner_who_opted_out_is_told_in_the_app_only(world, smtp_server, run_on_commit):
    manager, owner = world["users"]["security_manager__org"], world["users"]["contributor__org"]
    services.set_preferences(owner, daily_digest=True, immediate_assignments=False)
    with run_on_commit():
        save_record(manager, _new_capa(world, owner, world["s1"]))
    assert smtp_server.messages == []
    assert Notification.objects.get(recipient=owner).emailed_at is None


def test_the_ui_form_assigns_through_the_same_path(world, client, smtp_server, run_on_commit):
    manager, owner = world["users"]["security_manager__org"], world["users"]["contributor__org"]
    client.force_login(manager)
    with run_on_commit():
        response = client.post(reverse("audits:correctiveaction_add"), {
            "source": "other", "title": "Replace the seal log", "description": "d",
            "site": world["s1"].pk, "owner": owner.pk, "due_date": af.days(20).isoformat()})
    assert response.status_code == 302, response.content[:2000]
    (received,) = smtp_server.messages
    assert received.rcpt_tos == [owner.email] and "Replace the seal log" in received.text()


def test_a_nonconformity_opens_an_action_and_tells_its_owner(world, smtp_server, run_on_commit):
    manager, lead = world["users"]["security_manager__org"], \
        world["users"]["internal_auditor__org"]
    audit = af.audit(world["org_a"], sites=[world["s1"]], lead_auditor=lead)
    with run_on_commit():
        save_record(manager, _finding(audit, manager))
    assert [m.rcpt_tos for m in smtp_server.messages] == [[lead.email]]
    assert "Correct " in smtp_server.messages[0].text()


def _finding(audit, manager):
    from chainward.audits.models import Finding

    return Finding(organisation=audit.organisation, audit=audit, grade="minor",
                   statement="Seal numbers not recorded", site=audit.sites.first())


def test_my_notifications_page_lists_only_mine(world, client, run_on_commit):
    manager, owner = world["users"]["security_manager__org"], world["users"]["contributor__org"]
    with run_on_commit():
        save_record(manager, _new_capa(world, owner, world["s1"], title="Mine"))
        save_record(manager, _new_capa(world, manager, world["s1"], title="Not told"))
    services.notify(manager, kind="due", title="Someone else's", key="other")
    client.force_login(owner)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "is assigned to you" in page and "Someone else" not in page
    assert client.get(reverse("notifications:badge")).content.decode().strip().startswith(
        '<span class="badge')
    client.post(reverse("notifications:mark_read"))
    assert client.get(reverse("notifications:badge")).content.decode().strip() == ""
