"""Legs may end at a partner's own facility (issue 13 item 11) — the form offers the partner next
to each end, the facility node is recorded once on first use and reused, nobody without the right
to add sites creates one — and `?field=` links pre-fill the leg and site forms with records of
this organisation only. Expected records are written here from what each test builds."""

import re

import pytest

from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg, Partner, Site

LEG_ADD = "/supplychain/legs/add/"


@pytest.fixture
def customer(world):
    with actor_context(None, name="fixture"):
        return Partner.objects.create(organisation=world["org_a"], name="Kunde Maschinenbau AG",
                                      kind="customer", country="AT", city="Linz")


def post_leg(client, **ends):
    return client.post(LEG_ADD, {"mode": "road", **{k: v.pk for k, v in ends.items()}})


def test_a_leg_ends_at_a_customers_facility_recorded_once(client, world, customer):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get(LEG_ADD).content.decode()
    assert 'name="to_partner"' in page and "…or to a partner&#x27;s own facility" in page
    # The partner picker is a scoped type-ahead like every related field.
    assert 'id="id_to_partner" data-lookup="/lookup/supplychain.leg/to_partner/"' in page
    found = client.get("/lookup/supplychain.leg/to_partner/", {"q": "Kunde"}).json()
    assert found["results"] == [{"id": customer.pk, "label": "Kunde Maschinenbau AG"}]
    assert client.get("/lookup/supplychain.leg/to_partner/", {"q": "Rhone"}).json()[
        "results"] == []  # another organisation's partner
    response = post_leg(client, from_site=world["s1"], to_partner=customer)
    assert response.status_code == 302, response.content.decode()[:3000]
    leg = Leg.objects.get(organisation=world["org_a"])
    facility = leg.to_site
    assert (facility.name, facility.kind, facility.operator, facility.country.code,
            facility.city) == ("Kunde Maschinenbau AG", "partner_facility", customer, "AT",
                               "Linz")
    # A second leg to the same customer reuses the node; a leg from it works too.
    assert post_leg(client, from_site=world["s2"], to_partner=customer).status_code == 302
    assert post_leg(client, from_partner=customer, to_site=world["s1"]).status_code == 302
    assert Site.objects.filter(operator=customer).count() == 1
    assert Leg.objects.filter(to_site=facility).count() == 2
    assert Leg.objects.filter(from_site=facility).count() == 1
    # The facility is an ordinary node: on the map, with its operator.
    page = client.get("/supplychain/map/").content.decode()
    assert "Kunde Maschinenbau AG · Partner facility · Austria" in page


def test_an_end_is_a_site_or_a_partner_never_both_nor_neither(client, world, customer):
    client.force_login(world["users"]["security_manager__org"])
    both = post_leg(client, from_site=world["s1"], to_site=world["s2"], to_partner=customer)
    assert both.status_code == 400
    assert "Choose a site or a partner&#x27;s facility, not both." in both.content.decode()
    neither = post_leg(client, from_site=world["s1"])
    assert neither.status_code == 400
    assert "Choose a site, or below it the partner" in neither.content.decode()
    assert not Leg.objects.exists() and not Site.objects.filter(operator=customer).exists()


def test_another_organisations_partner_is_refused(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = post_leg(client, from_site=world["s1"], to_partner=world["carrier_b"])
    assert response.status_code == 400
    assert not Leg.objects.exists() and not Site.objects.filter(
        operator=world["carrier_b"], organisation=world["org_a"]).exists()


def test_someone_who_may_not_add_sites_may_use_a_recorded_facility_only(client, world,
                                                                        customer):
    """A site-limited security manager may add legs from their site but not record a node
    outside it; the facility an organisation-wide manager then records lies outside their
    sites, so it is refused too."""
    client.force_login(world["users"]["security_manager__site"])
    refused = post_leg(client, from_site=world["s1"], to_partner=customer)
    assert refused.status_code == 400
    assert "No facility of Kunde Maschinenbau AG is recorded yet and you may not add sites" in \
        refused.content.decode()
    assert not Site.objects.filter(operator=customer).exists()
    client.force_login(world["users"]["security_manager__org"])
    assert post_leg(client, from_site=world["s2"], to_partner=customer).status_code == 302
    client.force_login(world["users"]["security_manager__site"])
    outside = post_leg(client, from_site=world["s1"], to_partner=customer)
    assert outside.status_code == 400
    assert "facility is outside your sites" in outside.content.decode()
    assert Leg.objects.count() == 1


def test_a_site_the_partner_already_operates_is_its_facility(client, world, customer):
    with actor_context(None, name="fixture"):
        plant = Site.objects.create(organisation=world["org_a"], name="Kunde plant Linz",
                                    country="AT", kind="manufacturing", operator=customer)
    client.force_login(world["users"]["security_manager__org"])
    assert post_leg(client, from_site=world["s1"], to_partner=customer).status_code == 302
    assert Leg.objects.get().to_site == plant
    assert Site.objects.filter(operator=customer).count() == 1


def test_a_partner_with_several_facilities_asks_for_the_site(client, world, customer):
    with actor_context(None, name="fixture"):
        for city in ("Linz", "Graz"):
            Site.objects.create(organisation=world["org_a"], name=f"Kunde {city}", country="AT",
                                kind="partner_facility", operator=customer)
    client.force_login(world["users"]["security_manager__org"])
    response = post_leg(client, from_site=world["s1"], to_partner=customer)
    assert response.status_code == 400
    assert "operates several facilities; choose the site itself" in response.content.decode()


def selected(page, name):
    """The options rendered as selected in the select `name`."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="(\d+)" selected>([^<]*)</option>', select.group(1))


def test_query_parameters_prefill_the_leg_and_site_forms_with_own_records_only(client, world,
                                                                                customer):
    client.force_login(world["users"]["security_manager__org"])
    s1, carrier = world["s1"], world["carrier_a"]
    page = client.get(LEG_ADD, {"from_site": s1.pk, "carrier": carrier.pk}).content.decode()
    assert selected(page, "from_site") == [(str(s1.pk), "Hamburg warehouse (S1)")]
    assert selected(page, "carrier") == [(str(carrier.pk), "Nordic Trucking")]
    page = client.get("/supplychain/sites/add/", {"operator": customer.pk}).content.decode()
    assert selected(page, "operator") == [(str(customer.pk), "Kunde Maschinenbau AG")]
    # Another organisation's records, or nonsense, pre-fill nothing and disclose no name.
    page = client.get(LEG_ADD, {"from_site": world["s3"].pk, "carrier": world["carrier_b"].pk}
                      ).content.decode()
    assert selected(page, "from_site") == [] and selected(page, "carrier") == []
    assert "Lyon depot" not in page and "Rhone Haulage" not in page
    page = client.get("/supplychain/sites/add/", {"operator": "abc"})
    assert page.status_code == 200 and selected(page.content.decode(), "operator") == []


def api_post(client, **body):
    import json

    return client.post("/api/supplychain/legs/", json.dumps({"mode": "road", **body}),
                       content_type="application/json")


def test_the_api_ends_a_leg_at_a_partners_facility_through_the_same_service(client, world,
                                                                             customer):
    client.force_login(world["users"]["security_manager__org"])
    response = api_post(client, from_site=world["s1"].pk, to_partner=customer.pk)
    assert response.status_code == 201, response.content.decode()
    facility = Site.objects.get(operator=customer)
    assert response.json()["to_site"] == facility.pk and "to_partner" not in response.json()
    assert (facility.name, facility.kind) == ("Kunde Maschinenbau AG", "partner_facility")
    assert api_post(client, from_partner=customer.pk, to_site=world["s2"].pk
                    ).status_code == 201
    assert Site.objects.filter(operator=customer).count() == 1
    assert Leg.objects.filter(from_site=facility).count() == 1


@pytest.mark.parametrize("body, field, message", [
    ({"to_site": "s2", "to_partner": "customer"}, "to_partner", "not both"),
    ({}, "to_site", "Give to_site, or to_partner"),
    ({"to_partner": "carrier_b"}, "to_partner", ""),  # another organisation's partner
])
def test_the_api_refuses_an_end_that_is_both_neither_or_foreign(client, world, customer, body,
                                                                field, message):
    named = {**world, "customer": customer}
    client.force_login(world["users"]["security_manager__org"])
    response = api_post(client, from_site=world["s1"].pk,
                        **{k: named[v].pk for k, v in body.items()})
    assert response.status_code == 400, response.content.decode()
    assert message in " ".join(response.json()["errors"][field])
    assert not Leg.objects.exists() and not Site.objects.filter(operator=customer).exists()


def test_the_api_refuses_a_new_facility_to_someone_who_may_not_add_sites(client, world,
                                                                         customer):
    client.force_login(world["users"]["security_manager__site"])
    response = api_post(client, from_site=world["s1"].pk, to_partner=customer.pk)
    assert response.status_code == 400
    assert "you may not add sites" in " ".join(response.json()["errors"]["to_partner"])
    assert not Site.objects.filter(operator=customer).exists()


def test_a_failed_leg_save_leaves_no_facility_behind(client, world, customer):
    """The facility is recorded in the leg's transaction: a leg refused at save (same site at
    both ends is impossible here, so a stale version on update) rolls it back."""
    import json

    client.force_login(world["users"]["security_manager__org"])
    with actor_context(None, name="fixture"):
        leg = Leg.objects.create(organisation=world["org_a"], from_site=world["s1"],
                                 to_site=world["s2"], mode="road")
    response = client.patch(f"/api/supplychain/legs/{leg.pk}/", json.dumps(
        {"to_partner": customer.pk, "version": leg.version + 3}),
        content_type="application/json")
    assert response.status_code == 409
    assert not Site.objects.filter(operator=customer).exists()
    leg.refresh_from_db()
    assert leg.to_site == world["s2"]


def test_a_partner_id_beyond_64_bits_is_a_400_not_a_database_error(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = api_post(client, from_site=world["s1"].pk, to_partner=2**70)
    assert response.status_code == 400 and "to_partner" in response.json()["errors"]
