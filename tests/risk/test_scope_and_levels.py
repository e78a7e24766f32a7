"""Same levels everywhere (register, heat maps, map colours) and ISO 28001 5.8 protection:
a user limited to S1 sees none of S2's (or partner-only) ratings, anywhere."""

import csv
import io
import re

import pytest

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.risk import heatmap, services
from chainward.risk.models import Rating, ThreatApplicability
from chainward.supplychain.models import Site
from tests.support.bulk import fixture_writes

from .support import assessment_at, leg, load_catalogues, not_credible, rating, threat

HIGH, CRITICAL, MEDIUM = "#ff9800", "#f44336", "#ffeb3b"


@pytest.fixture
def rated(world):
    """A completed assessment of S1 and S2: S1 high, S2 critical, a leg S1→S2 medium, a leg
    S2→S2b critical and a partner-only rating; every category considered."""
    load_catalogues()
    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="t"):
        s2b = Site.objects.create(organisation=world["org_a"], name="Antwerp", code="S2B",
                                  kind="warehouse", country="BE", latitude=51.2, longitude=4.4)
    leg12, leg22 = leg(world, world["s1"], world["s2"]), leg(world, world["s2"], s2b)
    assessment = assessment_at(world, "in", "Scope assessment")
    assessment.sites.set([world["s1"], world["s2"], s2b])
    assessment.legs.set([leg12, leg22])
    assessment.partners.set([world["carrier_a"]])
    applicability = threat(assessment, "TS-01")
    with actor_context(None, name="t"):
        ThreatApplicability.objects.create(
            organisation=world["org_a"], assessment=assessment, custom_scenario="Rest",
            custom_categories=["UA", "SM", "IC", "CI", "UU", "OT"], applicable=False,
            justification="n/a")
    common = {"decision": "treat", "owner": manager}
    ratings = {
        # L3 × C4 → high, residual L3 × C4 → high (above appetite, treated).
        "s1": rating(assessment, applicability, site=world["s1"], likelihood=3,
                     consequences={"economic": 4}, residual_likelihood=3,
                     residual_consequence=4, **common),
        "s2": rating(assessment, applicability, site=world["s2"], likelihood=5,
                     consequences={"life": 5}, residual_likelihood=5, residual_consequence=5,
                     **common),
        "leg12": rating(assessment, applicability, leg=leg12, likelihood=3,
                        consequences={"legal": 3}, residual_likelihood=3,
                        residual_consequence=3, **common),
        "leg22": rating(assessment, applicability, leg=leg22, likelihood=4,
                        consequences={"legal": 5}, residual_likelihood=4,
                        residual_consequence=5, **common),
        "partner": rating(assessment, applicability, partner=world["carrier_a"], likelihood=2,
                          consequences={"reputation": 2}, decision="acceptable",
                          owner=manager),
    }
    # Every applicable pair is rated or judged (ISO 28001 5.3): Antwerp holds no full loads.
    not_credible(assessment, applicability, site=s2b,
                 reason="Antwerp is a returns desk without loaded trailers or containers.")
    services.complete_assessment(manager, assessment)
    return {"assessment": assessment, "ratings": ratings, "leg12": leg12, "leg22": leg22,
            "s2b": s2b}


def visible(world, key):
    return set(Rating.objects.restrict(world["users"][key], "view").values_list("pk",
                                                                              flat=True))


def test_levels_agree_in_register_heat_map_and_map(client, world, rated):
    r = rated["ratings"]
    assert [r[k].residual_level for k in ("s1", "s2", "leg12", "leg22", "partner")] == [
        "high", "critical", "medium", "critical", "low"]
    user = world["users"]["security_manager__org"]
    client.force_login(user)
    # Register: the level shown per row.
    page = client.get("/risk/register/", {"per_page": 100}).content.decode()
    for key, name in (("s1", "High"), ("s2", "Critical"), ("leg12", "Medium")):
        row = re.search(rf"{r[key].reference}.*?</tr>", page, re.S).group(0)
        assert name in row
    # Filter on the residual level gives the same rows.
    page = client.get("/risk/register/", {"residual_level": "critical"}).content.decode()
    assert r["s2"].reference in page and r["leg22"].reference in page
    assert r["s1"].reference not in page
    # Heat map: the residual cell (5, 5) counts one, (4, 5) one, (3, 4) one.
    heat = client.get("/risk/heatmap/").content.decode()
    for cell, count in (("3-4", 1), ("5-5", 1), ("4-5", 1), ("3-3", 1), ("2-2", 1)):
        residual = re.search(r'data-param="residual_cell".*?</svg>', heat, re.S).group(0)
        assert f'data-cell="{cell}" data-count="{count}"' in residual, cell
    # And the linked cell lists exactly those ratings.
    page = client.get("/risk/register/", {"residual_cell": "5-5"}).content.decode()
    assert r["s2"].reference in page and r["s1"].reference not in page
    # Map colours: highest residual per site and leg, same colours as the matrix levels.
    sites, legs = heatmap.map_colours(user, world["org_a"])
    assert sites == {world["s1"].pk: HIGH, world["s2"].pk: CRITICAL}
    assert legs == {rated["leg12"].pk: MEDIUM, rated["leg22"].pk: CRITICAL}
    page = client.get("/supplychain/map/").content.decode()
    assert f'fill="{HIGH}"><title>' in page and f'fill="{CRITICAL}"><title>' in page
    assert f'stroke="{MEDIUM}"' in page


def test_site_limited_user_sees_only_their_sites_ratings(client, world, rated):
    r = rated["ratings"]
    officer = world["users"]["site_security_officer__site"]
    # S1 grant: the S1 rating and the leg starting at S1; never S2's, S2→S2b or partner-only.
    assert visible(world, "site_security_officer__site") == {r["s1"].pk, r["leg12"].pk}
    assert visible(world, "security_manager__org") == {x.pk for x in r.values()}
    client.force_login(officer)
    hidden = [r["s2"], r["leg22"], r["partner"]]
    page = client.get("/risk/register/", {"per_page": 100}).content.decode()
    assert r["s1"].reference in page
    for obj in hidden:
        assert obj.reference not in page
        assert client.get(obj.get_absolute_url()).status_code == 404
        assert client.get(f"/api/risk/register/{obj.pk}/").status_code == 404
    api_ids = {row["id"] for row in client.get("/api/risk/register/").json()["results"]}
    assert api_ids == {r["s1"].pk, r["leg12"].pk}
    heat = client.get("/risk/heatmap/").content.decode()
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', heat)]
    assert sum(counts) == 4  # 2 ratings × (inherent + residual)
    assert 'data-cell="5-5" data-count="0"' in heat
    sites, legs = heatmap.map_colours(officer, world["org_a"])
    assert sites == {world["s1"].pk: HIGH} and legs == {rated["leg12"].pk: MEDIUM}
    page = client.get("/supplychain/map/").content.decode()
    assert f'fill="{HIGH}"><title>' in page  # the S1 node
    assert f'fill="{CRITICAL}"><title>' not in page and f'stroke="{CRITICAL}"' not in page
    before = LedgerEntry.objects.filter(action="export").count()
    export = client.get("/risk/register/", {"export": "csv"})
    assert export.status_code == 200
    cells = {c for row in csv.reader(io.StringIO(export.getvalue().decode("utf-8-sig")))
             for c in row}
    assert r["s1"].reference in cells
    assert not any(obj.reference in cells for obj in hidden)
    assert LedgerEntry.objects.filter(action="export").count() == before + 1
    # The assessment covering S1 is visible; the acceptances/others of S2 are not.
    assert client.get(rated["assessment"].get_absolute_url()).status_code == 200


def test_dashboard_cards_and_prompts(client, world, rated):
    import datetime

    from chainward.risk.dashboard import reassessment_prompts
    from chainward.risk.models import RiskMatrix, SecurityAssessment

    manager = world["users"]["security_manager__org"]
    client.force_login(manager)
    home = client.get("/").content.decode()
    assert "Risks above appetite, not accepted" in home
    assert "Security re-assessment" in home
    assert reassessment_prompts(manager, world["org_a"]) == []
    long_ago = datetime.date.today() - datetime.timedelta(days=400)
    with fixture_writes(SecurityAssessment):
        SecurityAssessment.objects.filter(pk=rated["assessment"].pk).update(completed_on=long_ago)
    with actor_context(None, name="t"):
        Site.objects.create(organisation=world["org_a"], name="New DC", code="S9",
                            kind="warehouse", country="DE")
    with fixture_writes(RiskMatrix):
        RiskMatrix.objects.filter(organisation=world["org_a"]).update(
            threat_level_changed_on=datetime.date.today(), threat_level_note="Alert raised")
    prompts = reassessment_prompts(manager, world["org_a"])
    assert any(p.startswith("Annual review due") for p in prompts)
    assert any(re.match(r"\d+ sites? added since", p) for p in prompts)
    assert any("Threat level changed" in p and "Alert raised" in p for p in prompts)


def test_review_input_and_pack_section_show_only_visible_ratings(world, rated):
    import openpyxl

    from chainward.risk.integrations import risk_register, risks

    r = rated["ratings"]
    manager = world["users"]["security_manager__org"]
    officer = world["users"]["site_security_officer__site"]
    figures = {f["key"]: f["value"] for f in risks(world["org_a"], manager)["figures"]}
    assert figures["ratings"] == 5 and figures["above_appetite"] == 3
    figures = {f["key"]: f["value"] for f in risks(world["org_a"], officer)["figures"]}
    assert figures["ratings"] == 2

    import zipfile

    from chainward.certification.evidence_pack import PackWriter

    pack = PackWriter(officer, "EP-1")
    entries = risk_register(world["org_a"], officer, pack)
    archive = zipfile.ZipFile(io.BytesIO(pack.close()))
    assert entries[0].restricted and entries[0].note == "2 ratings"
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read(entries[0].path))).active
    cells = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert cells[0].startswith("RESTRICTED")  # the watermark line
    assert set(cells[2:]) == {r["s1"].reference, r["leg12"].reference}
