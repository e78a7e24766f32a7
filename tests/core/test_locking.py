"""Optimistic locking: a stale save is refused with what changed, never merged silently."""

import json

from chainward.core import services
from chainward.supplychain.registers import SiteRegister
from tests.support.matrix import form_data


def test_stale_edit_gets_a_conflict_naming_the_change(client, world):
    site = world["s1"]
    alice = world["users"]["administrator__org"]
    bob = world["users"]["security_manager__org"]
    stale = form_data(site, SiteRegister.form_fields, city="Altona")  # Alice opens the form
    site.security_level = "high"
    services.save_record(bob, site, expected_version=1)  # Bob saves first
    client.force_login(alice)
    response = client.post(f"/supplychain/sites/{site.pk}/edit/", stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this site" in page
    assert "security_manager__org@a.example changed <strong>security level</strong>" in page
    assert "from “Baseline” to “High”" in page
    site.refresh_from_db()
    assert (site.city, site.security_level, site.version) == ("", "high", 2)


def test_fresh_edit_saves_and_bumps_version(admin_client, world):
    site = world["s1"]
    response = admin_client.post(f"/supplychain/sites/{site.pk}/edit/",
                                 form_data(site, SiteRegister.form_fields, city="Altona"))
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.city, site.version) == ("Altona", 2)


def test_api_update_without_version_is_refused(admin_client, world):
    site = world["s1"]
    response = admin_client.patch(f"/api/supplychain/sites/{site.pk}/", json.dumps(
        {"city": "Altona"}), content_type="application/json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_api_stale_version_is_a_409_and_changes_nothing(admin_client, world):
    site = world["s1"]
    site.city = "Harburg"
    services.save_record(world["users"]["security_manager__org"], site)
    response = admin_client.patch(f"/api/supplychain/sites/{site.pk}/", json.dumps(
        {"city": "Altona", "version": 1}), content_type="application/json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    site.refresh_from_db()
    assert site.city == "Harburg"


def test_history_panel_shows_who_changed_what(admin_client, world):
    site = world["s1"]
    admin_client.post(f"/supplychain/sites/{site.pk}/edit/",
                      form_data(site, SiteRegister.form_fields, city="Altona"))
    page = admin_client.get(f"/supplychain/sites/{site.pk}/").content.decode()
    assert "administrator__org@a.example" in page
    assert "City</td><td>—</td><td>→</td><td>Altona" in page


def test_history_names_related_records_and_choices(admin_client, world):
    site = world["s1"]
    admin_client.post(f"/supplychain/sites/{site.pk}/edit/", form_data(
        site, SiteRegister.form_fields, operator=world["carrier_a"].pk, security_level="critical",
        goods_categories=[world["goods_a"].pk]))
    page = admin_client.get(f"/supplychain/sites/{site.pk}/").content.decode()
    assert "Operator</td><td>—</td><td>→</td><td>Nordic Trucking" in page
    assert "Security level</td><td>Baseline</td><td>→</td><td>Critical" in page
    assert "Goods handled</td><td>—</td><td>→</td><td>Electronics" in page
