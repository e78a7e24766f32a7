"""Findings 10 and 11: an explicit scope (whole organisation or sites, never both, never
neither) and an organisation that always keeps an administrator — through UI, API and service.
"""

import datetime
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from chainward.access import services
from chainward.access.models import Invitation, Role, RoleAssignment
from chainward.core import services as core_services
from chainward.ledger.context import actor_context
from tests.support.matrix import form_data


def assignment_of(world, key):
    return world["users"][key].role_assignments.get()


def edit(client, assignment, **overrides):
    data = form_data(assignment, ("role", "all_sites", "sites", "valid_until"), **overrides)
    return client.post(f"{assignment.get_absolute_url()}edit/", data)


def patch(client, assignment, **payload):
    return client.patch(f"/api/access/people/{assignment.pk}/",
                        json.dumps({"version": assignment.version, **payload}),
                        content_type="application/json")


# --- 10: scope is an explicit choice ------------------------------------------------------------

def test_invitation_form_does_not_tick_whole_organisation_by_default(admin_client, world):
    page = admin_client.get("/account/people/add/").content.decode()
    checkbox = page.split('name="all_sites"')[1].split(">")[0]
    assert "checked" not in checkbox


def test_invitation_with_sites_and_whole_organisation_is_refused(admin_client, world):
    response = admin_client.post("/account/people/add/", {
        "email": "both@c.example", "role": Role.objects.get(name="Contributor").pk,
        "all_sites": "on", "sites": [world["s1"].pk]})
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_invitation_with_neither_sites_nor_whole_organisation_is_refused(admin_client, world):
    response = admin_client.post("/account/people/add/", {
        "email": "none@c.example", "role": Role.objects.get(name="Contributor").pk})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_editing_an_assignment_to_both_scopes_is_refused_in_the_ui(admin_client, world):
    assignment = assignment_of(world, "viewer__site")
    response = edit(admin_client, assignment, all_sites="on")
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assignment.refresh_from_db()
    assert not assignment.all_sites and assignment.version == 1


def test_editing_an_assignment_to_no_scope_is_refused_in_the_ui(admin_client, world):
    assignment = assignment_of(world, "viewer__site")
    data = form_data(assignment, ("role", "valid_until"))
    response = admin_client.post(f"{assignment.get_absolute_url()}edit/", data)
    assert response.status_code == 400
    assert list(assignment.sites.all()) == [world["s1"]]


def test_narrowing_an_assignment_to_sites_in_the_ui_unticks_nothing_silently(
        admin_client, world):
    assignment = assignment_of(world, "viewer__org")
    assert edit(admin_client, assignment, all_sites="", sites=[world["s2"].pk]).status_code == 302
    assignment.refresh_from_db()
    assert (assignment.all_sites, list(assignment.sites.all())) == (False, [world["s2"]])


def test_api_refuses_whole_organisation_and_sites_together(admin_client, world):
    assignment = assignment_of(world, "viewer__site")
    response = patch(admin_client, assignment, all_sites=True)
    assert response.status_code == 400, response.content
    assert "not both" in response.content.decode()
    assignment.refresh_from_db()
    assert not assignment.all_sites and assignment.version == 1


def test_api_refuses_an_assignment_without_scope(admin_client, world):
    assignment = assignment_of(world, "viewer__site")
    response = patch(admin_client, assignment, sites=[])
    assert response.status_code == 400, response.content
    assert list(assignment.sites.all()) == [world["s1"]]
    whole = assignment_of(world, "viewer__org")
    response = patch(admin_client, whole, all_sites=False)
    assert response.status_code == 400, response.content
    whole.refresh_from_db()
    assert whole.all_sites


def test_api_changes_the_scope_from_whole_organisation_to_sites(admin_client, world):
    assignment = assignment_of(world, "viewer__org")
    response = patch(admin_client, assignment, all_sites=False, sites=[world["s1"].pk])
    assert response.status_code == 200, response.content
    assignment.refresh_from_db()
    assert (assignment.all_sites, list(assignment.sites.all())) == (False, [world["s1"]])


def test_api_refuses_a_site_of_another_organisation(admin_client, world):
    assignment = assignment_of(world, "viewer__site")
    response = patch(admin_client, assignment, sites=[world["s3"].pk])
    assert response.status_code == 400
    assert list(assignment.sites.all()) == [world["s1"]]


def test_service_refuses_both_and_neither(world):
    admin = world["users"]["administrator__org"]
    assignment = assignment_of(world, "viewer__site")
    with pytest.raises(ValidationError, match="not both"):
        services.change_role_assignment(admin, assignment, all_sites=True)
    with pytest.raises(ValidationError, match="Choose"):
        services.change_role_assignment(admin, assignment, sites=[])
    assignment.refresh_from_db()
    assert not assignment.all_sites and list(assignment.sites.all()) == [world["s1"]]


def test_role_assignments_cannot_be_imported(admin_client, world):
    assert admin_client.get("/account/people/import/").status_code == 403


# --- 11: the last administrator stays ---------------------------------------------------------

@pytest.fixture
def sole_admin(world):
    """B's administrator is the only administrator of organisation B."""
    client = Client()
    client.force_login(world["foreign"])
    return client, world["foreign"].role_assignments.get()


def test_the_only_administrator_cannot_archive_their_assignment_through_the_api(
        sole_admin, world):
    client, assignment = sole_admin
    response = client.post(f"/api/access/people/{assignment.pk}/archive/")
    assert response.status_code == 409, response.content
    assert "last administrator" in response.json()["detail"]
    assignment.refresh_from_db()
    assert not assignment.archived
    assert client.get("/api/supplychain/sites/").status_code == 200


def test_the_only_administrator_cannot_archive_their_assignment_in_the_ui(sole_admin, world):
    client, assignment = sole_admin
    response = client.post(f"{assignment.get_absolute_url()}archive/",
                           {"version": assignment.version}, follow=True)
    assert "last administrator" in response.content.decode()
    assignment.refresh_from_db()
    assert not assignment.archived


@pytest.mark.parametrize("change", [
    {"role": "Viewer"}, {"valid_until": "2001-01-01"}, {"valid_until": "2999-01-01"},
])
def test_the_only_administrator_cannot_be_demoted_or_expired_through_the_api(
        sole_admin, world, change):
    client, assignment = sole_admin
    if "role" in change:
        change = {"role": Role.objects.get(name=change["role"]).pk}
    response = patch(client, assignment, **change)
    assert response.status_code == 409, response.content
    assignment.refresh_from_db()
    assert (assignment.role.name, assignment.valid_until, assignment.version) == (
        "Administrator", None, 1)


@pytest.mark.parametrize("change", [
    {"role": "Viewer"}, {"valid_until": "2001-01-01"}, {"all_sites": "", "sites": "S3"},
])
def test_the_only_administrator_cannot_be_demoted_or_expired_in_the_ui(
        sole_admin, world, change):
    client, assignment = sole_admin
    if "role" in change:
        change = {"role": Role.objects.get(name=change["role"]).pk}
    if "sites" in change:
        change["sites"] = [world["s3"].pk]
    response = edit(client, assignment, **change)
    assert response.status_code == 400
    assert "last administrator" in response.content.decode()
    assignment.refresh_from_db()
    assert (assignment.role.name, assignment.valid_until, assignment.all_sites) == (
        "Administrator", None, True)


def test_no_write_path_removes_the_last_administrator(world):
    """The generic archive service and a direct save hit the same rule."""
    assignment = world["foreign"].role_assignments.get()
    with pytest.raises(ValidationError, match="last administrator"):
        core_services.set_archived(world["foreign"], assignment, True)
    assignment.refresh_from_db()
    with pytest.raises(ValidationError, match="last administrator"):
        with actor_context(None, name="test"):
            assignment.valid_until = datetime.date(2001, 1, 1)
            assignment.save()
    assignment.refresh_from_db()
    assert not assignment.archived and assignment.valid_until is None


def test_an_administrator_can_leave_when_another_administrator_remains(admin_client, world):
    # A has an organisation-wide administrator besides the one acting: the site-limited one
    # does not count (they cannot manage people), so add a second organisation-wide one.
    with actor_context(None, name="test"):
        RoleAssignment.objects.create(
            organisation=world["org_a"], user=world["users"]["security_manager__org"],
            role=Role.objects.get(name="Administrator"), all_sites=True)
    own = assignment_of(world, "administrator__org")
    response = admin_client.post(f"/api/access/people/{own.pk}/archive/")
    assert response.status_code == 200, response.content
    own.refresh_from_db()
    assert own.archived
