"""API tokens: a name, an expiry (90 days unless chosen), last use; listed and revoked by their
owner; refused once expired, revoked, or when their owner has no current role (finding 15)."""

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chainward.access.models import ApiToken, TokenScope
from chainward.access.services import issue_token, revoke_token
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.supplychain.models import GoodsCategory


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


# --- scope, revocation, last use (issue 18) -----------------------------------------------------
def api(method, path, secret, data=None):
    return getattr(Client(), method)(path, data, content_type="application/json",
                                     HTTP_AUTHORIZATION=f"Token {secret}")


def test_a_read_only_token_reads_but_every_change_is_refused(world):
    user = world["users"]["security_manager__org"]
    _, secret = issue_token(user, "dashboard", scope=TokenScope.READ_ONLY)
    goods = world["goods_a"]
    path = f"/api/supplychain/goods/{goods.pk}/"
    assert api("get", "/api/supplychain/goods/", secret).status_code == 200
    assert api("get", path, secret).json()["name"] == "Electronics"
    for method, url, data in (("post", "/api/supplychain/goods/", {"name": "Tobacco"}),
                              ("patch", path, {"name": "Renamed"}),
                              ("put", path, {"name": "Renamed", "value_class": "low"}),
                              ("delete", path, None),
                              ("post", f"{path}archive/", None)):
        response = api(method, url, secret, data)
        assert response.status_code == 403, (method, url, response.content)
        assert "read-only" in response.json()["detail"]
    goods.refresh_from_db()
    assert (goods.name, goods.archived) == ("Electronics", False)
    assert not GoodsCategory.objects.filter(name="Tobacco").exists()


def test_a_read_write_token_changes_what_its_owner_may_change(world):
    user = world["users"]["security_manager__org"]
    _, secret = issue_token(user, "TMS", scope=TokenScope.READ_WRITE)
    created = api("post", "/api/supplychain/goods/", secret,
                  {"name": "Tobacco", "value_class": "high"})
    assert created.status_code == 201, created.content
    path = f"/api/supplychain/goods/{created.json()['id']}/"
    changed = api("patch", path, secret, {"name": "Cigarettes",
                                          "version": created.json()["version"]})
    assert changed.status_code == 200, changed.content
    assert GoodsCategory.objects.get(pk=created.json()["id"]).name == "Cigarettes"
    # The scope never widens the owner's roles: a viewer's read-write token still cannot write.
    _, viewer_secret = issue_token(world["users"]["viewer__org"], "v",
                                   scope=TokenScope.READ_WRITE)
    assert api("post", "/api/supplychain/goods/", viewer_secret,
               {"name": "Wine", "value_class": "low"}).status_code == 403


def test_the_token_page_creates_read_only_tokens_unless_asked(client, world):
    client.force_login(world["users"]["security_manager__org"])
    create_token(client, name="reader")
    create_token(client, name="writer", scope="write")
    assert dict(ApiToken.objects.values_list("name", "scope")) == {"reader": "read",
                                                                   "writer": "write"}
    page = client.get("/account/tokens/").content.decode()
    assert "Read only" in page and "Read and write" in page
    refused = client.post("/account/tokens/", {"name": "odd", "scope": "admin"})
    assert refused.status_code == 400 and not ApiToken.objects.filter(name="odd").exists()


def test_a_revoked_token_answers_401_and_stays_listed_as_revoked(client, world):
    user = world["users"]["security_manager__org"]
    token, secret = issue_token(user, "old integration")
    assert call(secret).status_code == 200
    revoke_token(user, token)
    response = call(secret)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    client.force_login(user)
    page = client.get("/account/tokens/").content.decode()
    token.refresh_from_db()
    assert "old integration" in page and f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" in page
    assert f'/account/tokens/{token.pk}/revoke/' not in page
    assert LedgerEntry.objects.filter(action="token_revoked", object_id=str(token.pk),
                                      actor_id=user.pk).count() == 1


def test_an_expired_read_write_token_answers_401_on_writes_too(world):
    user = world["users"]["security_manager__org"]
    token, secret = issue_token(user, "short", scope=TokenScope.READ_WRITE, days=1)
    with actor_context(None, name="fixture"):
        token.expires_at = timezone.now() - datetime.timedelta(minutes=1)
        token.save(update_fields=["expires_at"])
    response = api("post", "/api/supplychain/goods/", secret, {"name": "X", "value_class": "low"})
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_a_token_of_someone_whose_role_was_archived_answers_401(world):
    user = world["users"]["viewer__org"]
    _, secret = issue_token(user, "reports")
    assert call(secret).status_code == 200
    with actor_context(None, name="test"):
        assignment = user.role_assignments.get()
        assignment.archived = True
        assignment.save()
    response = call(secret)
    assert response.status_code == 401 and "no current role" in response.json()["detail"]


def test_last_use_is_written_at_most_once_a_minute(world):
    token, secret = ApiToken.issue(world["users"]["security_manager__org"], "busy")
    call(secret)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        call(secret)
    assert not [q for q in queries.captured_queries if "UPDATE" in q["sql"]
                and "access_apitoken" in q["sql"]]
    token.refresh_from_db()
    assert token.last_used_at == first
    # A minute later the next call records its use again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(
        seconds=61))
    call(secret)
    token.refresh_from_db()
    assert token.last_used_at > first
