"""Expired partner programmes are visible (issue 13 item 10): on the home page, in the partner
list (column and filter) and on the map. Expired means the status ran out and the partner holds
no valid status of the same programme (a renewal recorded as a new status clears it). The
expected partners are the ones each test builds as expired, written here by hand."""

import datetime

import pytest
from django.utils import timezone

from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg, Partner, ProgrammeStatus, Site
from tests.support.world import build_world

DAY = datetime.timedelta(days=1)


@pytest.fixture
def state(db):
    world = build_world()
    org = world["org_a"]
    today = timezone.localdate()
    with actor_context(None, name="fixture"):
        def partner(name, **extra):
            return Partner.objects.create(organisation=org, name=name, kind="carrier",
                                          country="DE", **extra)

        def status(who, programme, until, **extra):
            return ProgrammeStatus.objects.create(organisation=org, partner=who,
                                                  programme=programme, valid_until=until,
                                                  **extra)

        lapsed = partner("Lapsed Logistics")
        status(lapsed, "aeo_s", today - 3 * DAY, identifier="DEAEOS1")
        renewed = partner("Renewed Road")
        status(renewed, "ctpat", today - 40 * DAY)
        status(renewed, "ctpat", today + 300 * DAY)
        valid = partner("Valid Vans")
        status(valid, "tapa_fsr", today + 10 * DAY)
        gone = partner("Gone Freight", status="terminated")
        status(gone, "aeo_s", today - 100 * DAY)
        # Another organisation's lapsed partner is never counted here.
        foreign = Partner.objects.create(organisation=world["org_b"], name="Foreign Lapsed",
                                         kind="carrier", country="FR")
        ProgrammeStatus.objects.create(organisation=world["org_b"], partner=foreign,
                                       programme="aeo_s", valid_until=today - DAY)
        depot = Site.objects.create(organisation=org, name="Lapsed depot", code="LD1",
                                    kind="warehouse", country="DE", latitude=52.5,
                                    longitude=13.4, operator=lapsed)
        leg = Leg.objects.create(organisation=org, from_site=world["s1"], to_site=depot,
                                 mode="road", carrier=lapsed)
        calm = Leg.objects.create(organisation=org, from_site=world["s1"], to_site=world["s2"],
                                  mode="road", carrier=valid)
    return {**world, "lapsed": lapsed, "gone": gone, "renewed": renewed, "valid": valid,
            "depot": depot, "leg": leg, "calm": calm}


def test_home_card_counts_partners_in_use(client, state):
    client.force_login(state["users"]["security_manager__org"])
    page = client.get("/").content.decode()
    assert "Partner programmes expired" in page
    card = page.split("Partner programmes expired", 1)[1][:300]
    # Only the partner in use; the terminated one, the renewed one and B's are not counted.
    assert ">1<" in card and "Lapsed Logistics" in card
    assert "Gone Freight" not in card and "Renewed Road" not in card


def test_partner_list_column_and_filter(client, state):
    client.force_login(state["users"]["security_manager__org"])
    page = client.get("/supplychain/partners/?programme_expired=true").content.decode()
    for name in ("Lapsed Logistics", "Gone Freight"):
        assert name in page
    for name in ("Renewed Road", "Valid Vans", "Nordic Trucking", "Foreign Lapsed"):
        assert name not in page
    page = client.get("/supplychain/partners/?programme_expired=false").content.decode()
    assert "Renewed Road" in page and "Valid Vans" in page and "Lapsed Logistics" not in page
    listing = client.get("/supplychain/partners/").content.decode()
    assert "programme expired" in listing.lower()
    row = listing.split("Lapsed Logistics", 1)[1].split("</tr>", 1)[0]
    assert "expired" in row
    row = listing.split("Renewed Road", 1)[1].split("</tr>", 1)[0]
    assert "expired" not in row


def test_map_marks_sites_and_legs_of_lapsed_partners(client, state):
    client.force_login(state["users"]["security_manager__org"])
    page = client.get("/supplychain/map/").content.decode()
    assert 'id="expired-programmes"' in page and "Lapsed Logistics" in page
    assert page.count('data-expired="true"') == 2  # the depot it operates, the leg it carries
    assert "Lapsed depot (LD1) · Warehouse · Germany · programme expired (operator)" in page
    assert f"{state['leg'].reference} · Road · programme expired (carrier)" in page
    assert f"{state['calm'].reference} · Road</title>" in page
