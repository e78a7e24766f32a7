"""Planned changes (ISO 28000 6.3) through the service, the status buttons and the API: the
steps in order, approval only with the approve right (not by the site officer who proposed
it), the post-change review needs its text, a foreign or unknown step refused with a reason."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chainward.context import services
from chainward.ledger.context import actor_context

from . import factories as f


@pytest.fixture
def change(world):
    with actor_context(None, name="fixture"):
        return f.change(world["org_a"], world["users"]["site_security_officer__site"],
                        "New WMS at S1", site=world["s1"])


def post(client, change, **body):
    return client.post(f"/api/context/changes/{change.pk}/transition/", data=json.dumps(body),
                       content_type="application/json")


def test_the_site_officer_may_not_approve_their_change(client, world, change):
    officer = world["users"]["site_security_officer__site"]
    with pytest.raises(PermissionDenied):
        services.transition_change(officer, change, "approved")
    client.force_login(officer)
    assert post(client, change, to="approved").status_code == 403
    page = client.post(f"/context/changes/{change.pk}/transition/", {"to": "approved"},
                       follow=True)
    assert "approve right" in page.content.decode()
    change.refresh_from_db()
    assert change.status == "proposed" and change.approved_by is None


def test_the_steps_go_in_order_and_the_review_needs_its_text(client, world, change):
    manager = world["users"]["security_manager__org"]
    client.force_login(manager)
    response = post(client, change, to="implemented")
    assert response.status_code == 400 and "cannot become implemented" in response.content.decode()
    response = post(client, change, to="approved")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert response.json()["approved_by"] == manager.pk
    # the officer implements at their site
    officer = world["users"]["site_security_officer__site"]
    change.refresh_from_db()
    services.transition_change(officer, change, "implemented")
    with pytest.raises(ValidationError) as refused:
        services.transition_change(officer, change, "reviewed")
    assert "post_change_review" in refused.value.message_dict
    page = client.post(f"/context/changes/{change.pk}/transition/",
                       {"to": "reviewed", "review": "Access rights checked; no incident."})
    assert page.status_code == 302
    change.refresh_from_db()
    assert change.status == "reviewed"
    assert change.post_change_review == "Access rights checked; no incident."
    assert post(client, change, to="bogus").status_code == 400


def test_top_management_may_approve(client, world, change):
    client.force_login(world["users"]["top_management__org"])
    response = post(client, change, to="approved")
    assert response.status_code == 200, response.content
