"""Finding 17: an archived record is found by its id (GET, restore); lists still hide it."""

import json

import pytest

from chainward.core import services


@pytest.fixture
def archived_site(world):
    site = world["s2"]
    return services.set_archived(world["users"]["administrator__org"], site, True)


def test_an_archived_record_is_readable_by_its_id(admin_client, archived_site):
    response = admin_client.get(f"/api/supplychain/sites/{archived_site.pk}/")
    assert response.status_code == 200
    assert response.json()["archived"] is True


def test_an_archived_record_is_restored_without_any_query_switch(admin_client, archived_site):
    response = admin_client.post(f"/api/supplychain/sites/{archived_site.pk}/restore/")
    assert response.status_code == 200, response.content
    assert response.json()["archived"] is False
    archived_site.refresh_from_db()
    assert archived_site.archived is False


def test_lists_hide_archived_records_unless_asked(admin_client, archived_site):
    ids = {r["id"] for r in admin_client.get("/api/supplychain/sites/").json()["results"]}
    assert archived_site.pk not in ids
    ids = {r["id"] for r in admin_client.get("/api/supplychain/sites/",
                                             {"archived": "all"}).json()["results"]}
    assert archived_site.pk in ids


def test_an_archived_record_is_restored_before_it_is_changed(admin_client, archived_site):
    response = admin_client.patch(f"/api/supplychain/sites/{archived_site.pk}/", json.dumps(
        {"city": "Altona", "version": archived_site.version}), content_type="application/json")
    assert response.status_code == 403
    assert "Restore" in response.json()["detail"]
    archived_site.refresh_from_db()
    assert archived_site.city != "Altona"


def test_archived_records_stay_out_of_reach_of_people_who_cannot_see_them(client, world,
                                                                          archived_site):
    client.force_login(world["users"]["site_security_officer__site"])  # S1 only; this is S2
    assert client.get(f"/api/supplychain/sites/{archived_site.pk}/").status_code == 404
    assert client.post(f"/api/supplychain/sites/{archived_site.pk}/restore/").status_code == 404
