"""Related-record pickers (issue 11 item 1, issue 13 item 5): pages render only the selected
records, by label; /lookup/<register>/<field>/ pages through the field's choices within the
user's scope."""

import pytest

from chainward.ledger.context import actor_context
from chainward.library.models import Requirement
from chainward.supplychain.models import Leg, Site
from tests.support.library import tiny_framework


def lookup(client, url, **params):
    response = client.get(url, params)
    return response.status_code, (response.json() if response.status_code < 500 else None)


def labels(body):
    return [item["label"] for item in body["results"]]


@pytest.fixture
def sites(world):
    """25 more sites of organisation A, named so they sort after S1 and S2."""
    with actor_context(None, name="lookup test"):
        return [Site.objects.create(organisation=world["org_a"], name=f"Zeta depot {i:02d}",
                                    code=f"Z{i:02d}", kind="warehouse", country="PL")
                for i in range(25)]


def test_the_risk_register_filters_render_no_option_but_the_selected_one(admin_client, world):
    with actor_context(None, name="lookup test"):
        leg = Leg.objects.create(organisation=world["org_a"], from_site=world["s1"],
                                 to_site=world["s2"], mode="road", carrier=world["carrier_a"])
    page = admin_client.get("/risk/register/").content.decode()
    assert 'data-lookup="/lookup/risk.rating/leg/?filter=1"' in page
    assert "Rotterdam terminal" not in page  # no site or leg is offered as an option
    page = admin_client.get("/risk/register/", {"leg": leg.pk}).content.decode()
    assert f'<option value="{leg.pk}" selected>Hamburg warehouse → Rotterdam terminal' in page


def test_a_lookup_pages_twenty_at_a_time_and_searches(admin_client, world, sites):
    url = "/lookup/risk.rating/site/"
    status, first = lookup(admin_client, url, filter=1)
    assert status == 200 and len(first["results"]) == 20 and first["more"] is True
    status, second = lookup(admin_client, url, filter=1, page=2)
    # 27 sites of A: S1, S2 and 25 Zeta depots; none of organisation B.
    assert len(second["results"]) == 7 and second["more"] is False
    everything = labels(first) + labels(second)
    assert len(set(everything)) == 27 and "Lyon depot (S3)" not in everything
    _, found = lookup(admin_client, url, filter=1, q="depot z1")  # every word matches
    assert labels(found) == [f"Zeta depot {i:02d} (Z{i:02d})" for i in range(10, 20)]
    _, found = lookup(admin_client, url, filter=1, q="z07")  # the code, not in the label alone
    assert labels(found) == ["Zeta depot 07 (Z07)"]


def test_a_site_limited_person_sees_only_the_sites_in_their_scope(client, world, sites):
    client.force_login(world["users"]["site_security_officer__site"])
    _, body = lookup(client, "/lookup/risk.rating/site/", filter=1)
    assert labels(body) == ["Hamburg warehouse (S1)"]
    _, body = lookup(client, "/lookup/risk.rating/site/", filter=1, q="Rotterdam")
    assert body["results"] == []


def test_form_lookups_need_the_right_to_add_or_change(client, world):
    client.force_login(world["users"]["viewer__org"])
    assert client.get("/lookup/supplychain.leg/from_site/").status_code == 403
    assert client.get("/lookup/supplychain.leg/from_site/", {"filter": 1}).status_code in {
        200, 404}  # legs filter by site name, not by a related-record field
    client.force_login(world["users"]["administrator__org"])
    _, body = lookup(client, "/lookup/supplychain.leg/from_site/")
    assert labels(body) == ["Hamburg warehouse (S1)", "Rotterdam terminal (S2)"]
    client.logout()
    assert client.get("/lookup/supplychain.leg/from_site/").status_code == 401


def test_an_edit_form_lookup_is_for_a_record_the_user_may_change(admin_client, world):
    with actor_context(None, name="lookup test"):
        far = Site.objects.create(organisation=world["org_b"], name="Marseille port",
                                  code="S4", kind="port", country="FR")
        foreign = Leg.objects.create(organisation=world["org_b"], from_site=world["s3"],
                                     to_site=far, mode="road", carrier=world["carrier_b"])
    assert admin_client.get("/lookup/supplychain.leg/from_site/",
                            {"record": foreign.pk}).status_code == 404


def test_bad_addresses_are_refused(admin_client, world):
    assert admin_client.get("/lookup/risk.rating/site/", {"filter": 1, "page": "0"}) \
        .status_code == 400
    assert admin_client.get("/lookup/risk.rating/site/", {"filter": 1, "page": "x"}) \
        .status_code == 400
    assert admin_client.get("/lookup/risk.rating/nothing/", {"filter": 1}).status_code == 404
    assert admin_client.get("/lookup/no.such/site/").status_code == 404


def test_requirements_are_grouped_by_framework(admin_client, world):
    tiny_framework("alpha")
    tiny_framework("beta")
    _, body = lookup(admin_client, "/lookup/audits.finding/requirement/")
    groups = [item["group"] for item in body["results"]]
    assert set(groups) == {"ALPHA", "BETA"}
    assert groups == sorted(groups)  # one block per framework
    _, body = lookup(admin_client, "/lookup/audits.finding/requirement/", q="4.2.1")
    assert {(i["label"], i["group"]) for i in body["results"]} == {
        ("4.2.1 Clause 4.2.1", "ALPHA"), ("4.2.1 Clause 4.2.1", "BETA")}
    assert Requirement.objects.count() == 14


def test_an_empty_picker_says_what_is_missing_and_links_to_create_it(admin_client, world):
    _, body = lookup(admin_client, "/lookup/risk.rating/process/", filter=1)
    assert body["results"] == []
    assert body["empty"] == {"text": "No processes and information flows yet.",
                             "url": "/risk/processes/add/",
                             "link": "Add a process or information flow"}
