"""Workflow buttons appear for people who may use them, and only for them."""

import pytest

from chainward.ledger.context import actor_context
from tests.certification import factories as f
from tests.support.world import build_world


@pytest.mark.django_db
def test_workflow_buttons_follow_the_role(client):
    world = build_world()
    with actor_context(None, name="x"):
        review = f.review(world, world["org_a"], "R")
        cert = f.certificate(world, world["org_a"], None, "C")
    client.force_login(world["users"]["security_manager__org"])
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Compile the review pack" in page
    page = client.get(cert.get_absolute_url()).content.decode()
    assert "Plan the three-year cycle" in page and "Evidence pack for the auditor" in page
    client.force_login(world["users"]["viewer__org"])
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Compile the review pack" not in page
