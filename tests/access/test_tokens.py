"""API tokens: a name, an expiry (90 days unless chosen), last use; listed and revoked by their
owner; refused once expired, revoked, or when their owner has no current role (finding 15)."""

import datetime

from django.test import Client
from django.utils import timezone

from chainward.access.models import ApiToken
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry


def create_token(client, **data):
    page = client.post("/account/tokens/", {"name": "TMS", **data}).content.decode()
    return page.split('user-select-all fs-6">')[1].split("<")[0]


def call(secret):
    return Client().get("/api/supplychain/sites/", HTTP_AUTHORIZATION=f"Token {secret}")


def test_a_new_token_expires_after_90_days_by_default(client, world):
    client.force_login(world["users"]["security_manager__org"])
    create_token(client)
    token = ApiToken.objects.get()
    lifetime = token.expires_at - token.created_at
    assert datetime.timedelta(days=89, hours=23) < lifetime <= datetime.timedelta(days=90)


def test_a_person_chooses_a_shorter_token_lifetime(client, world):
    client.force_login(world["users"]["security_manager__org"])
    create_token(client, days="30")
    token = ApiToken.objects.get()
    assert (token.expires_at - token.created_at).days in (29, 30)


def test_a_token_lifetime_beyond_a_year_is_refused(client, world):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post("/account/tokens/", {"name": "Forever", "days": "100000"})
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_an_expired_token_is_refused(world):
    token, secret = ApiToken.issue(world["users"]["security_manager__org"], "old")
    assert call(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = call(secret)
    assert response.status_code == 401 and "expired" in response.content.decode()


def test_the_token_page_lists_name_expiry_and_last_use(client, world):
    user = world["users"]["security_manager__org"]
    token, secret = ApiToken.issue(user, "Nightly export")
    call(secret)
    client.force_login(user)
    page = client.get("/account/tokens/").content.decode()
    token.refresh_from_db()
    assert "Nightly export" in page
    assert token.expires_at.strftime("%Y-%m-%d") in page
    assert token.last_used_at.strftime("%Y-%m-%d %H:%M") in page


def test_a_person_revokes_their_token_and_it_stops_working(client, world):
    user = world["users"]["security_manager__org"]
    client.force_login(user)
    secret = create_token(client)
    token = ApiToken.objects.get()
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert call(secret).status_code == 401
    assert list(LedgerEntry.objects.filter(object_type="access.apitoken")
                .values_list("action", "actor_id")) == [("token_issued", user.pk),
                                                        ("token_revoked", user.pk)]


def test_nobody_revokes_someone_elses_token(client, world):
    token, secret = ApiToken.issue(world["users"]["security_manager__org"], "theirs")
    client.force_login(world["users"]["administrator__org"])
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert call(secret).status_code == 200


def test_tokens_of_a_person_whose_roles_have_all_ended_stop_working(world):
    user = world["users"]["external_auditor__org"]
    _, secret = ApiToken.issue(user, "audit")
    assert call(secret).status_code == 200
    with actor_context(None, name="test"):
        assignment = user.role_assignments.get()
        assignment.valid_until = datetime.date.today() - datetime.timedelta(days=1)
        assignment.save()
    response = call(secret)
    assert response.status_code == 401 and "no current role" in response.content.decode()


def test_a_person_without_a_current_role_cannot_create_tokens(client, world):
    user = world["users"]["viewer__org"]
    with actor_context(None, name="test"):
        assignment = user.role_assignments.get()
        assignment.archived = True
        assignment.save()
    client.force_login(user)
    response = client.post("/account/tokens/", {"name": "late"})
    assert response.status_code == 403 and not ApiToken.objects.exists()
