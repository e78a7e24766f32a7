"""The risk register costs the same queries at 10 and 1,000 rows (list page and API), and a
200 scenarios × 50 targets grid (10,000 ratings) pages in the same queries as a small one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainward.ledger.context import actor_context
from chainward.risk.models import Rating, ThreatApplicability
from chainward.supplychain.models import Site
from tests.support.bulk import fixture_writes

from .support import assessment_at, load_catalogues


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def bulk_grid(world, assessment, scenarios, targets, start=0):
    """`scenarios` × `targets` ratings made with bulk_create, levels computed per row."""
    org, matrix = world["org_a"], assessment.matrix
    owner = world["users"]["security_manager__org"]
    with actor_context(None, name="query budget"), \
            fixture_writes(Site, ThreatApplicability, Rating):
        have = Site.objects.filter(organisation=org, code__startswith="G").count()
        Site.objects.bulk_create([
            Site(organisation=org, name=f"Grid site {i}", code=f"G{i}", kind="warehouse",
                 country="DE", reference=f"SIT-G{i:04d}") for i in range(have, targets)])
        sites = list(Site.objects.filter(organisation=org, code__startswith="G")
                     .order_by("pk")[:targets])
        assessment.sites.add(*sites)
        have = ThreatApplicability.objects.filter(assessment=assessment).count()
        ThreatApplicability.objects.bulk_create([
            ThreatApplicability(organisation=org, assessment=assessment,
                                custom_scenario=f"Scenario {i}", custom_categories=["CI"],
                                reference=f"TAP-G{i:05d}") for i in range(have, scenarios)])
        threats = list(ThreatApplicability.objects.filter(assessment=assessment)
                       .order_by("pk")[:scenarios])
        existing = set(Rating.objects.filter(assessment=assessment).values_list(
            "threat_id", "site_id"))
        rows, n = [], Rating.objects.count()
        for t_index, threat in enumerate(threats):
            for s_index, site in enumerate(sites):
                if (threat.pk, site.pk) in existing:
                    continue
                n += 1
                rating = Rating(organisation=org, assessment=assessment, threat=threat,
                                site=site, likelihood=1 + (t_index + s_index) % 5,
                                consequences={"economic": 1 + (t_index * 7 + s_index) % 5},
                                decision="treat", owner=owner, reference=f"RAT-{n:06d}")
                rating.compute_levels(matrix)
                rows.append(rating)
        Rating.objects.bulk_create(rows, batch_size=2000)


@pytest.fixture
def setup(client, world):
    load_catalogues()
    assessment = assessment_at(world, "in", "Budget assessment")
    client.force_login(world["users"]["administrator__org"])
    return world, assessment


def test_register_list_and_api_cost_the_same_at_10_and_1000_rows(client, setup):
    world, assessment = setup
    lst, api = "/risk/register/?per_page=100", "/api/risk/register/?limit=1000"
    bulk_grid(world, assessment, 2, 5)
    assert Rating.objects.count() == 10
    small = (count_queries(client, lst), count_queries(client, api),
             count_queries(client, "/risk/heatmap/"))
    bulk_grid(world, assessment, 20, 50)
    assert Rating.objects.count() == 1000
    large = (count_queries(client, lst), count_queries(client, api),
             count_queries(client, "/risk/heatmap/"))
    assert large == small, f"queries at 10 rows {small}, at 1000 rows {large}"


def test_grid_of_10000_ratings_pages_in_fixed_queries(client, setup):
    world, assessment = setup
    pages = ("/risk/register/", "/risk/register/?sort=-residual_rank",
             f"/risk/register/?assessment={assessment.pk}&residual_level=high",
             "/api/risk/register/?limit=50")
    bulk_grid(world, assessment, 4, 5)
    small = [count_queries(client, url) for url in pages]
    bulk_grid(world, assessment, 200, 50)
    assert Rating.objects.count() == 10_000
    large = [count_queries(client, url) for url in pages]
    assert large == small
    # Levels were computed for the bulk rows: the stored level matches the matrix.
    sample = Rating.objects.order_by("?").first()
    assert sample.inherent_level == assessment.matrix.level_for(sample.likelihood,
                                                                sample.consequence)
