"""ISO 28001 4.5 partner reviews: an interval from criticality and programme status, shortened
by the partner's risk score, a last reviewed date from review records, and overdue reviews shown
as due.

The interval table below is written by hand. The rule by criticality and programme
(`supplychain.services.review_interval_days`, issue 12): critical partners without a valid
security programme every 6 months, with one every 12; high every 12 / 24; medium and low every
24; exempt partners (ISO 28001 4.4) and partners no longer used (suspended, terminated) none.
The interval used (issue 17 item 4, `partners.assurance`) is the shorter of that and the band
of the partner's risk score: these partners have answered no questionnaire (+15), no incident,
no declaration; criticality low/medium/high/critical 5/15/30/40, a valid programme -15, a lapsed
one +10; bands from 0/25/50/75 review every 24/12/6/3 months.
"""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chainward.core.services import save_record
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.supplychain import services
from chainward.supplychain.models import (
    Exemption,
    Partner,
    PartnerReview,
    ProgrammeStatus,
    StatementOfApplication,
)

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def partner(world, name, criticality, status="active", programme=None, valid_until=None):
    with actor_context(None, name="test"):
        p = Partner.objects.create(organisation=world["org_a"], name=name, kind="carrier",
                                   country="DE", criticality=criticality, status=status)
        if programme:
            ProgrammeStatus.objects.create(organisation=world["org_a"], partner=p,
                                           programme=programme, identifier=f"ID-{name}",
                                           valid_until=valid_until)
    return p


def reviewed(world, p, on):
    with actor_context(None, name="test"):
        PartnerReview.objects.create(organisation=world["org_a"], partner=p, reviewed_on=on,
                                     method="site_visit", outcome="satisfactory",
                                     reviewer="J. Novak", findings="Gate and seals checked.")


# (criticality, partner status, programme, programme valid until, interval in days by
# criticality and programme, interval used: with the score's band)
INTERVALS = [
    ("critical", "active", None, None, 182, 182),  # 40 + 15 = 55, high: 6 months
    ("critical", "active", "aeo_s", None, 365, 365),  # 40 - 15 + 15 = 40, medium: 12
    ("critical", "active", "ctpat", -1, 182, 182),  # expired yesterday: 40 + 10 + 15 = 65
    ("critical", "active", "aeo_c", None, 182, 182),  # customs only, not security: 55
    ("high", "active", None, None, 365, 365),  # 30 + 15 = 45, medium: 12
    ("high", "onboarding", "tapa_tsr", 200, 730, 365),  # 30 - 15 + 15 = 30, medium: 12
    ("medium", "active", None, None, 730, 365),  # 15 + 15 = 30, medium: 12
    ("medium", "active", "iso_28000", 100, 730, 730),  # 15 - 15 + 15 = 15, low: 24
    ("low", "active", None, None, 730, 730),  # 5 + 15 = 20, low: 24
    ("critical", "suspended", None, None, None, None),
    ("high", "terminated", None, None, None, None),
]


@pytest.mark.parametrize("criticality, status, programme, until, base, expected", INTERVALS)
def test_the_review_interval_follows_criticality_programme_status_and_risk(
        world, criticality, status, programme, until, base, expected):
    p = partner(world, "P", criticality, status, programme,
                days(until) if until is not None else None)
    state = services.review_state(p)
    assert services.review_interval_days(p, valid_programme=state.valid_programme,
                                         exempt=state.exempt) == base
    assert state.interval_days == expected


def test_an_exempt_partner_needs_no_review_until_its_programme_expires(world):
    p = partner(world, "Exempt Co", "critical", programme="aeo_s", valid_until=days(30))
    with actor_context(None, name="test"):
        statement = StatementOfApplication.objects.create(organisation=world["org_a"],
                                                          title="SoA", coverage="x")
        Exemption.objects.create(organisation=world["org_a"], statement=statement, partner=p,
                                 programme_status=p.programme_statuses.get(), basis="aeo")
    state = services.review_state(p)
    assert (state.required, state.interval_days, state.due) == (False, None, False)
    later = services.review_state(p, on=days(31))  # the AEOS has expired: exemption lapsed
    assert (later.required, later.interval_days, later.due) == (True, 182, True)


def test_never_reviewed_is_due_and_a_review_sets_the_next_date(world):
    p = partner(world, "Critical Co", "critical")
    state = services.review_state(p)
    assert (state.last_reviewed, state.due_on, state.due) == (None, None, True)
    reviewed(world, p, days(-181))
    state = services.review_state(p)
    assert (state.last_reviewed, state.due_on, state.due) == (days(-181), days(1), False)
    assert services.review_state(p, on=days(1)).due is True
    assert services.review_state(p, on=days(0)).due is False


def test_the_latest_review_counts_and_archived_ones_do_not(world):
    p = partner(world, "High Co", "high")
    reviewed(world, p, days(-400))
    reviewed(world, p, days(-100))
    assert services.review_state(p).last_reviewed == days(-100)
    with actor_context(None, name="test"):
        latest = PartnerReview.objects.get(partner=p, reviewed_on=days(-100))
        latest.archived = True
        latest.save()
    state = services.review_state(p)
    assert (state.last_reviewed, state.due) == (days(-400), True)


# --- recording a review through every write path -------------------------------------------------
def review_form(p, on, **extra):
    return {"partner": p.pk, "reviewed_on": on.isoformat(), "method": "questionnaire",
            "outcome": "satisfactory", "reviewer": "Security office",
            "findings": "Declaration renewed; seal procedure seen.", **extra}


def test_recording_a_review_in_the_ui_is_ledgered_and_clears_the_due_flag(admin_client, world):
    p = partner(world, "UI Carrier", "critical")
    page = admin_client.get(f"/supplychain/partners/{p.pk}/").content.decode()
    assert "Review due" in page and f"/supplychain/partner-reviews/add/?partner={p.pk}" in page
    response = admin_client.post("/supplychain/partner-reviews/add/", review_form(p, TODAY))
    assert response.status_code == 302
    review = PartnerReview.objects.get(partner=p)
    entry = LedgerEntry.objects.get(object_type="supplychain.partnerreview",
                                    object_id=str(review.pk))
    assert entry.action == "create" and entry.actor_name == world["users"][
        "administrator__org"].email
    page = admin_client.get(f"/supplychain/partners/{p.pk}/").content.decode()
    assert "Review due" not in page and days(182).isoformat() in page


def test_a_review_in_the_future_or_of_a_foreign_partner_is_refused(admin_client, world):
    p = partner(world, "Future Carrier", "high")
    response = admin_client.post("/supplychain/partner-reviews/add/",
                                 review_form(p, days(3)))
    assert response.status_code == 400
    assert "in the future" in " ".join(response.context["form"].errors["reviewed_on"])
    api = admin_client.post("/api/supplychain/partner-reviews/", json.dumps(
        review_form(world["carrier_b"], TODAY)), content_type="application/json")
    assert api.status_code == 400 and "partner" in api.json()["errors"]
    assert not PartnerReview.objects.exists()


def test_the_api_records_a_review_and_reports_the_partners_review_state(admin_client, world):
    p = partner(world, "API Carrier", "critical", programme="aeo_s")
    before = admin_client.get(f"/api/supplychain/partners/{p.pk}/").json()
    assert (before["review_due"], before["last_reviewed_on"], before["review_interval_days"]) \
        == (True, None, 365)
    response = admin_client.post("/api/supplychain/partner-reviews/", json.dumps(
        review_form(p, days(-10))), content_type="application/json")
    assert response.status_code == 201
    after = admin_client.get(f"/api/supplychain/partners/{p.pk}/").json()
    assert (after["review_due"], after["last_reviewed_on"], after["review_due_on"]) == (
        False, days(-10).isoformat(), days(355).isoformat())


def test_reviews_can_be_imported(admin_client, world, run_on_commit):
    p = partner(world, "Import Carrier", "medium")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["partner", "reviewed_on", "method", "outcome", "reviewer", "findings"])
    writer.writerow([p.name, days(-5).isoformat(), "Site visit", "Satisfactory", "A. Auditor",
                     "All good."])
    writer.writerow([p.name, days(5).isoformat(), "Site visit", "Satisfactory", "A. Auditor",
                     "Not yet."])
    upload = SimpleUploadedFile("reviews.csv", buffer.getvalue().encode(),
                                content_type="text/csv")
    response = admin_client.post("/supplychain/partner-reviews/import/", {"file": upload})
    assert [(row, column) for row, column, _ in response.context["preview"].errors] == [
        (3, "reviewed_on")]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["partner", "reviewed_on", "method", "outcome"],
                                  [p.name, days(-5).isoformat(), "Site visit", "Satisfactory"]])
    upload = SimpleUploadedFile("reviews.csv", buffer.getvalue().encode(),
                                content_type="text/csv")
    preview = admin_client.post("/supplychain/partner-reviews/import/",
                                {"file": upload}).context["preview"]
    assert preview.ok
    with run_on_commit():
        admin_client.post("/supplychain/partner-reviews/import/", {"token": preview.token})
    assert Job.objects.get().status == "succeeded"
    assert services.review_state(p).last_reviewed == days(-5)


def test_save_record_refuses_a_review_in_the_future(world):
    p = partner(world, "Service Carrier", "low")
    review = PartnerReview(organisation=world["org_a"], partner=p, reviewed_on=days(1),
                           method="desk", outcome="satisfactory")
    with pytest.raises(ValidationError) as refused:
        save_record(world["users"]["security_manager__org"], review)
    assert "reviewed_on" in refused.value.message_dict


# --- overdue reviews show as due -----------------------------------------------------------------
def due_world(world):
    """Hand-built: which partners are due today (True) and which are not (False)."""
    expected = {}
    p = partner(world, "Crit never", "critical")
    expected[p.pk] = True
    p = partner(world, "Crit 200 days", "critical")
    reviewed(world, p, days(-200))
    expected[p.pk] = True
    p = partner(world, "Crit AEO 200 days", "critical", programme="aeo_s")
    reviewed(world, p, days(-200))
    expected[p.pk] = False
    p = partner(world, "High 400 days", "high")
    reviewed(world, p, days(-400))
    expected[p.pk] = True
    p = partner(world, "Medium 300 days", "medium")
    reviewed(world, p, days(-300))
    expected[p.pk] = False
    # Not due by criticality alone (730 days), due by its medium risk score (365 days).
    p = partner(world, "Medium 400 days", "medium")
    reviewed(world, p, days(-400))
    expected[p.pk] = True
    p = partner(world, "Suspended never", "critical", status="suspended")
    expected[p.pk] = False
    expected[world["carrier_a"].pk] = True  # the world's carrier: medium, never reviewed
    return expected


def test_the_partner_list_shows_and_filters_the_reviews_due(admin_client, world):
    expected = due_world(world)
    due = admin_client.get("/supplychain/partners/?review_due=true&per_page=100")
    assert {p.pk for p in due.context["page"].object_list} == {
        pk for pk, is_due in expected.items() if is_due}
    not_due = admin_client.get("/supplychain/partners/?review_due=false&per_page=100")
    assert {p.pk for p in not_due.context["page"].object_list} == {
        pk for pk, is_due in expected.items() if not is_due}
    page = admin_client.get("/supplychain/partners/?per_page=100").content.decode()
    assert "Review due" in page or "review due" in page
    api = admin_client.get("/api/supplychain/partners/?review_due=true&limit=100").json()
    assert {row["id"] for row in api["results"]} == {pk for pk, d in expected.items() if d}
    assert all(row["review_due"] for row in api["results"])


def test_the_home_page_counts_the_reviews_due(admin_client, world):
    expected = due_world(world)
    page = admin_client.get("/").content.decode()
    before, after = page.split("Partner reviews due", 1)
    assert "/supplychain/partners/?review_due=true" in before[-300:]
    assert f">{sum(expected.values())}</div>" in after[:200]
    # and names the first three by name (one query gives both since the review state's
    # expression is large).
    from chainward.supplychain.models import Partner

    due = sorted(Partner.objects.filter(pk__in=[pk for pk, d in expected.items() if d])
                 .values_list("name", flat=True))
    assert len(due) > 3
    assert ", ".join(due[:3]) in after[:600]


def test_the_partner_list_costs_the_same_queries_for_few_and_many_partners(admin_client, world):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get("/supplychain/partners/?per_page=100").status_code == 200
            assert admin_client.get("/api/supplychain/partners/?limit=100").status_code == 200
        return len(ctx.captured_queries)

    due_world(world)
    few = queries()
    for i in range(40):
        p = partner(world, f"Bulk {i}", ("critical", "high", "medium")[i % 3],
                    programme="aeo_s" if i % 2 else None)
        reviewed(world, p, days(-i * 20))
    assert queries() == few
