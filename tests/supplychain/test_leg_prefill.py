"""`?to_partner=` and `?from_partner=` pre-fill the leg form like `?operator=` fills the site
form (issue 13 item 12): the partner is selected; another organisation's partner, an archived
one or nonsense pre-fills nothing, discloses no name and is no error."""

import pytest

from chainward.core import services
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Partner
from tests.supplychain.test_legs_to_partners import LEG_ADD, selected


@pytest.fixture
def customer(world):
    with actor_context(None, name="fixture"):
        return Partner.objects.create(organisation=world["org_a"], name="Kunde Maschinenbau AG",
                                      kind="customer", country="AT", city="Linz")


@pytest.mark.parametrize("param", ["to_partner", "from_partner"])
def test_a_partner_end_is_prefilled(client, world, customer, param):
    client.force_login(world["users"]["security_manager__org"])
    response = client.get(LEG_ADD, {param: customer.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert selected(page, param) == [(str(customer.pk), "Kunde Maschinenbau AG")]
    other = "from_partner" if param == "to_partner" else "to_partner"
    assert selected(page, other) == []


def test_a_site_and_a_partner_end_together(client, world, customer):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get(LEG_ADD, {"from_site": world["s1"].pk, "to_partner": customer.pk}
                      ).content.decode()
    assert selected(page, "from_site") == [(str(world["s1"].pk), "Hamburg warehouse (S1)")]
    assert selected(page, "to_partner") == [(str(customer.pk), "Kunde Maschinenbau AG")]


@pytest.mark.parametrize("value", ["foreign", "archived", "abc", "-1", "99999999",
                                   "99999999999999999999999"])
def test_a_foreign_archived_or_nonsense_partner_prefills_nothing(client, world, customer,
                                                                  value):
    if value == "archived":
        archived = customer
        services.set_archived(world["users"]["administrator__org"], archived, True)
        value = str(archived.pk)
    elif value == "foreign":
        value = str(world["carrier_b"].pk)
    client.force_login(world["users"]["security_manager__org"])
    response = client.get(LEG_ADD, {"to_partner": value, "from_partner": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert selected(page, "to_partner") == [] and selected(page, "from_partner") == []
    assert "Rhone Haulage" not in page and "Kunde Maschinenbau AG" not in page


def test_the_prefill_is_only_a_choice_the_post_checks_again(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post(LEG_ADD, {"mode": "road", "from_site": world["s1"].pk,
                                     "to_partner": world["carrier_b"].pk})
    assert response.status_code == 400
    assert "Rhone Haulage" not in response.content.decode()
