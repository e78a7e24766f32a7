"""The ISO 28001 assessment team is a list of staff records (people.Person), and the
assessment's page shows each member's training records (ISO 28001 5.3 via ISO 28000 7.2):
competence, result, expiry, expired ones flagged, and what the assessment-team roles require
that the member lacks. Members from before the staff register are linked by the migration to
the staff record of their own account (ledgered); the others say they need linking."""

import importlib

import pytest
from django.apps import apps

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.risk.models import AssessmentMember
from tests.people import factories as pf
from tests.support.bulk import fixture_writes

from .support import assessment_at, load_catalogues


@pytest.fixture
def catalogues(db):
    load_catalogues()


@pytest.fixture
def team(world, catalogues):
    """An assessment of S1; Jan (S1) with a valid ISO 28001 course and an expired awareness
    training; Eva (S2) with none. The assessment-team role requires the ISO 28001 method and
    risk analysis."""
    org = world["org_a"]
    assessment = assessment_at(world, "in")
    with actor_context(None, name="fixture"):
        method = pf.requirement(org, "ISO 28001 assessment method", validity_months=36)
        analysis = pf.requirement(org, "Risk analysis workshop")
        aware = pf.requirement(org, "C-TPAT awareness", validity_months=12)
        role = pf.role(org, "Assessment team member", kind="assessor")
        role.required_competences.add(method, analysis)
        jan = pf.person(org, "Jan Petersen", site=world["s1"])
        eva = pf.person(org, "Eva de Vries", site=world["s2"])
        pf.training(jan, method, completed_on=pf.days(-100), course="ISO 28001 course")
        pf.training(jan, aware, completed_on=pf.days(-400), course="Awareness")
        for person, role_in_team in ((jan, "Site expert"), (eva, "Analyst")):
            AssessmentMember.objects.create(organisation=org, assessment=assessment,
                                            person=person, role_in_team=role_in_team)
    return {"assessment": assessment, "jan": jan, "eva": eva}


def _team_section(page):
    start = page.index('id="team-qualifications"')
    return page[start:page.index("</section>", start)]


def _row(section, name):
    """The table row of the member called `name`."""
    return next(row for row in section.split("<tr>") if name in row)


def test_the_assessment_page_shows_each_members_training_records(client, world, team):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get(team["assessment"].get_absolute_url()).content.decode()
    section = _team_section(page)
    jan = _row(section, "Jan Petersen")
    assert "ISO 28001 assessment method</a> — passed, valid until" in jan
    assert 'data-state="expired"' in jan and "C-TPAT awareness" in jan
    assert jan.count('badge text-bg-danger">expired') == 1
    assert "Lacks Risk analysis workshop (missing)" in jan
    assert "Lacks ISO 28001 assessment method" not in jan
    eva = _row(section, "Eva de Vries")
    assert "No training records." in eva
    assert "Lacks ISO 28001 assessment method (missing)" in eva


def test_a_site_officer_sees_the_training_of_their_sites_people_only(client, world, team):
    client.force_login(world["users"]["site_security_officer__site"])
    section = _team_section(client.get(team["assessment"].get_absolute_url())
                            .content.decode())
    assert "ISO 28001 assessment method</a>" in _row(section, "Jan Petersen")  # at S1
    eva = _row(section, "Eva de Vries")
    assert "valid until" not in eva  # Eva is at S2: none of her records leave the server


def test_a_team_member_must_be_a_person_of_the_staff_register(client, world, team):
    client.force_login(world["users"]["security_manager__org"])
    response = client.post("/risk/team/add/", {"assessment": team["assessment"].pk,
                                                "role_in_team": "Observer"})
    assert response.status_code == 400
    response = client.post("/risk/team/add/", {
        "assessment": team["assessment"].pk, "person": team["jan"].pk,
        "role_in_team": "Observer"})
    assert response.status_code == 400
    assert "already in the team" in response.content.decode()


def test_the_api_takes_the_person_and_copies_their_account(client, world, team):
    import json

    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        own = pf.person(world["org_a"], "Markus Weber", user=manager)
    client.force_login(manager)
    response = client.post("/api/risk/team/", data=json.dumps({
        "assessment": team["assessment"].pk, "person": own.pk, "role_in_team": "Lead"}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["user"] == manager.pk
    response = client.post("/api/risk/team/", data=json.dumps({
        "assessment": team["assessment"].pk, "role_in_team": "Nobody"}),
        content_type="application/json")
    assert response.status_code == 400 and "person" in response.json()["errors"]


def test_the_migration_links_members_to_the_staff_record_of_their_account(client, world,
                                                                          team):
    migration = importlib.import_module("chainward.risk.migrations.0003_assessment_member_person")
    manager = world["users"]["security_manager__org"]
    auditor = world["users"]["internal_auditor__org"]
    with actor_context(None, name="fixture"):
        # Two members from before the staff register: only the manager has a staff record.
        legacy = AssessmentMember.objects.create(
            organisation=world["org_a"], assessment=team["assessment"], user=manager,
            role_in_team="Lead", qualifications="ISO 28000 lead auditor")
        unmatched = AssessmentMember.objects.create(
            organisation=world["org_a"], assessment=team["assessment"], user=auditor,
            role_in_team="Reviewer")
        own = pf.person(world["org_a"], "Markus Weber", user=manager)
    # The tests build their database without migrations, so the function is given the live
    # models; a real migrate gives it the historical ones, whose plain manager has no guard
    # against the one UPDATE it makes (the ledger entry is the function's own).
    with fixture_writes(AssessmentMember):
        migration.link_members_to_staff_records(apps, None)
    legacy.refresh_from_db()
    unmatched.refresh_from_db()
    assert legacy.person == own and legacy.qualifications == "ISO 28000 lead auditor"
    assert unmatched.person is None and unmatched.user == auditor
    entry = LedgerEntry.objects.filter(object_type="risk.assessmentmember",
                                       object_id=str(legacy.pk)).order_by("-seq").first()
    assert entry.after == {"person": own.pk} and "staff record" in entry.reason
    client.force_login(manager)
    section = _team_section(client.get(team["assessment"].get_absolute_url())
                            .content.decode())
    assert "Markus Weber" in section
    assert "No staff record linked" in section and auditor.email in section
