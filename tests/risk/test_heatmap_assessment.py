"""The heat map of one assessment (issue 13 item 12): `?assessment=` names an assessment the
reader may see, or the page is a 404 — never the heat map of the whole register. Counts are
written by hand from the ratings each test builds (one per assessment)."""

import re

import pytest

from .support import load_catalogues, rating_at


@pytest.fixture
def rated(world):
    load_catalogues()
    return {placement: rating_at(world, placement) for placement in ("in", "out", "foreign")}


def total(page):
    """Ratings counted in the inherent heat map of the page."""
    inherent = re.search(r'data-param="cell".*?</svg>', page, re.S).group(0)
    return sum(int(n) for n in re.findall(r'data-count="(\d+)"', inherent))


def test_an_assessment_of_the_organisation_narrows_the_heat_map(client, world, rated):
    client.force_login(world["users"]["security_manager__org"])
    assert total(client.get("/risk/heatmap/").content.decode()) == 2
    page = client.get("/risk/heatmap/", {"assessment": rated["in"].assessment_id})
    assert page.status_code == 200 and total(page.content.decode()) == 1


@pytest.mark.parametrize("value", ["abc", "0", "99999999", "12345678901234567890", "-1", "1.5",
                                   "²"])
def test_a_malformed_or_unknown_assessment_is_a_404(client, world, rated, value):
    client.force_login(world["users"]["security_manager__org"])
    assert client.get("/risk/heatmap/", {"assessment": value}).status_code == 404


def test_another_organisations_assessment_is_a_404_not_everything(client, world, rated):
    client.force_login(world["users"]["security_manager__org"])
    foreign = rated["foreign"].assessment_id
    assert client.get("/risk/heatmap/", {"assessment": foreign}).status_code == 404


def test_an_assessment_outside_the_readers_sites_is_a_404(client, world, rated):
    client.force_login(world["users"]["site_security_officer__site"])
    assert client.get("/risk/heatmap/", {"assessment": rated["out"].assessment_id}
                      ).status_code == 404
    page = client.get("/risk/heatmap/", {"assessment": rated["in"].assessment_id})
    assert page.status_code == 200 and total(page.content.decode()) == 1
