"""Auditor independence (ISO 28000 9.2) holds on every path that writes an audit: the UI, API
create, API PATCH, import and the service — refused with the reason, nothing written (issue 10,
finding 5). The rule lives in `audits.services.assert_independent`, run by `save_record`."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.audits.models import Audit
from chainward.core import services as records
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry

from . import factories as f

REASON = "is site security officer of Hamburg warehouse and cannot audit it"


@pytest.fixture
def officer(world):
    """Site security officer of S1 (Hamburg warehouse): may not audit S1."""
    return world["users"]["site_security_officer__site"]


@pytest.fixture
def auditor(world):
    return world["users"]["internal_auditor__org"]


@pytest.fixture
def planned(world, auditor, officer):
    """An audit of S2 led by the auditor, with the S1 officer in the team (independent)."""
    with actor_context(None, name="fixture"):
        audit = f.audit(world["org_a"], "Rotterdam audit", sites=[world["s2"]],
                        lead_auditor=auditor)
        audit.team.set([officer])
    return audit


def audit_entries():
    return LedgerEntry.objects.filter(object_type="audits.audit")


def ui_data(world, **overrides):
    data = {"title": "Hamburg gate audit", "audit_type": "internal",
            "planned_start": f.days(5).isoformat(), "planned_end": f.days(6).isoformat(),
            "sites": [world["s1"].pk]}
    data.update(overrides)
    return data


def test_ui_create_refuses_the_sites_officer_as_lead(admin_client, world, officer):
    response = admin_client.post("/audits/audits/add/", ui_data(world, lead_auditor=officer.pk))
    assert response.status_code == 400
    assert REASON in response.context["form"].errors["lead_auditor"][0]
    assert not Audit.objects.exists() and not audit_entries().exists()


def test_ui_edit_refuses_moving_the_audit_onto_a_team_members_site(admin_client, world,
                                                                  planned):
    written = audit_entries().count()
    response = admin_client.post(f"/audits/audits/{planned.pk}/edit/", ui_data(
        world, title=planned.title, lead_auditor=planned.lead_auditor_id,
        team=[m.pk for m in planned.team.all()], version=planned.version))
    assert response.status_code == 400
    assert REASON in response.context["form"].errors["team"][0]
    planned.refresh_from_db()
    assert list(planned.sites.all()) == [world["s2"]] and planned.version == 1
    assert audit_entries().count() == written


def test_api_create_refuses_the_sites_officer_in_the_team(admin_client, world, officer,
                                                         auditor):
    response = admin_client.post("/api/audits/audits/", data=json.dumps(ui_data(
        world, lead_auditor=auditor.pk, team=[officer.pk])), content_type="application/json")
    assert response.status_code == 400
    assert REASON in response.content.decode() and "team" in response.content.decode()
    assert not Audit.objects.exists() and not audit_entries().exists()


def test_api_patch_refuses_moving_the_audit_onto_a_team_members_site(admin_client, world,
                                                                    planned):
    written = audit_entries().count()
    response = admin_client.patch(f"/api/audits/audits/{planned.pk}/", data=json.dumps(
        {"sites": [world["s1"].pk], "version": planned.version}),
        content_type="application/json")
    assert response.status_code == 400
    assert REASON in response.content.decode()
    planned.refresh_from_db()
    assert list(planned.sites.all()) == [world["s2"]] and planned.version == 1
    assert audit_entries().count() == written


def test_api_patch_refuses_making_the_lead_responsible_for_the_scope(admin_client, planned,
                                                                    auditor):
    response = admin_client.patch(f"/api/audits/audits/{planned.pk}/", data=json.dumps(
        {"responsible_persons": [auditor.pk], "version": planned.version}),
        content_type="application/json")
    assert response.status_code == 400
    assert "is responsible for the audited scope" in response.content.decode()
    assert not planned.responsible_persons.exists()


def test_api_patch_of_an_independent_team_is_saved(admin_client, world, planned):
    response = admin_client.patch(f"/api/audits/audits/{planned.pk}/", data=json.dumps(
        {"title": "Rotterdam audit (gate)", "version": planned.version}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    planned.refresh_from_db()
    assert planned.title == "Rotterdam audit (gate)"


def test_import_offers_no_way_around_the_rule(admin_client, world, officer):
    # Audits are not importable: the import page and its POST are refused outright.
    assert admin_client.get("/audits/audits/import/").status_code == 403
    upload = SimpleUploadedFile("audits.csv", b"title,lead_auditor,sites\nX,"
                                + officer.email.encode() + b",S1\n", "text/csv")
    assert admin_client.post("/audits/audits/import/", {"file": upload}).status_code == 403
    assert not Audit.objects.exists()


def test_service_save_refuses_and_leaves_nothing(world, planned):
    admin = world["users"]["administrator__org"]
    written = audit_entries().count()
    with pytest.raises(ValidationError) as refused:
        records.save_record(admin, planned, relations={"sites": [world["s1"]]},
                            expected_version=planned.version)
    assert REASON in refused.value.message_dict["team"][0]
    planned.refresh_from_db()
    assert list(planned.sites.all()) == [world["s2"]] and planned.version == 1
    assert audit_entries().count() == written


def test_transition_refuses_a_team_that_became_dependent(world, planned, officer):
    # The officer is given S2 as well after the audit was planned: the next step is refused.
    from chainward.access.models import RoleAssignment
    from chainward.audits import services

    with actor_context(None, name="fixture"):
        RoleAssignment.objects.get(user=officer).sites.add(world["s2"])
    with pytest.raises(ValidationError):
        services.transition_audit(world["users"]["administrator__org"], planned, "in_progress")
    planned.refresh_from_db()
    assert planned.status == "planned"
