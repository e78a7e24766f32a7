"""Accounts: throttled login, role expiry, API tokens, foreign organisations."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from chainward.access.models import ApiToken, Role, RoleAssignment
from chainward.core.roles import EXTERNAL_AUDITOR
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from tests.support.world import PASSWORD


def login(client, email, password):
    return client.post("/login/", {"username": email, "password": password})


def test_a_login_is_in_the_ledger_but_a_failed_attempt_is_not(client, world):
    email = world["users"]["viewer__org"].email
    assert login(client, email, "wrong password").status_code == 200
    assert login(client, email, PASSWORD).status_code == 302
    actions = list(LedgerEntry.objects.filter(object_type="access.user")
                   .values_list("action", "object_repr"))
    assert actions == [("login", email)]


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_even_for_the_right_password(client, world):
    email = world["users"]["viewer__org"].email
    for _ in range(3):
        login(client, email, "guess")
    response = login(client, email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LedgerEntry.objects.filter(action="login_locked").count() == 1
    # Another account is not affected.
    assert login(client, world["users"]["contributor__org"].email, PASSWORD).status_code == 302


def test_expired_assignment_gives_no_access(client, world):
    user = world["users"]["viewer__org"]
    assignment = user.role_assignments.get()
    with actor_context(None, name="test"):
        assignment.valid_until = datetime.date.today() - datetime.timedelta(days=1)
        assignment.save()
    client.force_login(user)
    assert client.get(world["s1"].get_absolute_url()).status_code == 403
    assert client.get("/api/supplychain/sites/").json()["count"] == 0


def test_external_auditor_access_must_be_time_boxed(world):
    assignment = RoleAssignment(organisation=world["org_a"], user=world["foreign"],
                                role=Role.objects.get(name=EXTERNAL_AUDITOR))
    with pytest.raises(ValidationError, match="time-boxed"):
        assignment.full_clean()


def test_api_token_authenticates_and_is_stored_hashed(client, world):
    user = world["users"]["security_manager__org"]
    client.force_login(user)
    page = client.post("/account/tokens/", {"name": "TMS"}).content.decode()
    secret = page.split('user-select-all fs-6">')[1].split("<")[0]
    token = ApiToken.objects.get(user=user)
    assert secret.startswith("cw_") and secret not in (token.digest, token.prefix)
    client.logout()
    ok = client.get("/api/supplychain/sites/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert ok.status_code == 200 and ok.json()["count"] == 2
    bad = client.get("/api/supplychain/sites/", HTTP_AUTHORIZATION="Token cw_not-a-token")
    assert bad.status_code == 401


def test_token_user_writes_are_attributed_to_them(client, world):
    user = world["users"]["security_manager__org"]
    _, secret = ApiToken.issue(user, "script")
    response = client.post("/api/supplychain/goods/", {"name": "Tobacco", "value_class": "high"},
                           HTTP_AUTHORIZATION=f"Token {secret}", content_type="application/json")
    assert response.status_code == 201, response.content
    entry = LedgerEntry.objects.get(action="create", object_type="supplychain.goodscategory",
                                    object_repr="Tobacco")
    assert (entry.actor_id, entry.actor_name) == (user.pk, user.email)


def test_a_foreign_record_is_404_everywhere_for_another_organisation(client, world):
    client.force_login(world["users"]["administrator__org"])
    site = world["s3"]
    for url in (site.get_absolute_url(), f"{site.get_absolute_url()}edit/",
                f"/api/supplychain/sites/{site.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{site.get_absolute_url()}archive/").status_code == 404
    assert client.post(f"/api/supplychain/sites/{site.pk}/archive/").status_code == 404
    # Nor can a foreign site be used as a leg end through the API.
    response = client.post("/api/supplychain/legs/", {
        "from_site": world["s1"].pk, "to_site": site.pk, "mode": "road"},
        content_type="application/json")
    assert response.status_code == 400 and "to_site" in response.json()["errors"]


def test_site_officer_cannot_move_a_site_record_out_of_their_scope(client, world):
    """A leg edited by a site officer must keep touching one of their sites."""
    officer = world["users"]["site_security_officer__site"]
    from chainward.supplychain.models import Leg, Site

    with actor_context(None, name="test"):
        other = Site.objects.create(organisation=world["org_a"], name="Far", kind="port",
                                    country="BE")
        leg = Leg.objects.create(organisation=world["org_a"], from_site=world["s1"],
                                 to_site=other, mode="road")
        # The officer also reads the whole organisation, so S2 is a valid choice to them.
        RoleAssignment.objects.create(organisation=world["org_a"], user=officer,
                                      role=Role.objects.get(name="Viewer"))
    client.force_login(officer)
    response = client.patch(f"/api/supplychain/legs/{leg.pk}/", {
        "from_site": world["s2"].pk, "version": leg.version}, content_type="application/json")
    assert response.status_code == 403, response.content
    leg.refresh_from_db()
    assert (leg.from_site, leg.version) == (world["s1"], 1)
    # The same through the form.
    from chainward.supplychain.registers import LegRegister
    from tests.support.matrix import form_data

    response = client.post(f"{leg.get_absolute_url()}edit/",
                           form_data(leg, LegRegister.form_fields, from_site=world["s2"].pk))
    assert response.status_code == 403
    leg.refresh_from_db()
    assert leg.from_site == world["s1"]


def test_people_register_offers_no_user_list_across_organisations(admin_client, world):
    page = admin_client.get("/account/people/add/").content.decode()
    assert "admin@b.example" not in page


def test_a_permission_asked_about_a_record_of_another_model_is_refused_loudly(world):
    """`has_perm("incidents.change_notification", incident)` compared a notification's primary
    key with the incident's and answered by coincidence (the incident page offered or hid
    "Notified now" depending on which ids the database had handed out). Such a question is a
    programming error: it raises instead of answering."""
    officer = world["users"]["site_security_officer__site"]
    site = world["s1"]
    assert officer.has_perm("supplychain.view_site", site)
    with pytest.raises(TypeError, match="supplychain.view_partner asked about a Site"):
        officer.has_perm("supplychain.view_partner", site)
