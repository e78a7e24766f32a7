"""A list page and an API list cost the same number of queries at 10 and at 250 rows.

250 rows is more than a list page holds (100), so the large list page is full, and the API page
asks for all 250: a query per row, or per page of rows, would add up to 240 queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainward.access.models import Role, RoleAssignment, User
from chainward.compliance.models import GapAssessment, RequirementStatus
from chainward.core.registry import all_registers
from chainward.documents.models import Evidence
from chainward.ledger.context import actor_context
from chainward.library.models import Requirement
from chainward.supplychain import models
from tests.support.library import tiny_framework
from tests.support.world import build_world

ROW_FACTORIES = {
    "supplychain.site": lambda w, i: models.Site(
        name=f"Site {i}", code=f"C{i}", kind="warehouse", country="DE", operator=w["carrier_a"]),
    "supplychain.partner": lambda w, i: models.Partner(name=f"P {i}", kind="carrier",
                                                       country="DE"),
    "supplychain.partnercontact": lambda w, i: models.PartnerContact(partner=w["carrier_a"],
                                                                     name=f"C {i}"),
    "supplychain.programmestatus": lambda w, i: models.ProgrammeStatus(
        partner=w["carrier_a"], programme="aeo_s", identifier=f"ID{i}"),
    "supplychain.goodscategory": lambda w, i: models.GoodsCategory(name=f"G {i}"),
    "supplychain.leg": lambda w, i: models.Leg(from_site=w["s1"], to_site=w["s2"], mode="road",
                                               carrier=w["carrier_a"]),
    "supplychain.statementofapplication": lambda w, i: models.StatementOfApplication(
        title=f"S {i}", coverage="c"),
    "documents.evidence": lambda w, i: Evidence(title=f"E {i}", kind="note", description="d"),
    "compliance.gapassessment": lambda w, i: GapAssessment(title=f"Gap {i}",
                                                           framework=w["framework"]),
    "compliance.requirementstatus": lambda w, i: RequirementStatus(
        assessment=w["assessment"], requirement=Requirement.objects.create(
            framework=w["framework"], urn=f"urn:test:req:qb-extra:{i}", ref_id=f"Q{i}", depth=1,
            order=1000 + i, title=f"Q {i}")),
    "access.roleassignment": lambda w, i: RoleAssignment(
        user=User.objects.create_user(f"u{i}@qb.example", None),
        role=Role.objects.get(name="Viewer")),
    "supplychain.exemption": lambda w, i: models.Exemption(
        statement=w["statement"], partner=models.Partner.objects.create(
            organisation=w["org_a"], name=f"EP {i}", kind="supplier", country="US"),
        basis="aeo"),
}
LISTED = [r for r in all_registers() if r.label in ROW_FACTORIES]


def fill(world, register, upto):
    factory = ROW_FACTORIES[register.label]
    with actor_context(None, name="query budget"):
        existing = register.model.objects.filter(organisation=world["org_a"]).count()
        if register.label == "compliance.gapassessment":
            existing -= 1  # the base assessment the status rows hang on
        for i in range(existing, upto):
            obj = factory(world, i)
            obj.organisation = world["org_a"]
            obj.save()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("register", LISTED, ids=lambda r: r.label)
def test_list_and_api_cost_the_same_at_10_and_250_rows(client, db, register):
    world = build_world()
    with actor_context(None, name="query budget"):
        world["statement"] = models.StatementOfApplication.objects.create(
            organisation=world["org_a"], title="Base", coverage="c")
        world["framework"] = tiny_framework("qb")
        world["assessment"] = GapAssessment.objects.create(
            organisation=world["org_a"], title="Base gap", framework=world["framework"])
    client.force_login(world["users"]["administrator__org"])
    api = f"/api/{register.app_label}/{register.url_prefix}/?limit=250"
    lst = f"{register.list_url}?per_page=100"
    fill(world, register, 10)
    small = (count_queries(client, lst), count_queries(client, api))
    fill(world, register, 250)
    large = (count_queries(client, lst), count_queries(client, api))
    assert large == small, f"queries at 10 rows {small}, at 250 rows {large}"
