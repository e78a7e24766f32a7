"""Validation people can act on: leg ends, carriers, programme levels and expiry."""

import datetime
import json

from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg, Partner, ProgrammeStatus
from tests.core.test_import_export import csv_upload


def test_a_legs_carrier_must_be_a_carrier(admin_client, world):
    with actor_context(None, name="test"):
        broker = Partner.objects.create(organisation=world["org_a"], name="Zoll Broker",
                                        kind="customs_broker", country="DE")
    response = admin_client.post("/supplychain/legs/add/", {
        "from_site": world["s1"].pk, "to_site": world["s2"].pk, "mode": "road",
        "carrier": broker.pk})
    assert response.status_code == 400
    assert "Zoll Broker is a Customs broker, not a carrier" in response.content.decode()
    api = admin_client.post("/api/supplychain/legs/", json.dumps({
        "from_site": world["s1"].pk, "to_site": world["s2"].pk, "mode": "road",
        "carrier": broker.pk}), content_type="application/json")
    assert api.status_code == 400 and "carrier" in api.json()["errors"]
    assert not Leg.objects.exists()


def test_a_leg_needs_two_different_ends(admin_client, world):
    response = admin_client.post("/api/supplychain/legs/", json.dumps({
        "from_site": world["s1"].pk, "to_site": world["s1"].pk, "mode": "rail"}),
        content_type="application/json")
    assert response.status_code == 400
    assert "different site" in json.dumps(response.json())


def test_programme_levels_are_checked_and_expiry_is_shown(admin_client, world):
    response = admin_client.post("/supplychain/programmes/add/", {
        "partner": world["carrier_a"].pk, "programme": "ctpat", "level": "Tier 9"})
    assert response.status_code == 400
    assert ("C-TPAT levels are Tier 1, Tier 2, Tier 3, Certified, Validated"
            in response.content.decode())
    with actor_context(None, name="test"):
        expired = ProgrammeStatus.objects.create(
            organisation=world["org_a"], partner=world["carrier_a"], programme="tapa_fsr",
            level="A", valid_until=datetime.date.today() - datetime.timedelta(days=1))
    assert expired.is_expired
    page = admin_client.get(expired.get_absolute_url()).content.decode()
    assert '<span class="badge text-bg-danger">expired</span>' in page
    listed = admin_client.get("/supplychain/programmes/", {"expired": "true"}).content.decode()
    assert expired.get_absolute_url() in listed


def test_bad_api_input_is_a_400_with_field_errors_never_a_500(admin_client, world):
    for payload in ({"name": ""}, {"name": "X", "kind": "pirate", "country": "ZZ"},
                    {"name": "X", "kind": "warehouse", "country": "DE", "latitude": 123}):
        response = admin_client.post("/api/supplychain/sites/", json.dumps(payload),
                                     content_type="application/json")
        assert response.status_code == 400, response.content
    response = admin_client.post("/api/supplychain/sites/", "{not json",
                                 content_type="application/json")
    assert response.status_code == 400


AEO_F_REFUSED = "AEO-F is the pre-UCC certificate"


def test_nothing_new_is_recorded_as_aeo_f_on_any_path_but_old_records_stay_editable(
        admin_client, world, run_on_commit):
    """Issue 12: AEOC/AEOS are the authorisations; AEO-F is a legacy value only (form, API,
    import and an edit that switches a record to it are refused; an existing AEO-F record is
    still shown and can be corrected)."""
    partner = world["carrier_a"]
    before = ProgrammeStatus.objects.count()
    response = admin_client.post("/supplychain/programmes/add/", {
        "partner": partner.pk, "programme": "aeo_f"})
    assert response.status_code == 400 and AEO_F_REFUSED in response.content.decode()
    response = admin_client.post("/api/supplychain/programmes/", json.dumps(
        {"partner": partner.pk, "programme": "aeo_f"}), content_type="application/json")
    assert response.status_code == 400
    assert AEO_F_REFUSED in response.json()["errors"]["programme"][0]
    upload = csv_upload([[partner.name, "AEO-F (legacy pre-UCC certificate; record AEOC and "
                          "AEOS)"]], header=["partner", "programme"], name="programmes.csv")
    response = admin_client.post("/supplychain/programmes/import/", {"file": upload})
    assert response.status_code == 400
    assert [(row, column) for row, column, _ in response.context["preview"].errors] == [
        (2, "programme")]
    assert AEO_F_REFUSED in response.context["preview"].errors[0][2]
    assert ProgrammeStatus.objects.count() == before

    with actor_context(None, name="fixture: a record from before the UCC"):
        legacy = ProgrammeStatus.objects.create(organisation=world["org_a"], partner=partner,
                                                programme="aeo_f", identifier="DEAEOF0001")
        current = ProgrammeStatus.objects.create(organisation=world["org_a"], partner=partner,
                                                 programme="aeo_s", identifier="DEAEOS0001")
    # Switching a current record to AEO-F is refused ...
    response = admin_client.patch(f"/api/supplychain/programmes/{current.pk}/", json.dumps(
        {"programme": "aeo_f", "version": current.version}), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"programme": [response.json()["errors"]["programme"][0]]}
    assert AEO_F_REFUSED in response.json()["errors"]["programme"][0]
    # ... the legacy record is still shown and can be corrected.
    assert "AEO-F" in admin_client.get(legacy.get_absolute_url()).content.decode()
    response = admin_client.patch(f"/api/supplychain/programmes/{legacy.pk}/", json.dumps(
        {"identifier": "DEAEOF0001-A", "version": legacy.version}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    legacy.refresh_from_db()
    assert legacy.identifier == "DEAEOF0001-A"


TIERS_REFUSED = "C-TPAT tiers are for importers"


def test_ctpat_tiers_are_for_importers_on_every_path(admin_client, world):
    """Issue 12: CBP's tiers are an importer's; a carrier, 3PL, broker, consolidator, forwarder or
    terminal operator is C-TPAT Certified or Validated (form, API and import refuse a tier)."""
    carrier = world["carrier_a"]
    with actor_context(None, name="fixture"):
        importer = Partner.objects.create(organisation=world["org_a"], name="US Importer Inc.",
                                          kind="customer", country="US")
    before = ProgrammeStatus.objects.count()
    response = admin_client.post("/supplychain/programmes/add/", {
        "partner": carrier.pk, "programme": "ctpat", "level": "Tier 2"})
    assert response.status_code == 400 and TIERS_REFUSED in response.content.decode()
    assert "a carrier is C-TPAT Certified or Validated" in response.content.decode()
    response = admin_client.post("/api/supplychain/programmes/", json.dumps(
        {"partner": carrier.pk, "programme": "ctpat", "level": "Tier 1"}),
        content_type="application/json")
    assert response.status_code == 400
    assert TIERS_REFUSED in response.json()["errors"]["level"][0]
    upload = csv_upload([[carrier.name, "C-TPAT", "Tier 3"]],
                        header=["partner", "programme", "level"], name="programmes.csv")
    response = admin_client.post("/supplychain/programmes/import/", {"file": upload})
    assert response.status_code == 400
    assert [(row, column) for row, column, _ in response.context["preview"].errors] == [
        (2, "level")]
    assert ProgrammeStatus.objects.count() == before
    # A carrier's own levels and an importer's tier are accepted.
    for partner, level in ((carrier, "Validated"), (importer, "Tier 2")):
        response = admin_client.post("/api/supplychain/programmes/", json.dumps(
            {"partner": partner.pk, "programme": "ctpat", "level": level}),
            content_type="application/json")
        assert response.status_code == 201, response.content
    assert ProgrammeStatus.objects.count() == before + 2
