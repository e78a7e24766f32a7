"""Certification list pages and API lists cost the same queries at 10 and at 250 rows."""


import pytest
from django.utils import timezone

from chainward.certification import models
from chainward.core.registry import get_register
from chainward.ledger.context import actor_context
from tests.core.test_query_budget import count_queries
from tests.support.world import build_world

from . import factories as f


def today():
    """Today, read when a test runs (a constant goes stale across midnight)."""
    return timezone.localdate()

FACTORIES = {
    "certification.managementreview": lambda w, i: models.ManagementReview(
        title=f"Review {i}", date=today(), chair=w["manager"]),
    "certification.reviewaction": lambda w, i: models.ReviewAction(
        review=w["review"], description=f"Action {i}", owner=w["manager"], due_date=today()),
    "certification.certificationbody": lambda w, i: models.CertificationBody(name=f"Body {i}"),
    "certification.certificate": lambda w, i: models.Certificate(
        body=w["body"], number=f"N-{i}", framework=w["framework"], scope="s"),
    "certification.cyclemilestone": lambda w, i: models.CycleMilestone(
        certificate=w["certificate"], kind="stage1", due_date=today()),
    "certification.evidencepack": lambda w, i: models.EvidencePack(
        framework=w["framework"], produced_by=w["manager"], producer_scope=f"scope {i}"),
}


def fill(world, label, upto):
    model = get_register(label).model
    with actor_context(None, name="query budget"):
        existing = model.objects.filter(organisation=world["org_a"]).count()
        for i in range(existing, upto):
            obj = FACTORIES[label](world, i)
            obj.organisation = world["org_a"]
            if label == "certification.cyclemilestone":
                # one milestone of each kind per certificate: a new certificate per row
                obj.certificate = f.certificate(world, world["org_a"], world["s1"], f"QB-{i}")
            obj.save()
            if label == "certification.certificate":
                obj.sites.set([world["s1"], world["s2"]])
            if label == "certification.managementreview":
                obj.attendees.set([world["manager"]])


@pytest.mark.parametrize("label", sorted(FACTORIES))
def test_list_and_api_cost_the_same_at_10_and_250_rows(client, db, label):
    world = build_world()
    world["manager"] = world["users"]["security_manager__org"]
    with actor_context(None, name="query budget"):
        world["framework"] = f.framework(world)
        world["review"] = f.review(world, world["org_a"], "Base review")
        world["certificate"] = f.certificate(world, world["org_a"], world["s1"], "BASE")
        world["body"] = world["certificate"].body
    register = get_register(label)
    client.force_login(world["users"]["administrator__org"])
    api = f"/api/{register.app_label}/{register.url_prefix}/?limit=250"
    lst = f"{register.list_url}?per_page=100"
    fill(world, label, 10)
    small = (count_queries(client, lst), count_queries(client, api))
    fill(world, label, 250)
    large = (count_queries(client, lst), count_queries(client, api))
    assert large == small, f"queries at 10 rows {small}, at 250 rows {large}"
