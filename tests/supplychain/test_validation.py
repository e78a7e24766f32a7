"""Validation people can act on: leg ends, carriers, programme levels and expiry."""

import datetime
import json

from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg, Partner, ProgrammeStatus


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
