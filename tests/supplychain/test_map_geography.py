"""The map draws Natural Earth's country outlines under the chain (issue 13 item 13): decoded
from the pinned world-atlas package, only the countries in view, hidden from screen readers,
at no query cost; without the data file the map still works."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainward.ledger.context import actor_context
from chainward.supplychain import geography
from chainward.supplychain import map as network
from chainward.supplychain.models import Site

pytestmark = pytest.mark.skipif(not geography.countries(),
                                reason="npm package world-atlas not installed (make installs it)")


def _country(name):
    [country] = [c for c in geography.countries() if c.name == name]
    return country


def test_the_outlines_are_where_the_countries_are():
    # Germany spans about 5.9°E–15.0°E and 47.3°N–55.1°N (public atlases); 1:110m is coarse.
    germany = _country("Germany")
    assert 5.0 < germany.west < 6.5 and 14.5 < germany.east < 15.5
    assert 47.0 < germany.south < 47.8 and 54.5 < germany.north < 55.5
    # Chile lies west of 66°W and south of 17°S.
    chile = _country("Chile")
    assert chile.east < -66 and chile.north < -17


def _page(client, world):
    client.force_login(world["users"]["security_manager__org"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/supplychain/map/").content.decode()
    return page, len(queries)


def test_the_map_shows_the_countries_of_its_sites_and_no_others(client, world):
    # Organisation A's sites: Hamburg (DE) and Rotterdam (NL); Lyon is B's.
    page, _ = _page(client, world)
    group = page.split('<g class="countries"')[1].split("</g>")[0]
    assert 'aria-hidden="true"' in group  # shapes, not content: nothing for a screen reader
    for name in ("Germany", "Netherlands"):
        assert f'data-country="{name}"' in group, name
    for name in ("Australia", "Brazil", "Japan", "Spain", "France"):
        assert f'data-country="{name}"' not in group, name
    assert len(group) < 20_000  # out-of-view islands and exclaves are left out


def test_japan_is_several_islands(world):
    assert len(_country("Japan").rings) >= 3


def test_the_outlines_cost_no_query_and_a_missing_file_only_drops_them(client, world,
                                                                        settings):
    with_outlines, queries = _page(client, world)
    settings.COUNTRY_OUTLINES = "/nonexistent/countries-110m.json"
    geography.countries.cache_clear()
    try:
        without, queries_without = _page(client, world)
    finally:
        geography.countries.cache_clear()
    assert '<g class="countries"' in with_outlines and '<g class="countries"' not in without
    assert queries == queries_without
    assert without.count('class="node"') == with_outlines.count('class="node"')


def test_one_site_is_a_point_not_a_country_map(world):
    with actor_context(None, name="fixture"):
        site = Site.objects.create(organisation=world["org_b"], name="Lone depot", code="LD",
                                   kind="warehouse", country="DE", latitude=50.1,
                                   longitude=8.7)
    assert geography.outlines_svg(network.fit([site])) == ""
