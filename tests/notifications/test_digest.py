"""The daily digest through the real SMTP server: one e-mail per person per day, listing what
falls due for them in their scope (the apps' My work sections) and nothing outside it; a
second run the same day sends nothing; the unsubscribe link in it works without logging in."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chainward.certification.models import ManagementReview
from chainward.context.services import PROMPT_DAYS
from chainward.core.services import update_records
from chainward.ledger.context import actor_context
from chainward.notifications import services
from chainward.notifications.digest import send_daily_digests
from chainward.notifications.models import DigestRun
from chainward.notifications.tasks import run_daily_digest, schedule_next_digest
from chainward.supplychain.models import Leg, Partner, PartnerReview, Site
from tests.audits import factories as af
from tests.incidents import factories as inf

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(world):
    """Overdue work at S1 and at S2 of organisation A, and in organisation B."""
    u = world["users"]
    with actor_context(None, name="fixture"):
        at_s1 = inf.incident(world["org_a"], title="Pallet missing at S1", site=world["s1"])
        at_s2 = inf.incident(world["org_a"], title="Seal broken at S2", site=world["s2"])
        in_b = inf.incident(world["org_b"], title="Foreign theft", site=world["s3"])
        late = timezone.now() - datetime.timedelta(hours=5)
        for incident in (at_s1, at_s2, in_b):
            inf.notification(incident, recipient="police", due_at=late)
        # Corrective actions of the site-limited officer: one at their site, one (assigned by
        # mistake) at S2 — outside their scope, so not theirs to be told about.
        af.capa(world["org_a"], u["site_security_officer__site"], title="Fix gate lock S1",
                site=world["s1"], due_date=af.days(-3))
        af.capa(world["org_a"], u["site_security_officer__site"], title="Fix fence S2",
                site=world["s2"], due_date=af.days(-3))
    return {"s1": at_s1, "s2": at_s2, "b": in_b}


def _by_recipient(server):
    found = {}
    for message in server.messages:
        for address in message.rcpt_tos:
            found.setdefault(address, []).append(message)
    return found


def test_one_digest_per_person_listing_only_what_is_in_their_scope(world, due, smtp_server):
    u = world["users"]
    sent = send_daily_digests()
    mail = _by_recipient(smtp_server)
    assert sent == len(smtp_server.messages) == len(mail)  # one message per person
    assert all(len(messages) == 1 for messages in mail.values())

    site_officer = mail[u["site_security_officer__site"].email][0].text()
    assert "Pallet missing at S1" in site_officer and "Fix gate lock S1" in site_officer
    assert "Seal broken at S2" not in site_officer and "Fix fence S2" not in site_officer
    assert "Foreign theft" not in site_officer

    org_officer = mail[u["site_security_officer__org"].email][0].text()
    assert "Pallet missing at S1" in org_officer and "Seal broken at S2" in org_officer
    assert "Foreign theft" not in org_officer and "Fix gate lock" not in org_officer

    # B's administrator is told about B only.
    foreign = mail[world["foreign"].email][0].text()
    assert "Foreign theft" in foreign and "Pallet missing" not in foreign
    # Viewers have nothing to do: no e-mail at all.
    assert u["viewer__org"].email not in mail


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(
        world, due, smtp_server):
    first = send_daily_digests()
    assert first > 0
    assert send_daily_digests() == 0
    run_daily_digest.enqueue()  # the worker's task (immediate backend in the tests)
    assert len(smtp_server.messages) == first
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert send_daily_digests(today=tomorrow) == first
    assert DigestRun.objects.filter(sent_at__isnull=False).count() == 2 * first


def test_nothing_due_means_no_email(world, smtp_server):
    # The world's sites, legs and partners were added long ago: no "record the planned
    # change" prompt (ISO 28000 6.3) is owed for them.
    # Their partners were reviewed yesterday (ISO 28001 4.5) and each organisation held its
    # management review (ISO 28000 9.3) today.
    long_ago = timezone.now() - datetime.timedelta(days=PROMPT_DAYS + 1)
    with actor_context(None, name="fixture"):
        for model in (Site, Leg, Partner):
            update_records(None, model.objects.all(), reason="added long ago",
                           created_at=long_ago)
        for partner in Partner.objects.all():
            PartnerReview.objects.create(
                organisation=partner.organisation, partner=partner, method="questionnaire",
                reviewed_on=timezone.localdate() - datetime.timedelta(days=1),
                outcome="satisfactory")
        for org in (world["org_a"], world["org_b"]):
            ManagementReview.objects.create(organisation=org, title="Review", status="held",
                                            date=timezone.localdate(),
                                            chair=world["foreign"] if org == world["org_b"]
                                            else world["users"]["security_manager__org"])
    assert send_daily_digests() == 0
    assert smtp_server.messages == []


def test_a_new_site_without_a_planned_change_is_in_the_digest(world, smtp_server):
    """The same world with its records just added: the administrator is asked to record the
    change, until a planned change names them."""
    assert send_daily_digests() > 0
    text = _by_recipient(smtp_server)[world["users"]["administrator__org"].email][0].text()
    assert "Record the change" in text and "Hamburg warehouse" in text


def test_the_unsubscribe_link_in_the_digest_works_without_logging_in(world, due, smtp_server,
                                                                      client):
    officer = world["users"]["site_security_officer__site"]
    send_daily_digests()
    (message,) = smtp_server.to(officer.email)
    link = re.search(r"Stop the daily digest: (\S+)", message.text()).group(1)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)  # anonymous; a GET (a link scanner) changes nothing
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert services.preferences(officer).daily_digest
    client.post("/" + path)
    officer.refresh_from_db()
    assert not services.preferences(officer).daily_digest
    assert services.preferences(officer).immediate_assignments  # only the digest stopped
    smtp_server.clear()
    send_daily_digests(today=timezone.localdate() + datetime.timedelta(days=1))
    assert smtp_server.to(officer.email) == []
    assert smtp_server.messages  # the others still get theirs


def test_a_forged_or_altered_unsubscribe_token_is_refused(world, client):
    officer = world["users"]["site_security_officer__site"]
    token = services.unsubscribe_token(officer, "digest")
    other = services.unsubscribe_token(world["users"]["viewer__org"], "digest")
    forged = token.split(":")[0] + ":" + other.split(":", 1)[1]
    for bad in (token[:-2] + "xx", forged, "abc"):
        response = client.post(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 404
    assert services.preferences(officer).daily_digest


def test_preferences_page_changes_what_is_sent(world, client):
    person = world["users"]["contributor__org"]
    client.force_login(person)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    client.post(reverse("notifications:preferences"), {"immediate_assignments": "on"})
    pref = services.preferences(person)
    assert not pref.daily_digest and pref.immediate_assignments


def test_the_worker_queues_the_next_digest_run_once(world, settings):
    """With the database queue (what `chainward worker` runs), starting the worker queues one
    run at the digest hour; starting it again does not queue a second."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert schedule_next_digest(today_if_due=False) is not None
    assert schedule_next_digest(today_if_due=True) is None
    (row,) = DBTaskResult.objects.all()
    assert row.task_path.endswith("run_daily_digest")
    assert timezone.localtime(row.run_after).hour == 6
