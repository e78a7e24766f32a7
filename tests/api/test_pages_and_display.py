"""API pages and related names (issue 11 item 2): at most 500 rows a page (a larger `limit` is
reduced, as documented), cursor pages for large exports, and `?expand=display` naming related
records in the same queries as a plain page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainward.ledger.context import actor_context
from chainward.risk.models import Countermeasure
from chainward.supplychain.models import Leg, Site

SITES = "/api/supplychain/sites/"


def add_sites(world, upto):
    with actor_context(None, name="api pages test"):
        have = Site.objects.filter(code__startswith="P").count()
        for i in range(have, upto):
            Site.objects.create(organisation=world["org_a"], name=f"Page site {i:03d}",
                                code=f"P{i:03d}", kind="warehouse", country="DE")


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def test_a_page_holds_at_most_500_rows_and_says_so_in_the_schema(admin_client, world):
    add_sites(world, 505)
    body = admin_client.get(SITES, {"limit": 5000}).json()
    assert len(body["results"]) == 500 and body["count"] == 507
    assert "limit=500" in body["next"] and "offset=500" in body["next"]
    schema = admin_client.get("/api/schema/", {"format": "json"}).json()
    limit = next(p for p in schema["paths"][SITES]["get"]["parameters"] if p["name"] == "limit")
    assert "at most 500" in limit["description"]


def test_cursor_pages_walk_every_row_once_in_id_order(admin_client, world):
    add_sites(world, 23)
    seen, url, pages = [], f"{SITES}?cursor=&limit=10", 0
    while url:
        body = admin_client.get(url).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3 and seen == sorted(Site.objects.filter(
        organisation=world["org_a"]).values_list("pk", flat=True))
    assert admin_client.get(SITES, {"cursor": "", "offset": 5}).status_code == 400
    assert admin_client.get(SITES, {"cursor": "", "limit": 0}).status_code == 400
    add_sites(world, 505)
    assert len(admin_client.get(SITES, {"cursor": "", "limit": 5000}).json()["results"]) == 500


@pytest.fixture
def legs_and_measures(world):
    def make(upto):
        with actor_context(None, name="api display test"):
            for i in range(Leg.objects.count(), upto):
                Leg.objects.create(organisation=world["org_a"], from_site=world["s1"],
                                   to_site=world["s2"], mode="road", carrier=world["carrier_a"],
                                   description=f"leg {i}")
            for i in range(Countermeasure.objects.count(), upto):
                measure = Countermeasure.objects.create(
                    organisation=world["org_a"], title=f"Fence {i}", measure_type="physical",
                    owner=world["users"]["security_manager__org"])
                measure.sites.set([world["s2"], world["s1"]])
    return make


def test_display_names_related_records_in_the_same_queries(admin_client, world,
                                                           legs_and_measures):
    legs_and_measures(3)
    plain, body = queries(admin_client, "/api/supplychain/legs/?limit=25")
    expanded, named = queries(admin_client, "/api/supplychain/legs/?limit=25&expand=display")
    assert expanded == plain
    assert "display" not in body["results"][0]
    row = named["results"][0]
    assert row["from_site"] == world["s1"].pk  # ids stay where clients write them
    assert row["display"]["from_site"] == "Hamburg warehouse (S1)"
    assert row["display"]["to_site"] == "Rotterdam terminal (S2)"
    assert row["display"]["carrier"] == "Nordic Trucking"
    url = "/api/risk/countermeasures/?limit=25&expand=display"
    few, body = queries(admin_client, url)
    ids = body["results"][0]["sites"]
    names = {world["s1"].pk: "Hamburg warehouse (S1)", world["s2"].pk: "Rotterdam terminal (S2)"}
    assert body["results"][0]["display"]["sites"] == [names[pk] for pk in ids]
    legs_and_measures(25)
    many, _ = queries(admin_client, url)
    assert many == few
    assert queries(admin_client, "/api/supplychain/legs/?limit=25&expand=display")[0] == plain
    detail = admin_client.get(f"/api/supplychain/legs/{row['id']}/", {"expand": "display"})
    assert detail.json()["display"]["carrier"] == "Nordic Trucking"
