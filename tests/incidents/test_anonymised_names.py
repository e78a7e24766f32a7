"""Issue 14 item 6: the anonymised export shares no names. A goods category is the only text of
the organisation's own the export carries; one whose name names a partner (a customer, a
carrier), a site or a person is not shared under that name (its value class still is)."""

import csv
import io
import json

from chainward.ledger.context import actor_context
from chainward.people.models import Person
from chainward.supplychain.models import GoodsCategory, PartnerContact

from . import factories as f


def _export(client, fmt):
    response = client.get(f"/incidents/anonymised.{fmt}")
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_a_goods_category_named_after_a_partner_site_or_person_is_not_shared(client, world):
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        contact = PartnerContact.objects.create(
            organisation=org, partner=world["carrier_a"], name="Birgit Holmqvist"
        )
        Person.objects.create(organisation=org, full_name="Jens Petersen")
        named = {
            "Consumer electronics for NORDIC TRUCKING": world["carrier_a"].name,
            "Hamburg warehouse returns": world["s1"].name,
            "Samples kept by Birgit Holmqvist": contact.name,
            "Laptops (Jens Petersen's project)": "Jens Petersen",
        }
        for name in named:
            goods = GoodsCategory.objects.create(organisation=org, name=name, value_class="high")
            f.incident(
                org, f"Theft of {name}", site=world["s1"], goods_category=goods, loss_value=5000
            )
        f.incident(
            org,
            "Plain electronics",
            site=world["s1"],
            goods_category=world["goods_a"],
            loss_value=100,
        )
    client.force_login(world["users"]["security_manager__org"])
    text = _export(client, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    for word in ("nordic", "hamburg", "holmqvist", "petersen", "birgit", "jens"):
        assert word not in text.lower(), word
    assert sorted(r["goods_category"] for r in rows) == [
        "Electronics",
        *["not shared (names a partner, site or person)"] * 4,
    ]
    # The value class is a fixed list: still shared.
    assert {r["goods_value_class"] for r in rows} == {"High value"}
    data = json.loads(_export(client, "json"))["incidents"]
    assert sorted(r["goods_category"] for r in data) == sorted(r["goods_category"] for r in rows)
