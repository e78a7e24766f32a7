"""List pages fetch a page's ids first, then only those rows (`core.pagination.PageRows`,
issue 11 item 4): the rows, their order and the count are those of the whole sorted list, for
the default order, a chosen sort and a filter, in the UI and the API; the query count stays
pinned; annotations are computed for the page's rows only.

The expected orders are written out by hand from the legs below (ties broken by creation)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainward.core import services
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg, Partner, Site

LEGS = "/supplychain/legs/"
API = "/api/supplychain/legs/"
# from, to, mode, carrier; Hamburg → Rotterdam twice and Antwerp → Berlin twice (ties).
LEG_ROWS = {
    "L1": ("hamburg", "rotterdam", "road", "nordic"),
    "L2": ("antwerp", "berlin", "rail", "alpine"),
    "L3": ("hamburg", "antwerp", "sea", "baltic"),
    "L4": ("hamburg", "rotterdam", "rail", "alpine"),
    "L5": ("berlin", "hamburg", "road", "nordic"),
    "L6": ("antwerp", "berlin", "road", "nordic"),
    "L7": ("rotterdam", "antwerp", "road", "nordic"),  # archived: never listed by default
}
# Sites A(ntwerp), B(erlin), H(amburg), R(otterdam); carriers Alpine < Baltic < Nordic.
CASES = [
    ({}, ["L2", "L6", "L5", "L3", "L1", "L4"]),
    ({"sort": "to_site__name"}, ["L3", "L2", "L6", "L5", "L1", "L4"]),
    ({"sort": "-carrier__name"}, ["L1", "L5", "L6", "L3", "L2", "L4"]),
    ({"sort": "mode"}, ["L2", "L4", "L1", "L5", "L6", "L3"]),
    ({"mode": "road"}, ["L6", "L5", "L1"]),
    ({"site": "Hamburg", "sort": "-from_site__name"}, ["L1", "L3", "L4", "L5"]),
]
LEG_QUERIES = 3  # the count, the page's ids, the page's rows


@pytest.fixture
def legs(world):
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        sites = {"hamburg": world["s1"], "rotterdam": world["s2"],
                 "antwerp": Site.objects.create(organisation=org, name="Antwerp yard",
                                                code="S4", kind="terminal", country="BE"),
                 "berlin": Site.objects.create(organisation=org, name="Berlin hub", code="S5",
                                               kind="warehouse", country="DE")}
        carriers = {"nordic": world["carrier_a"],
                    **{key: Partner.objects.create(organisation=org, name=name, kind="carrier",
                                                   country="DE")
                       for key, name in (("alpine", "Alpine Freight"),
                                         ("baltic", "Baltic Lines"))}}
        made = {key: Leg.objects.create(organisation=org, from_site=sites[a], to_site=sites[b],
                                        mode=mode, carrier=carriers[carrier])
                for key, (a, b, mode, carrier) in LEG_ROWS.items()}
    services.set_archived(world["users"]["administrator__org"], made["L7"], True)
    return {leg.pk: key for key, leg in made.items()}


def leg_queries(ctx):
    return [q["sql"] for q in ctx.captured_queries if 'FROM "supplychain_leg"' in q["sql"]]


@pytest.mark.parametrize(("params", "expected"), CASES)
def test_the_list_shows_the_sorted_rows_with_three_leg_queries(client, world, legs, params,
                                                                expected):
    client.force_login(world["users"]["administrator__org"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LEGS, params)
    assert response.status_code == 200
    page = response.content.decode()
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    shown = [legs[int(pk)] for pk in re.findall(r'href="/supplychain/legs/(\d+)/"', body)]
    assert shown == expected
    assert f"{len(expected)} legs" in page
    queries = leg_queries(ctx)
    assert len(queries) == LEG_QUERIES, queries
    # The page's rows are read by id, not sorted again.
    assert "IN (" in queries[-1] and "ORDER BY" not in queries[-1]


def test_the_list_costs_the_same_queries_whatever_the_sort_or_filter(client, world, legs):
    client.force_login(world["users"]["administrator__org"])
    counts = set()
    for params, _ in CASES:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LEGS, params).status_code == 200
        counts.add(len(ctx.captured_queries))
    assert len(counts) == 1, counts


@pytest.mark.parametrize(("params", "offset", "expected"), [
    ({}, 2, ["L5", "L3"]),
    ({"ordering": "-carrier__name"}, 3, ["L3", "L2"]),
    ({"ordering": "mode", "mode": "road"}, 2, ["L6"]),
    ({}, 6, []),
])
def test_an_api_page_holds_the_rows_of_its_window(client, world, legs, params, offset,
                                                  expected):
    client.force_login(world["users"]["administrator__org"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(API, {**params, "limit": 2, "offset": offset})
    assert response.status_code == 200
    data = response.json()
    assert [legs[row["id"]] for row in data["results"]] == expected
    assert data["count"] == (3 if "mode" in params else 6)
    # No ids, no second query (and none of the goods categories' prefetch).
    assert len(leg_queries(ctx)) == (LEG_QUERIES if expected else 2)


def test_partners_get_their_review_state_for_the_page_only(client, world):
    client.force_login(world["users"]["administrator__org"])
    for params in ({}, {"sort": "kind"}):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/supplychain/partners/", params).status_code == 200
        reviewed = [q["sql"] for q in ctx.captured_queries
                    if 'FROM "supplychain_partnerreview"' in q["sql"]]
        assert reviewed, "no query read the review state"
        assert all('"supplychain_partner"."id" IN (' in sql for sql in reviewed), reviewed
