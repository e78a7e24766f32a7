"""Issue 13 item 4: prerequisites say so where they bite — an assessment without a matrix
offers the default in one POST, a rating without declared scenarios links to declaring them,
and the scenario picker shows each scenario's ISO 28001 threat categories (ticked, never typed,
for an own scenario)."""

import pytest
from django.test import Client

from chainward.risk.models import RiskMatrix, ThreatApplicability

from .support import assessment_at, load_catalogues, threat

ASSESSMENT_ADD = "/risk/assessments/add/"


@pytest.fixture
def catalogues(db):
    load_catalogues()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_assessment_without_matrix_offers_the_default_in_one_post(world, catalogues):
    manager = client_for(world["users"]["security_manager__org"])
    page = manager.get(ASSESSMENT_ADD).content.decode()
    assert "this organisation has none yet" in page
    assert '<form method="post" action="/risk/matrices/default/?next=/risk/assessments/add/"' \
        in page and "Create the default matrix</button>" in page
    response = manager.post("/risk/matrices/default/?next=/risk/assessments/add/")
    assert response.status_code == 302 and response.url == ASSESSMENT_ADD
    matrix = RiskMatrix.objects.get(organisation=world["org_a"])
    assert matrix.created_by == world["users"]["security_manager__org"]
    assert len(matrix.grid) == 5
    assert "has none yet" not in manager.get(ASSESSMENT_ADD).content.decode()
    # Again: nothing new, the existing one is kept.
    manager.post("/risk/matrices/default/", {"next": "https://evil.example/"})
    assert RiskMatrix.objects.filter(organisation=world["org_a"]).count() == 1


def test_the_empty_matrix_picker_names_the_step(world, catalogues):
    manager = client_for(world["users"]["security_manager__org"])
    empty = manager.get("/lookup/risk.securityassessment/matrix/").json()["empty"]
    assert empty == {"text": "No risk matrix yet.", "url": "/risk/matrices/default/",
                     "link": "Create the default matrix"}


def test_someone_who_may_not_add_matrices_is_told_whom_to_ask(world, catalogues):
    # A site-limited security manager adds assessments of their sites, not the organisation's
    # matrices.
    officer = client_for(world["users"]["security_manager__site"])
    page = officer.get(ASSESSMENT_ADD).content.decode()
    assert "Ask your security manager to create the default matrix" in page
    assert "/risk/matrices/default/" not in page
    assert officer.post("/risk/matrices/default/", {}).status_code == 403
    assert not RiskMatrix.objects.filter(organisation=world["org_a"]).exists()


def test_a_rating_without_declared_scenarios_links_to_declaring_them(world, catalogues):
    assessment = assessment_at(world, "in")
    manager = client_for(world["users"]["security_manager__org"])
    url = f"/risk/register/add/?assessment={assessment.pk}"
    page = manager.get(url).content.decode()
    assert "No threat scenario is declared applicable in Assessment in yet" in page
    assert f'href="/risk/applicability/add/?assessment={assessment.pk}"' in page
    empty = manager.get("/lookup/risk.rating/threat/").json()["empty"]
    assert empty["link"] == "Declare which threat scenarios apply"
    assert empty["url"] == "/risk/applicability/add/"
    threat(assessment, "TS-01")
    assert "declared applicable" not in manager.get(url).content.decode()


def test_the_scenario_picker_shows_iso28001_categories(world, catalogues):
    manager = client_for(world["users"]["security_manager__org"])
    results = manager.get("/lookup/risk.threatapplicability/scenario/?q=TS-01").json()["results"]
    assert len(results) == 1
    assert results[0]["label"].startswith("TS-01 Theft of full load")
    assert "CI Cargo integrity" in results[0]["label"]


def test_an_own_scenarios_categories_are_ticked_and_checked_everywhere(world, catalogues):
    assessment = assessment_at(world, "in")
    manager = client_for(world["users"]["security_manager__org"])
    add = f"/risk/applicability/add/?assessment={assessment.pk}"
    page = manager.get(add).content.decode()
    assert 'type="checkbox" name="custom_categories" value="UA"' in page
    data = {"assessment": assessment.pk, "custom_scenario": "Drone over the yard",
            "applicable": "on", "custom_categories": ["UA", "SM"]}
    response = manager.post("/risk/applicability/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = ThreatApplicability.objects.get(custom_scenario="Drone over the yard")
    assert row.custom_categories == ["UA", "SM"] and row.categories == ["UA", "SM"]
    for bad, message in ((["ZZ"], "Select a valid choice"),
                         ([], "Say which ISO 28001 threat categories it covers")):
        response = manager.post("/risk/applicability/add/", {
            **data, "custom_scenario": "Balloon", "custom_categories": bad})
        assert response.status_code == 400
        assert message in str(response.context["form"].errors["custom_categories"])
    api = manager.post("/api/risk/applicability/", {
        "assessment": assessment.pk, "custom_scenario": "Balloon", "applicable": True,
        "custom_categories": ["ZZ"]}, content_type="application/json")
    assert api.status_code == 400
    assert "Unknown ISO 28001 threat categories: ZZ" in str(api.json()["errors"])
    assert not ThreatApplicability.objects.filter(custom_scenario="Balloon").exists()
