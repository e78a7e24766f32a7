"""The map at scale (issue 13 item 13): parallel legs are drawn as one line standing for them,
legs with incidents or of an expired programme keep their mark, and a scale-M chain (500 sites,
5,000 legs) costs the same queries as a small one and stays a page a browser can hold. The
expected lines are counted by hand from the legs each test builds."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg, Partner, ProgrammeStatus, Site
from tests.incidents import factories as incidents
from tests.support.bulk import fixture_writes

LINE = re.compile(r'<a href="([^"]+)"><path class="leg[^"]*"([^>]*)><title>([^<]*)</title>')
LEGS = re.compile(r'data-legs="(\d+)"')


def lines(page):
    """[(href, legs it stands for, title)] of the map's leg lines."""
    found = []
    for href, attributes, title in LINE.findall(page):
        n = LEGS.search(attributes)
        found.append((href.replace("&amp;", "&"), int(n.group(1)) if n else 1, title))
    return found


def legs(org, a, b, n, mode="road", **extra):
    with actor_context(None, name="fixture"):
        return [Leg.objects.create(organisation=org, from_site=a, to_site=b, mode=mode, **extra)
                for _ in range(n)]


def test_more_than_three_look_alike_legs_between_two_sites_are_one_line(client, world):
    org, s1, s2 = world["org_a"], world["s1"], world["s2"]
    road = legs(org, s1, s2, 5)
    sea = legs(org, s1, s2, 1, mode="sea")
    back = legs(org, s2, s1, 3)  # three: still drawn one by one
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/supplychain/map/", {"colour": "mode"}).content.decode()
    found = lines(page)
    assert len(found) == 1 + 1 + 3
    bundle = [line for line in found if line[1] > 1]
    assert bundle == [(f"/supplychain/legs/?from_site={s1.pk}&to_site={s2.pk}&mode=road", 5,
                       f"5 legs from Hamburg warehouse to Rotterdam terminal · Road · "
                       f"{road[0].reference}, {road[1].reference}, {road[2].reference} "
                       f"and 2 more")]
    singles = {href for href, n, _title in found if n == 1}
    assert singles == {leg.get_absolute_url() for leg in sea + back}
    assert "6 legs" not in page and "9 legs in your scope" in page
    assert 'id="bundled-legs"' in page and "(5 lines for 9 legs)" in page
    # The bundle's link lists exactly its five legs.
    listing = client.get(bundle[0][0]).content.decode()
    for leg in road + sea + back:
        assert (leg.reference in listing) == (leg in road), leg.reference


def test_legs_with_incidents_or_an_expired_carrier_are_not_hidden_in_a_bundle(client, world):
    org, s1, s2 = world["org_a"], world["s1"], world["s2"]
    today = timezone.localdate()
    with actor_context(None, name="fixture"):
        lapsed = Partner.objects.create(organisation=org, name="Lapsed Lines", kind="carrier",
                                        country="DE")
        ProgrammeStatus.objects.create(organisation=org, partner=lapsed, programme="aeo_s",
                                       valid_until=today - datetime.timedelta(days=2))
    plain = legs(org, s1, s2, 5)
    expired = legs(org, s1, s2, 4, carrier=lapsed)
    with actor_context(None, name="fixture"):
        incidents.incident(org, "Cargo stolen on the road", leg=plain[0])
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/supplychain/map/", {"colour": "mode"}).content.decode()
    found = {href: (n, title) for href, n, title in lines(page)}
    # The leg with the incident on its own, with its marker; the other four plain legs bundled;
    # the four legs of the expired carrier bundled apart, dashed and saying so.
    assert found[plain[0].get_absolute_url()][0] == 1
    assert f'href="/incidents/incidents/?leg={plain[0].pk}" class="incident-marker"' in page
    # The marker is a link named by its SVG <title> (what a screen reader announces).
    assert (f'<title>1 incident on {plain[0].reference} in the last 12 months</title>'
            in page)
    counts = sorted(n for n, _title in found.values())
    assert counts == [1, 4, 4]
    dashed = [title for n, title in found.values() if "programme expired" in title]
    assert len(dashed) == 1 and dashed[0].startswith("4 legs from Hamburg warehouse")
    assert expired[0].reference in dashed[0]
    assert page.count('data-expired="true"') == 1


@pytest.mark.django_db
def test_a_scale_m_chain_costs_the_queries_of_a_small_one(client, world):
    """500 sites and 5,000 legs: 4,000 of them on 200 busy lanes (20 each), 1,000 on lanes of
    their own. The page draws 1,200 lines, and asks the database as often as for 3 legs."""
    org = world["org_a"]
    user = world["users"]["security_manager__org"]
    client.force_login(user)
    legs(org, world["s1"], world["s2"], 3)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/supplychain/map/")
        assert response.status_code == 200
        return len(queries.captured_queries), response.content.decode()

    small_queries, _ = measure()
    with fixture_writes(Site, Leg):
        sites = Site.objects.bulk_create(
            Site(organisation=org, name=f"Node {i}", code=f"N{i:03d}", kind="warehouse",
                 country="DE", latitude=47 + (i % 25) * 0.3, longitude=6 + (i // 25) * 0.4,
                 reference=f"SIT-M{i:04d}")
            for i in range(498))
        sites += [world["s1"], world["s2"]]
        rows = []
        for lane in range(200):  # busy lanes: 20 road legs each
            a, b = sites[lane], sites[(lane + 7) % 500]
            rows += [(a, b)] * 20
        for lane in range(1000):  # lanes of one leg each, none parallel to a busy lane
            a, b = sites[lane % 500], sites[(lane // 500 + lane % 500 + 20) % 500]
            rows.append((a, b))
        Leg.objects.bulk_create(
            Leg(organisation=org, from_site=a, to_site=b, mode="road",
                reference=f"LEG-M{i:05d}") for i, (a, b) in enumerate(rows))
    assert Leg.objects.filter(organisation=org).count() == 5_003
    large_queries, page = measure()
    assert large_queries == small_queries, (small_queries, large_queries)
    found = lines(page)
    assert sum(n for _href, n, _title in found) == 5_003
    assert len(found) == 200 + 1000 + 3
    assert sorted({n for _href, n, _title in found}) == [1, 20]
    # One line per lane, not per leg: the page stays within what a phone loads comfortably.
    assert len(page.encode()) < 600_000, len(page.encode())
