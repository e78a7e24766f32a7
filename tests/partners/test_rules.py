"""Rules of requests on every path: creating one through the API sends the link as the form
does; a sent request keeps its partner, contact and template; a template without questions
or a contact without an address cannot be sent."""

import pytest

from chainward.ledger.context import actor_context

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    with actor_context(None, name="fixture"):
        contact = f.contact(world["carrier_a"], email="sec@nordic.example")
        other = f.contact(world["carrier_a"], name="Jon", email="jon@nordic.example")
        template = f.template(world["org_a"], "API template")
    return contact, other, template


def test_the_api_sends_the_link_like_the_form(world, client, setup, smtp_server, run_on_commit):
    contact, _, template = setup
    client.force_login(world["users"]["security_manager__org"])
    with run_on_commit():
        response = client.post("/api/partners/questionnaire-requests/", {
            "partner": world["carrier_a"].pk, "contact": contact.pk, "template": template.pk,
            "deadline": f.days(10).isoformat()}, content_type="application/json")
    assert response.status_code == 201, response.content
    (message,) = smtp_server.to(contact.email)
    assert "/partners/q/" in message.text()
    assert response.json()["status"] == "sent"


def test_a_sent_request_keeps_its_contact(world, client, setup, run_on_commit):
    contact, other, template = setup
    client.force_login(world["users"]["security_manager__org"])
    with run_on_commit():
        created = client.post("/api/partners/questionnaire-requests/", {
            "partner": world["carrier_a"].pk, "contact": contact.pk, "template": template.pk,
            "deadline": f.days(10).isoformat()}, content_type="application/json").json()
    url = f"/api/partners/questionnaire-requests/{created['id']}/"
    version = client.get(url).json()["version"]
    response = client.patch(url, {"contact": other.pk, "version": version},
                            content_type="application/json")
    assert response.status_code == 400
    assert "keeps its partner, contact and template" in response.content.decode()
    ok = client.patch(url, {"message": "Please hurry", "version": version},
                      content_type="application/json")
    assert ok.status_code == 200, ok.content


def test_no_request_without_questions_or_an_address(world, client):
    with actor_context(None, name="fixture"):
        silent = f.contact(world["carrier_a"], name="No mail", email="")
        empty = f.template(world["org_a"], "Empty", questions=0)
        full = f.template(world["org_a"], "Full")
    client.force_login(world["users"]["security_manager__org"])
    for contact, template, field in ((silent, full, "contact"), (None, empty, "template")):
        contact = contact or f.contact(world["carrier_a"], name="Ok", email="ok@n.example")
        response = client.post("/api/partners/questionnaire-requests/", {
            "partner": world["carrier_a"].pk, "contact": contact.pk, "template": template.pk,
            "deadline": f.days(10).isoformat()}, content_type="application/json")
        assert response.status_code == 400
        assert field in response.json()["errors"], response.json()


def test_contacts_are_reminded_once_before_the_deadline_by_the_daily_run(world, setup,
                                                                        smtp_server):
    from chainward.notifications.tasks import run_daily_digest
    from chainward.partners.services import remind_contacts

    contact, _, template = setup
    with actor_context(None, name="fixture"):
        soon = f.request(world["org_a"], "Soon", partner_obj=world["carrier_a"],
                         template_obj=template, deadline=f.days(5))
        f.request(world["org_a"], "Later", template_obj=template, deadline=f.days(30))
    run_daily_digest.enqueue()  # the worker's daily task runs the partner reminders
    (reminder,) = [m for m in smtp_server.messages if "Reminder" in m.subject]
    assert reminder.rcpt_tos == [soon.contact.email]
    assert "/partners/q/" not in reminder.text()  # the link is not stored, so never resent
    soon.refresh_from_db()
    assert soon.reminded_at is not None
    assert remind_contacts() == 0


def test_after_the_deadline_the_daily_run_escalates_to_the_reviewers(world, setup,
                                                                     smtp_server):
    """Item 2: an unanswered request past its deadline is escalated in the daily digest of
    the people who review questionnaires, and of nobody else."""
    from chainward.notifications.tasks import run_daily_digest

    from .support import moved_time

    _, _, template = setup
    with actor_context(None, name="fixture"):
        late = f.request(world["org_a"], "Late", partner_obj=world["carrier_a"],
                         template_obj=template, deadline=f.days(5), status="sent")
    with moved_time(6):
        run_daily_digest.enqueue()
    digests = {m.rcpt_tos[0]: m.text() for m in smtp_server.messages
               if "Reminder" not in m.subject}
    manager = digests[world["users"]["security_manager__org"].email]
    (line,) = [x for x in manager.splitlines() if "chase the partner" in x]
    assert line.startswith("- Nordic Trucking — API template") and "OVERDUE" in line
    assert late.get_absolute_url() in manager
    for key in ("site_security_officer__org", "contributor__org", "viewer__org"):
        assert "chase the partner" not in digests.get(world["users"][key].email, ""), key


def test_evidence_is_downloaded_only_by_people_who_see_the_answer(world, client, setup):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chainward.partners import services

    from .support import PDF

    _, _, template = setup
    with actor_context(None, name="fixture"):
        req = f.request(world["org_a"], "With evidence", template_obj=template)
    question = template.questions.first()
    services.save_answers(req, {question.pk: {"yes": True}}, {
        question.pk: SimpleUploadedFile("seal-procedure.pdf", PDF, "application/pdf")})
    answer = req.answers.get(question=question)
    assert answer.evidence_sha256 and answer.evidence_type == "application/pdf"
    url = f"/partners/answers/{answer.pk}/evidence/"
    for persona, status in (("security_manager__org", 200), ("viewer__site", 200),
                            ("external_auditor__org", 200)):
        client.force_login(world["users"][persona])
        response = client.get(url)
        assert response.status_code == status, persona
        assert "attachment" in response["Content-Disposition"]
    client.force_login(world["foreign"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_a_person_reads_and_marks_only_their_own_notifications(world, client):
    from chainward.notifications import services as notes
    from chainward.notifications.models import Notification

    mine = notes.notify(world["users"]["contributor__org"], kind="due", title="Mine", key="a")
    theirs = notes.notify(world["users"]["viewer__org"], kind="due", title="Theirs", key="b")
    client.force_login(world["users"]["contributor__org"])
    client.post("/notifications/read/", {"id": theirs.pk})
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    client.post("/notifications/read/", {"id": mine.pk})
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert "Theirs" not in client.get("/notifications/").content.decode()
