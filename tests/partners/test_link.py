"""The partner link (issue 17 acceptance): it works without an account in one browser,
expires, is single-use, cannot be enumerated (only its hash is stored; unknown tokens are
counted and the guesser is throttled), link traffic is throttled, and the pages reveal nothing
but the questionnaire and the organisation's name. Uploads pass the product's content checks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.partners import links
from chainward.partners.models import QuestionnaireRequest

from . import factories as f
from .support import answers_post, link_from, moved_time, send_through_ui

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(world, client, smtp_server, run_on_commit):
    """A request sent through the UI; returns (request, link path, the e-mail)."""
    with actor_context(None, name="fixture"):
        contact = f.contact(world["carrier_a"], email="security@nordic.example")
        template = f.template(world["org_a"], "Carrier security questionnaire", questions=0)
        f.question(template, "Do you seal every trailer?", order=1, evidence_required=True,
                   evidence_hint="Seal procedure")
        f.question(template, "Do drivers check the seal at each stop?", order=2)
        # Something of the same organisation the link must not reveal:
        f.request(world["org_a"], "Secret other request")
    req = send_through_ui(client, world["users"]["security_manager__org"],
                          partner=world["carrier_a"], contact=contact, template=template,
                          run_on_commit=run_on_commit)
    (message,) = smtp_server.to("security@nordic.example")
    return req, link_from(message), message


def _partner():
    return Client(REMOTE_ADDR="198.51.100.7")


def test_the_email_carries_a_link_that_opens_the_questionnaire_without_an_account(sent):
    req, path, message = sent
    assert "ABC Logistics" in message.subject
    partner = _partner()
    page = partner.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Do you seal every trailer?" in html and "ABC Logistics" in html
    # Nothing else: no navigation, no other partner, no other request, no staff names.
    for hidden in ("Secret other request", "Other Freight", "My work", "security_manager",
                   "navbar", "Rotterdam", "Hamburg"):
        assert hidden not in html, hidden
    assert page["Referrer-Policy"] == "same-origin"  # no Referer to other sites
    req.refresh_from_db()
    assert req.status == "opened" and req.opened_at is not None
    assert partner.get(path).status_code == 200  # the same browser continues


def test_only_the_hash_of_the_token_is_stored(sent):
    req, path, _ = sent
    token = path.rstrip("/").rsplit("/", 1)[1]
    req.refresh_from_db()
    assert req.token_sha256 == links.token_hash(token)
    assert len(token) >= 40
    stored = [str(v) for v in QuestionnaireRequest.objects.values().get(pk=req.pk).values()]
    assert not any(token in value for value in stored)
    assert not LedgerEntry.objects.filter(after__icontains=token).exists()


def test_a_second_browser_is_refused_while_the_first_answers(sent):
    _, path, _ = sent
    assert _partner().get(path).status_code == 200
    other = Client(REMOTE_ADDR="203.0.113.9").get(path)
    assert other.status_code == 410
    assert "another browser" in other.content.decode()


def test_the_link_expires(sent):
    req, path, _ = sent
    with moved_time(req.template.link_days + 1):
        page = _partner().get(path)
    assert page.status_code == 410 and "expired" in page.content.decode()


def test_the_link_is_single_use(sent):
    req, path, _ = sent
    partner = _partner()
    partner.get(path)
    partner.post(path, answers_post(req))
    done = partner.post(path + "sign/", {"name": "Ola Nowak", "role": "Security lead",
                                         "confirmed": "on"})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    for again in (path, path + "sign/"):
        page = partner.get(again)
        assert page.status_code == 410
        assert "used already" in page.content.decode()


def test_unknown_tokens_are_refused_and_the_guesser_is_throttled(sent):
    _, path, _ = sent
    guesser = Client(REMOTE_ADDR="192.0.2.66")
    token = path.rstrip("/").rsplit("/", 1)[1]
    for guess in [links.new_token() for _ in range(links.BAD_TOKEN_LIMIT - 1)] + [
            token[:-1] + ("A" if token[-1] != "A" else "B")]:
        page = guesser.get(f"/partners/q/{guess}/")
        assert page.status_code == 404 and "not valid" in page.content.decode()
    # The limit is reached: the next request from that address is refused, a real link too.
    assert guesser.get(path).status_code == 429
    assert _partner().get(path).status_code == 200  # other addresses are not affected


def test_link_traffic_is_throttled_per_address(sent, monkeypatch):
    _, path, _ = sent
    monkeypatch.setattr(links, "LINK_LIMIT", 3)
    partner = _partner()
    assert [partner.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_an_upload_goes_through_the_content_checks(sent):
    req, path, _ = sent
    partner = _partner()
    partner.get(path)
    data = answers_post(req, evidence=False)
    question = req.template.questions.get(order=1)
    data[f"e{question.pk}"] = SimpleUploadedFile("procedure.pdf", b"MZ\x90\x00 program",
                                                 "application/pdf")
    page = partner.post(path, data)
    assert page.status_code == 200
    assert "Windows executable" in page.content.decode(), page.content.decode()[-3000:]
    assert not req.answers.get(question=question).evidence_file


def test_signing_needs_the_required_evidence_name_role_and_consent(sent):
    req, path, _ = sent
    partner = _partner()
    partner.get(path)
    partner.post(path, answers_post(req, evidence=False))
    page = partner.post(path + "sign/", {"name": "", "role": "", "confirmed": ""})
    html = page.content.decode()
    assert "Upload the evidence" in html and "Type your full name" in html
    req.refresh_from_db()
    assert req.status == "opened"


def test_the_contact_gets_no_account_and_reaches_nothing_else(sent):
    """Acceptance: answering and signing through the link creates no account and signs no one
    in; with the link's cookie the contact still reaches no page, download or API of ours."""
    from django.contrib.auth import get_user_model

    req, path, _ = sent
    people = get_user_model().objects.count()
    partner = _partner()
    partner.get(path)
    partner.post(path, answers_post(req))
    assert partner.post(path + "sign/", {"name": "Ola Nowak", "role": "Security lead",
                                         "confirmed": "on"}).status_code == 200
    assert get_user_model().objects.count() == people
    assert "_auth_user_id" not in partner.session
    answer = req.answers.exclude(evidence_file="").first()
    for url in ("/", req.get_absolute_url(), "/partners/questionnaire-requests/",
                f"/partners/answers/{answer.pk}/evidence/", "/supplychain/partners/",
                "/notifications/"):
        page = partner.get(url)
        assert page.status_code == 302 and "/login/" in page["Location"], url
    for url in ("/api/partners/questionnaire-requests/", f"/api/partners/answers/{answer.pk}/"):
        assert partner.get(url).status_code in (401, 403), url
