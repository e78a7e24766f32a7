"""Risk levels coloured in every register (issue 13 item 12): a rating's inherent and residual
levels and an incident's severity (on the matrix's consequence scale) are badges in the
matrix's colour — the heat map's — in the list and on the detail page, with text that stays
readable (at least 4.5:1). Expected names and colours are the default matrix's, copied here by
hand from catalogs/risk-matrix-default.yaml (likelihood 3 x consequence 4 is High, 1 x 2 Low)."""

import re

import pytest

from chainward.core.colours import contrast_ratio
from chainward.ledger.context import actor_context
from chainward.risk import services
from tests.incidents.factories import incident

from .support import assessment_at, load_catalogues, rating, threat

HIGH, LOW, MODERATE = "#ff9800", "#4caf50", "#ffeb3b"  # the default matrix's colours


@pytest.fixture
def catalogues(db):
    load_catalogues()


def badges(page):
    """(colour, tone, text) of every level badge of a page."""
    found = re.findall(
        r'<span class="badge level-badge (level-on-\w+)" data-colour="([^"]+)">'
        r'<svg class="level-badge-fill"[^>]*><rect width="1" height="1" fill="([^"]+)"/></svg>'
        r'<span class="level-badge-text"(?: id="[^"]+")?>([^<]*)</span></span>', page)
    assert all(colour == fill for _, colour, fill, _ in found)
    return [(colour, tone, text) for tone, colour, _, text in found]


@pytest.fixture
def rated(world, catalogues):
    assessment = assessment_at(world, "in")
    return rating(assessment, threat(assessment), site=world["s1"], likelihood=3,
                  residual_likelihood=1, residual_consequence=2)


def test_the_risk_register_list_colours_inherent_and_residual_levels(client, world, rated):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/risk/register/").content.decode()
    assert badges(page) == [(HIGH, "level-on-light", "High"), (LOW, "level-on-light", "Low")]


def test_a_ratings_page_shows_its_levels_as_badges(client, world, rated):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get(rated.get_absolute_url()).content.decode()
    assert (HIGH, "level-on-light", "High") in badges(page)
    assert (LOW, "level-on-light", "Low") in badges(page)
    assert 'id="inherent-level">High<' in page and 'id="residual-level">Low<' in page
    # ...and the assessment's ratings panel too (its first five columns: inherent, not yet
    # the residual level).
    page = client.get(rated.assessment.get_absolute_url()).content.decode()
    assert badges(page) == [(HIGH, "level-on-light", "High")]


@pytest.fixture
def with_matrix(world, catalogues):
    with actor_context(None, name="test"):
        services.default_matrix(world["org_a"])
        return incident(world["org_a"], "Curtain slashed at S1", site=world["s1"], severity=3)


def test_the_incident_list_and_page_colour_the_severity(client, world, with_matrix):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/incidents/incidents/").content.decode()
    assert badges(page) == [(MODERATE, "level-on-light", "3 — Moderate")]
    page = client.get(with_matrix.get_absolute_url()).content.decode()
    # In the summary line and among the fields.
    assert badges(page) == [(MODERATE, "level-on-light", "3 — Moderate")] * 2
    assert 'id="incident-severity">3 — Moderate<' in page


def test_without_a_matrix_the_severity_stays_a_plain_number(client, world):
    with actor_context(None, name="test"):
        incident(world["org_a"], "No matrix yet", site=world["s1"], severity=2)
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/incidents/incidents/").content.decode()
    assert badges(page) == [] and "<td>2</td>" in page


def test_the_level_list_costs_no_query_per_row(client, world, with_matrix,
                                               django_assert_max_num_queries):
    with actor_context(None, name="test"):
        for n in range(5):
            incident(world["org_a"], f"More {n}", site=world["s1"], severity=4)
    client.force_login(world["users"]["security_manager__org"])
    client.get("/incidents/incidents/")  # warm the session and caches
    with django_assert_max_num_queries(30) as counted:
        page = client.get("/incidents/incidents/").content.decode()
    one_row = len(counted.captured_queries)
    assert len(badges(page)) == 6
    with actor_context(None, name="test"):
        for n in range(10):
            incident(world["org_a"], f"Even more {n}", site=world["s1"], severity=5)
    with django_assert_max_num_queries(one_row):
        client.get("/incidents/incidents/")


@pytest.mark.parametrize("colour", [HIGH, LOW, MODERATE, "#8bc34a", "#f44336", "#adb5bd"])
def test_badge_text_is_readable_on_every_default_colour(colour):
    from chainward.core.templatetags.chainward import level_badge

    html = str(level_badge("Level", colour))
    text = "#000000" if "level-on-light" in html else "#ffffff"
    assert contrast_ratio(colour, text) >= 4.5
