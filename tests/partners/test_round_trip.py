"""The full round trip through the real SMTP server (issue 17 acceptance): a template built from
the C-TPAT highway-carrier criteria → request sent from the UI → e-mail → the contact opens the
link from the received message → answers (one "no"), uploads evidence → signs → the manager
reviews and accepts → a follow-up for the "no" opens a corrective action whose owner is
e-mailed → a year later the daily digest asks the manager to renew the declaration."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chainward.audits.models import CorrectiveAction
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.library import loader
from chainward.library.models import Framework
from chainward.notifications.digest import send_daily_digests
from chainward.partners import services
from chainward.partners.models import FollowUpAction
from chainward.supplychain.models import PartnerReview

from . import factories as f
from .support import answers_post, link_from, moved_time, send_through_ui

pytestmark = pytest.mark.django_db

FRAMEWORK = "urn:chainward:framework:ctpat-msc-highway-carriers"


@pytest.fixture
def carrier_template(world):
    with actor_context(None, name="catalogue load"):
        loader.load(loader.CATALOG_DIR / "ctpat-msc-highway-carriers.yaml")
    return services.template_from_framework(
        world["users"]["security_manager__org"], world["org_a"],
        Framework.objects.get(urn=FRAMEWORK), partner_kind="carrier")


def test_template_from_the_catalogue(carrier_template):
    questions = list(carrier_template.questions.all())
    assert len(questions) > 20
    sections = {q.section for q in questions}
    assert any("Business Partners" in s for s in sections)
    assert any(q.evidence_required for q in questions)
    assert all(q.requirement_ref.startswith("urn:chainward:req:ctpat-msc-highway-carriers:")
               for q in questions)
    assert carrier_template.source == FRAMEWORK


def test_request_answer_sign_review_follow_up_and_renewal(world, client, carrier_template,
                                                          smtp_server, run_on_commit):
    manager = world["users"]["security_manager__org"]
    owner = world["users"]["site_security_officer__org"]
    with actor_context(None, name="fixture"):
        contact = f.contact(world["carrier_a"], email="security@nordic.example")

    # 1. Sent from the UI; the contact's message arrives at the SMTP server.
    req = send_through_ui(client, manager, partner=world["carrier_a"], contact=contact,
                          template=carrier_template, run_on_commit=run_on_commit)
    (message,) = smtp_server.to(contact.email)
    path = link_from(message)

    # 2. The contact answers from the link in the received message: one "no", evidence.
    partner = Client(REMOTE_ADDR="198.51.100.20")
    assert partner.get(path).status_code == 200
    no = carrier_template.questions.filter(evidence_required=False).order_by("order").first()
    saved = partner.post(path, {**answers_post(req, no=[no.pk]), "sign": "1"})
    assert saved.status_code == 302 and saved["Location"].endswith("/sign/")

    # 3. Signs: name, role, text, time, address; answers frozen and hashed into the ledger.
    done = partner.post(path + "sign/", {"name": "Ola Nowak", "role": "Security lead",
                                         "confirmed": "on"})
    assert done.status_code == 200
    req.refresh_from_db()
    assert req.status == "signed" and req.signer_name == "Ola Nowak"
    assert req.signer_address == "198.51.100.20"
    assert req.signed_text == carrier_template.declaration_text
    expected = hashlib.sha256(services.canonical_answers(req).encode()).hexdigest()
    assert req.answers_sha256 == expected
    entry = LedgerEntry.objects.get(action="questionnaire_signed", object_id=str(req.pk))
    assert entry.after["sha256"] == expected
    flagged = req.answers.get(question=no)
    assert flagged.needs_follow_up and flagged.value_yes is False
    assert all(a.evidence_sha256 for a in req.answers.filter(question__evidence_required=True))
    with pytest.raises(Exception, match="signed"):
        flagged.value_yes = True
        flagged.save()

    # 4. The manager reviews and accepts: declaration valid 12 months, review recorded.
    client.force_login(manager)
    page = client.get(req.get_absolute_url()).content.decode()
    assert "Ola Nowak" in page and "Record the review" in page
    client.post(reverse("partners:review", args=[req.pk]), {"decision": "accept",
                                                             "notes": "Good answers"})
    req.refresh_from_db()
    assert req.status == "accepted"
    assert (req.valid_until - timezone.localdate()).days in range(365, 367)
    review = PartnerReview.objects.get(partner=world["carrier_a"])
    assert review.method == "questionnaire" and review.outcome == "actions"
    partner_page = client.get(world["carrier_a"].get_absolute_url()).content.decode()
    # The request's history on the partner page: sent, opened, answered and signed, reviewed.
    history = partner_page.split('id="questionnaire-history"')[1].split("</section>")[0]
    row = history[history.index(req.reference):].split("</tr>")[0]
    for when in (req.sent_at, req.opened_at, req.signed_at):
        assert f"{timezone.localtime(when):%Y-%m-%d %H:%M}" in row
    assert "by Ola Nowak" in row and "Accepted" in row
    assert f"{req.valid_until:%Y-%m-%d}" in row

    # 5. Follow-up for the "no": a partner action and our corrective action, owner e-mailed.
    smtp_server.clear()
    with run_on_commit():
        client.post(reverse("partners:follow_up", args=[req.pk]), {
            "answer": flagged.pk, "description": "Introduce a written seal procedure",
            "due_date": f.days(60).isoformat(), "corrective_owner": owner.pk})
    follow_up = FollowUpAction.objects.get(request=req)
    capa = CorrectiveAction.objects.get(pk=follow_up.corrective_action_id)
    assert capa.owner == owner
    (assigned,) = smtp_server.messages
    assert assigned.rcpt_tos == [owner.email] and capa.reference in assigned.subject

    # 6. Before the year is out the daily digest asks the manager to renew the declaration;
    # a year later it is expired there, on the dashboard, the partner page and the map.
    smtp_server.clear()
    with moved_time(350):
        send_daily_digests()
    (digest,) = smtp_server.to(manager.email)
    assert "declaration expires — renew" in digest.text()
    smtp_server.clear()
    with moved_time(367):
        send_daily_digests()
        client.force_login(manager)
        home = client.get("/").content.decode()
        partner_page = client.get(world["carrier_a"].get_absolute_url()).content.decode()
        chain_map = client.get("/supplychain/map/").content.decode()
    (digest,) = smtp_server.to(manager.email)
    text = digest.text()
    assert "declaration expired — renew" in text and "Nordic Trucking" in text
    assert req.get_absolute_url() in text
    card = home[home.index("Partner declarations"):][:600]
    assert "1 expired" in card, card
    assert 'id="declaration-expired"' in partner_page
    legend = chain_map.split('id="expired-declarations"')[1].split("</p>")[0]
    assert "Nordic Trucking" in legend
    # Nobody without the right to review hears of it.
    for message in smtp_server.messages:
        if message.rcpt_tos != [manager.email] and \
                message.rcpt_tos != [world["users"]["administrator__org"].email]:
            assert "Nordic Trucking" not in message.text() or "renew" not in message.text()


def test_a_signed_request_cannot_be_reviewed_by_an_officer(world, carrier_template):
    with actor_context(None, name="fixture"):
        req = f.request(world["org_a"], "To review")
        req.status = "signed"
        req.save()
    with pytest.raises(Exception, match="may not review"):
        services.review_request(world["users"]["site_security_officer__org"], req, accept=True)
