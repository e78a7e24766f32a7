"""The map's overview (issue 11): beyond a budget of sites or lines, sites are grouped into
regions and legs into one line per pair of regions, each linking to the map zoomed to it; the
`bbox` filter zooms in. The budget is lowered here so a handful of sites triggers it.

The layout every test uses, by hand: three sites at one spot in Hamburg (S1 and two more), two
at one spot in Rotterdam (S2 and one more), one in Munich. Sites at one spot fall in one cell
whatever the fitted projection, and the three cities lie hundreds of map units apart, so the
regions are Hamburg (3 sites), Rotterdam (2) and Munich (1, drawn as that site). Regions are
numbered west to east, so a line's "first" region is its western one.

Legs: 4 by road Hamburg → Rotterdam, 1 by sea Rotterdam → Hamburg, 2 by rail Hamburg → Munich,
1 by road within Hamburg: 8 legs, drawn as two lines (Rotterdam–Hamburg: 5 legs by two modes;
Hamburg–Munich: 2 by rail) and counted on the Hamburg region (1 leg between its sites).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainward.access.models import RoleAssignment
from chainward.ledger.context import actor_context
from chainward.supplychain import map as network
from chainward.supplychain.models import Leg, Site
from tests.support.bulk import fixture_writes

REGION = re.compile(r'<a href="([^"]+)" class="region"><circle class="region" [^>]*'
                    r'data-sites="(\d+)"><title>([^<]*)</title>')
LINE = re.compile(r'<a href="([^"]+)"><path class="region-link" d="[^"]*" [^>]*stroke="([^"]+)" '
                  r'stroke-width="[^"]+" data-legs="(\d+)"><title>([^<]*)</title>')
NODE = re.compile(r'<a href="(/supplychain/sites/\d+/)"><circle class="node"')
LEG = re.compile(r'<a href="(/supplychain/legs/\d+/)"><path class="leg')
MIXED, RAIL = "#795548", "#6f42c1"  # the brown of several modes; rail's purple


@pytest.fixture
def small_budget(monkeypatch):
    """An overview from more than 3 sites on."""
    monkeypatch.setattr(network, "MAX_SITES", 3)


@pytest.fixture
def chain(world):
    """The layout of the module docstring: {name: site or [legs]}."""
    org, hamburg, rotterdam = world["org_a"], world["s1"], world["s2"]
    with actor_context(None, name="test"):
        sites = {
            "hamburg": hamburg, "rotterdam": rotterdam,
            "hamburg_2": Site.objects.create(organisation=org, name="Hamburg cross-dock",
                                             city="Hamburg", kind="warehouse", country="DE",
                                             latitude=53.55, longitude=9.99),
            "hamburg_3": Site.objects.create(organisation=org, name="Hamburg port gate",
                                             city="Hamburg", kind="terminal", country="DE",
                                             latitude=53.55, longitude=9.99),
            "rotterdam_2": Site.objects.create(organisation=org, name="Rotterdam depot",
                                               city="Rotterdam", kind="warehouse", country="NL",
                                               latitude=51.95, longitude=4.14),
            "munich": Site.objects.create(organisation=org, name="Munich hub", city="Munich",
                                          kind="distribution_centre", country="DE",
                                          latitude=48.14, longitude=11.58),
        }

        def legs(a, b, n, mode):
            return [Leg.objects.create(organisation=org, from_site=sites[a], to_site=sites[b],
                                       mode=mode) for _ in range(n)]

        return {**sites,
                "road_west": legs("hamburg", "rotterdam", 3, "road")
                + legs("hamburg_2", "rotterdam_2", 1, "road"),
                "sea_east": legs("rotterdam_2", "hamburg_3", 1, "sea"),
                "rail_south": legs("hamburg", "munich", 1, "rail")
                + legs("hamburg_3", "munich", 1, "rail"),
                "within": legs("hamburg", "hamburg_2", 1, "road")}


def regions(page):
    """{sites: (href, title)} of the region markers."""
    return {int(n): (href.replace("&amp;", "&"), title) for href, n, title in
            REGION.findall(page)}


def lines(page):
    """{legs: (href, colour, title)} of the lines between regions."""
    return {int(n): (href.replace("&amp;", "&"), colour, title) for href, colour, n, title in
            LINE.findall(page)}


def test_regions_and_the_lines_between_them_count_sites_and_legs(client, world, chain,
                                                                   small_budget):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/supplychain/map/").content.decode()
    assert ("<strong>Overview:</strong> 6 sites and 8 legs grouped into regions; zoom into a "
            "region or filter by mode, country or partner to see each site and leg.") in page
    assert "do not show risk levels, incidents or expired programmes" in page
    found = regions(page)
    assert sorted(found) == [2, 3]
    assert found[3][1] == "3 sites, 1 leg between them: Hamburg, Hamburg warehouse (zoom in)"
    assert found[2][1] == "2 sites: Rotterdam, Rotterdam terminal (zoom in)"
    # Munich is a region of one site: drawn as that site, linking to its record.
    assert NODE.findall(page) == [chain["munich"].get_absolute_url()]
    # No leg is drawn on its own.
    assert LEG.findall(page) == []
    drawn = lines(page)
    assert sorted(drawn) == [2, 5]
    assert drawn[5][1] == MIXED
    assert drawn[5][2] == ("5 legs between Rotterdam, Rotterdam terminal (2 sites) and Hamburg, "
                           "Hamburg warehouse (3 sites) (1 from the first, 4 from the second) · "
                           "Road, Sea (zoom in)")
    assert drawn[2][1] == RAIL
    assert drawn[2][2] == ("2 legs between Hamburg, Hamburg warehouse (3 sites) and Munich hub "
                           "(2 from the first, 0 from the second) · Rail (zoom in)")
    assert 'id="overview-legend"' in page


def test_the_zoom_link_of_a_region_shows_its_sites_and_legs_in_detail(client, world, chain,
                                                                        small_budget):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/supplychain/map/").content.decode()
    href = regions(page)[3][0]
    assert href == "?bbox=9.98,53.54,10.00,53.56"
    zoomed = client.get("/supplychain/map/" + href)
    assert zoomed.status_code == 200
    page = zoomed.content.decode()
    assert "<strong>Overview:</strong>" not in page and regions(page) == {}
    hamburg = {chain[name].get_absolute_url() for name in ("hamburg", "hamburg_2", "hamburg_3")}
    assert set(NODE.findall(page)) == hamburg
    assert LEG.findall(page) == [chain["within"][0].get_absolute_url()]
    # The seven legs to Rotterdam and Munich leave the box; the whole map is one link away.
    assert "3 sites in the box; 7 legs with one end in it lead out and are not drawn" in page
    assert '<a href="?" id="whole-map">Whole map</a>' in page
    # The line Hamburg–Munich zooms to the box of both: five sites, the two rail legs and
    # the leg within Hamburg.
    page = client.get("/supplychain/map/" + lines(
        client.get("/supplychain/map/").content.decode())[2][0]).content.decode()
    assert "<strong>Overview:</strong>" in page  # 4 sites: still over the budget of 3
    assert sorted(regions(page)) == [3] and NODE.findall(page) == [
        chain["munich"].get_absolute_url()]
    assert "4 sites and 3 legs grouped" in page


def test_zoom_links_keep_the_other_filters(client, world, chain, small_budget):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/supplychain/map/", {"country": "DE", "colour": "mode"}).content.decode()
    assert "4 sites and 3 legs grouped" in page
    href = regions(page)[3][0]
    assert href == "?bbox=9.98,53.54,10.00,53.56&country=DE&colour=mode"
    page = client.get("/supplychain/map/", {"mode": "road"}).content.decode()
    # Road legs only: the sites they touch, Munich (rail only) and one Hamburg site gone.
    assert "4 sites and 5 legs grouped" in page
    assert [n for _href, n, _title in REGION.findall(page)] == ["2", "2"]
    assert all(href.endswith("&amp;mode=road") for href, _n, _title in REGION.findall(page))
    assert all(href.endswith("&mode=road") for href, _c, _t in lines(page).values())


def test_a_site_limited_user_sees_only_their_sites_in_the_overview(client, world, chain,
                                                                     small_budget):
    user = world["users"]["security_manager__site"]
    with actor_context(None, name="test"):
        RoleAssignment.objects.get(user=user).sites.add(
            chain["hamburg_2"], chain["hamburg_3"], chain["munich"])
    client.force_login(user)
    page = client.get("/supplychain/map/").content.decode()
    # Hamburg's three sites and Munich; the legs to Rotterdam lead to sites out of scope.
    assert "4 sites and 3 legs grouped" in page
    assert sorted(regions(page)) == [3]
    assert regions(page)[3][1] == ("3 sites, 1 leg between them: Hamburg, Hamburg warehouse "
                                   "(zoom in)")
    assert sorted(lines(page)) == [2]
    assert "Rotterdam" not in page.split('id="map"')[1]


def test_the_overview_costs_the_same_at_50_and_500_legs(client, world, chain, small_budget):
    org = world["org_a"]
    ends = [chain[name] for name in ("hamburg", "rotterdam", "munich", "hamburg_2",
                                     "rotterdam_2")]
    client.force_login(world["users"]["security_manager__org"])

    def add(count, start):
        with fixture_writes(Leg):
            Leg.objects.bulk_create(
                Leg(organisation=org, from_site=ends[i % 5], to_site=ends[(i + 1) % 5],
                    mode="road", reference=f"LEG-O{i:05d}") for i in range(start, start + count))

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/supplychain/map/")
        assert response.status_code == 200
        return len(queries.captured_queries), response.content.decode()

    add(42, 0)  # with the chain's 8: 50 legs
    small_queries, small = measure()
    add(450, 42)
    large_queries, large = measure()
    assert "6 sites and 50 legs" in small and "6 sites and 500 legs" in large
    assert large_queries == small_queries
    # The same regions and lines; only the numbers in them grow.
    assert sorted(regions(small)) == sorted(regions(large)) == [2, 3]
    assert len(lines(small)) == len(lines(large)) == 3
    assert abs(len(large.encode()) - len(small.encode())) < 100


def test_sites_without_coordinates_are_grouped_by_country(client, world, chain, small_budget):
    with actor_context(None, name="test"):
        for name in ("Poznań office", "Łódź office"):
            Site.objects.create(organisation=world["org_a"], name=name, kind="office",
                                country="PL")
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/supplychain/map/").content.decode()
    found = [(href.replace("&amp;", "&"), title) for href, n, title in REGION.findall(page)
             if title.startswith("2 sites without coordinates")]
    assert found == [("?country=PL", "2 sites without coordinates in PL: Poznań office, "
                                    "Łódź office (zoom in)")]


def test_up_to_the_budget_the_map_is_drawn_in_detail(client, world, chain, monkeypatch):
    """Six sites: detailed at a budget of six, an overview at five; the default budget
    leaves the detailed map as it was (every other map test)."""
    client.force_login(world["users"]["security_manager__org"])
    monkeypatch.setattr(network, "MAX_SITES", 6)
    page = client.get("/supplychain/map/").content.decode()
    assert "<strong>Overview:</strong>" not in page and 'class="region' not in page
    assert len(NODE.findall(page)) == 6
    assert len(LEG.findall(page)) == 8
    assert "6 sites and 8 legs in your scope" in page
    monkeypatch.setattr(network, "MAX_SITES", 5)
    page = client.get("/supplychain/map/").content.decode()
    assert "<strong>Overview:</strong> 6 sites and 8 legs" in page
    # The budget of lines counts lines after parallel legs are bundled: 8 legs, 8 lines.
    monkeypatch.setattr(network, "MAX_SITES", 6)
    monkeypatch.setattr(network, "MAX_LINES", 8)
    assert "<strong>Overview:</strong>" not in client.get("/supplychain/map/").content.decode()
    monkeypatch.setattr(network, "MAX_LINES", 7)
    assert "<strong>Overview:</strong>" in client.get("/supplychain/map/").content.decode()


@pytest.mark.parametrize(("bbox", "message"), [
    ("9,53,10", "Give four numbers in degrees"),
    ("west,53,10,54", "Give four numbers in degrees"),
    ("nan,53,10,54", "Give four numbers in degrees"),
    ("10,53,9,54", "West and east must be longitudes from -180 to 180"),
    ("-181,53,10,54", "West and east must be longitudes from -180 to 180"),
    ("9,53,10,1e999", "South and north must be latitudes from -90 to 90"),
    ("9,54,10,53", "South and north must be latitudes from -90 to 90"),
])
def test_an_invalid_box_is_a_form_error_and_the_whole_map_is_shown(client, world, chain, bbox,
                                                                    message):
    client.force_login(world["users"]["security_manager__org"])
    response = client.get("/supplychain/map/", {"bbox": bbox})
    assert response.status_code == 200
    page = response.content.decode()
    errors = page.split('id="map-errors">')[1].split("</div>")[0]
    assert f"Zoom to box: {message}" in errors
    assert len(NODE.findall(page)) == 6
