"""Issue 17 item 5: the digest lists what falls due in every app — countermeasures, document
reviews, evidence, audits, certification milestones and certificates, management reviews and
their actions, partner reviews by their risk-based interval (item 4) — for the person who owns,
leads or may act on it, and nothing outside their scope (a site-limited officer)."""

import datetime

import pytest
from django.utils import timezone

from chainward.certification.models import CycleMilestone
from chainward.core.services import update_records
from chainward.documents.models import Document, DocumentVersion, Evidence
from chainward.ledger.context import actor_context
from chainward.notifications.digest import send_daily_digests
from chainward.risk.models import Countermeasure
from chainward.supplychain.models import Leg, Partner, PartnerReview, Site
from tests.audits import factories as af
from tests.certification import factories as cf
from tests.incidents import factories as inf

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def due(world):
    u = world["users"]
    org = world["org_a"]
    officer, manager = u["site_security_officer__site"], u["security_manager__org"]
    with actor_context(None, name="fixture"):
        # The world's own records were added long ago (no planned-change prompt), and its
        # partner was reviewed yesterday: only what this fixture adds is due.
        long_ago = timezone.now() - datetime.timedelta(days=400)
        for model in (Site, Leg, Partner):
            update_records(None, model.objects.all(), reason="added long ago",
                           created_at=long_ago)
        PartnerReview.objects.create(organisation=org, partner=world["carrier_a"],
                                     reviewed_on=days(-1), method="questionnaire",
                                     outcome="satisfactory")
        PartnerReview.objects.create(organisation=world["org_b"], partner=world["carrier_b"],
                                     reviewed_on=days(-1), method="questionnaire",
                                     outcome="satisfactory")
        # Countermeasures of the site-limited officer: at S1 (theirs to see) and at S2.
        for title, site in (("Gate lock at S1", world["s1"]), ("Fence at S2", world["s2"])):
            measure = Countermeasure.objects.create(organisation=org, title=title,
                                                    measure_type="physical", owner=officer,
                                                    due_date=days(-2))
            measure.sites.set([site])
        Countermeasure.objects.create(organisation=org, title="Far-off CCTV",
                                      measure_type="physical", owner=officer,
                                      due_date=days(90))
        Evidence.objects.create(organisation=org, title="Fire certificate", kind="link",
                                link="https://example.org/fire", valid_until=days(-1))
        document = Document.objects.create(organisation=org, title="Seal procedure",
                                           doc_type="procedure", owner=manager)
        DocumentVersion.objects.create(organisation=org, document=document, number=1,
                                       status="approved", author=manager,
                                       approved_at=timezone.now() - datetime.timedelta(days=400))
        af.audit(org, "Warehouse audit", sites=[world["s1"]],
                 lead_auditor=u["internal_auditor__org"], planned_start=days(5),
                 planned_end=days(6))
        cert = cf.certificate(world, org, world["s2"], "ISO28000-77")
        cert.expires_on, cert.status = days(100), "active"
        cert.save()
        CycleMilestone.objects.create(organisation=org, certificate=cert, kind="surveillance1",
                                      due_date=days(5), notes="")
        review = cf.review(world, org, "Review 2026")
        cf.action(world, org, review, "Budget for CCTV", due_date=days(-3))
        # A critical partner without programme, never questioned, with two incidents this
        # year: 40 + 0 + 15 + 30 = 85, very high → every 91 days (the supply-chain rule alone:
        # 182). Reviewed 100 days ago, so it is due only by its risk score.
        risky = Partner.objects.create(organisation=org, name="Baltic Haulage", kind="carrier",
                                       criticality="critical", created_at=long_ago)
        PartnerReview.objects.create(organisation=org, partner=risky, reviewed_on=days(-100),
                                     method="questionnaire", outcome="satisfactory")
        inf.incident(org, "Theft one", partner=risky, site=world["s1"])
        inf.incident(org, "Theft two", partner=risky, site=world["s1"])
    return {"officer": officer, "manager": manager}


def _texts(server):
    found = {}
    for message in server.messages:
        for address in message.rcpt_tos:
            found.setdefault(address, []).append(message.text())
    return found


def test_the_digest_lists_what_falls_due_in_every_app_for_whom_it_is(world, due,
                                                                      smtp_server):
    send_daily_digests()
    mail = _texts(smtp_server)
    assert all(len(texts) == 1 for texts in mail.values())
    u = world["users"]

    (officer,) = mail[due["officer"].email]
    assert "Gate lock at S1" in officer  # their countermeasure, overdue
    assert "Fence at S2" not in officer  # theirs, but outside their scope
    assert "Far-off CCTV" not in officer  # not due yet
    # Evidence is an organisation-wide record: renewed by those who may change it there.
    assert "Fire certificate" not in officer
    assert "Fire certificate" in mail[u["site_security_officer__org"].email][0]
    assert "Seal procedure" not in officer and "ISO28000-77" not in officer

    (manager,) = mail[due["manager"].email]
    for expected in ("Seal procedure v1", "review overdue", "Fire certificate",
                     "Surveillance", "ISO28000-77", "plan the recertification",
                     "Budget for CCTV", "Hold a management review", "Baltic Haulage",
                     "review due every 91 days (risk score 85 (very high))"):
        assert expected in manager, expected
    assert "Nordic Trucking" not in manager  # reviewed yesterday
    assert "Gate lock at S1" not in manager  # not theirs

    (auditor,) = mail[u["internal_auditor__org"].email]
    assert "Warehouse audit" in auditor
    # Viewers neither own nor act on anything: no e-mail.
    assert u["viewer__org"].email not in mail
    # Organisation B's administrator hears of nothing of A's.
    assert all(name not in "".join(mail.get(world["foreign"].email, []))
               for name in ("Baltic Haulage", "Fire certificate", "Seal procedure"))


def test_the_my_work_page_shows_the_same_sections(world, due, client):
    client.force_login(due["manager"])
    page = client.get("/audits/my-work/").content.decode()
    for anchor in ("countermeasures", "document-reviews", "evidence", "certification",
                   "management-review", "partner-reviews"):
        assert f'id="{anchor}"' in page, anchor
    assert "Baltic Haulage" in page and "Seal procedure v1" in page


def _more(world, n):
    """`n` more due records of each kind the sections list, for the manager."""
    org, manager = world["org_a"], world["users"]["security_manager__org"]
    review = cf.review(world, org, f"Review {n}")
    with actor_context(None, name="fixture"):
        for i in range(n):
            Countermeasure.objects.create(organisation=org, title=f"Measure {n}-{i}",
                                          measure_type="physical", owner=manager,
                                          due_date=days(-i))
            Evidence.objects.create(organisation=org, title=f"Evidence {n}-{i}", kind="link",
                                    link="https://example.org/e", valid_until=days(-i))
            document = Document.objects.create(organisation=org, title=f"Doc {n}-{i}",
                                               doc_type="procedure", owner=manager)
            DocumentVersion.objects.create(
                organisation=org, document=document, number=1, status="approved",
                author=manager, approved_at=timezone.now() - datetime.timedelta(days=400))
            cert = cf.certificate(world, org, world["s1"], f"C-{n}-{i}")
            cert.expires_on, cert.status = days(10 + i), "active"
            cert.save()
            CycleMilestone.objects.create(organisation=org, certificate=cert, kind="stage1",
                                          due_date=days(i), notes="")
            cf.action(world, org, review, f"Action {n}-{i}", due_date=days(-i))
            partner = Partner.objects.create(organisation=org, name=f"Partner {n}-{i}",
                                             kind="carrier", criticality="high")
            inf.incident(org, f"Incident {n}-{i}", partner=partner, site=world["s1"])


def test_the_sections_cost_the_same_at_2_and_25_records_of_each_kind(world, due, client):
    from tests.core.test_query_budget import count_queries

    client.force_login(due["manager"])
    _more(world, 2)
    count_queries(client, "/audits/my-work/")  # warm the process's caches
    small = count_queries(client, "/audits/my-work/")
    _more(world, 25)
    page = client.get("/audits/my-work/").content.decode()
    for anchor, name in (("partner-reviews", "Partner 25-"), ("countermeasures", "Measure 25-"),
                         ("evidence", "Evidence 25-"), ("document-reviews", "Doc 25-"),
                         ("certification", "C-25-"), ("management-review", "Action 25-")):
        section = page.split(f'id="{anchor}"')[1].split("</section>")[0]
        assert section.count(name) >= 25, anchor
    assert count_queries(client, "/audits/my-work/") == small
