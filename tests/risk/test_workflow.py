"""Completion rules, risk acceptance, re-assessment from a baseline, suggestions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.library.models import CatalogEntry
from chainward.risk import services
from chainward.risk.models import AssessmentMember, Rating, RiskAcceptance, ThreatApplicability
from tests.support.bulk import fixture_writes

from .support import assessment_at, load_catalogues, rating, threat


@pytest.fixture
def catalogues(db):
    load_catalogues()


def consider_all(assessment, except_codes=()):
    codes = [c.ref_id for c in CatalogEntry.objects.filter(kind="threat_category")
             if c.ref_id not in except_codes]
    with actor_context(None, name="t"):
        return ThreatApplicability.objects.create(
            organisation=assessment.organisation, assessment=assessment,
            custom_scenario="Everything else we know of", custom_categories=codes,
            applicable=False, justification="Covered by the group assessment")


def ready_rating(assessment, applicability, site, owner, **kwargs):
    values = {"likelihood": 2, "consequences": {"economic": 2}, "decision": "acceptable",
              "owner": owner, **kwargs}
    return rating(assessment, applicability, site=site, **values)


def test_completion_refused_names_ratings_and_categories(world, catalogues):
    manager = world["users"]["security_manager__org"]
    assessment = assessment_at(world, "in")
    consider_all(assessment, except_codes=("UU",))
    applicability = threat(assessment, "TS-01")
    ok = ready_rating(assessment, applicability, world["s1"], manager)
    no_owner = ready_rating(assessment, applicability, world["s1"], None)
    no_decision = ready_rating(assessment, applicability, world["s1"], manager, decision="")
    treated = ready_rating(assessment, applicability, world["s1"], manager, decision="treat",
                           likelihood=4, consequences={"economic": 4})
    with pytest.raises(services.CompletionRefused) as refused:
        services.complete_assessment(manager, assessment)
    text = " ".join(refused.value.problems)
    assert "UU " in text and "not considered" in text
    assert f"{no_owner.reference} (TS-01 Theft of full load" in text
    assert f"{no_owner.reference} (TS-01 Theft of full load / container / trailer @ site S1) " \
           "lacks an owner" in text
    assert f"{no_decision.reference}" in text and "lacks a decision" in text
    assert f"{treated.reference}" in text and "a residual rating" in text
    assert ok.reference not in text
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_completion_succeeds_and_freezes(world, catalogues):
    manager = world["users"]["security_manager__org"]
    assessment = assessment_at(world, "in")
    consider_all(assessment)
    applicability = threat(assessment, "TS-01")
    ready_rating(assessment, applicability, world["s1"], manager)
    ready_rating(assessment, applicability, world["s1"], manager, decision="treat",
                 likelihood=4, consequences={"economic": 4}, residual_likelihood=2,
                 residual_consequence=2)
    services.complete_assessment(manager, assessment)
    assessment.refresh_from_db()
    assert assessment.status == "completed"
    assert assessment.completed_on == timezone.localdate()
    assert assessment.matrix.frozen
    assert LedgerEntry.objects.filter(action="freeze").exists()


def test_accept_above_appetite_needs_valid_acceptance(world, catalogues):
    manager = world["users"]["security_manager__org"]
    admin = world["users"]["administrator__org"]
    assessment = assessment_at(world, "in", assessor=admin)
    consider_all(assessment)
    high = ready_rating(assessment, threat(assessment), world["s1"], manager, decision="accept",
                        likelihood=5, consequences={"legal": 5})
    with pytest.raises(services.CompletionRefused) as refused:
        services.complete_assessment(manager, assessment)
    assert f"{high.reference}" in refused.value.problems[0]
    assert "a valid risk acceptance" in refused.value.problems[0]
    # A Critical residual risk: the matrix reserves it to top management.
    services.accept_risk(world["users"]["top_management__org"], high,
                         justification="Lane needed; insurer covers it",
                         valid_until=timezone.localdate() + datetime.timedelta(days=180))
    services.complete_assessment(manager, assessment)
    assessment.refresh_from_db()
    assert assessment.status == "completed"


def test_acceptance_refused_for_assessor_and_without_permission(world, catalogues):
    manager = world["users"]["security_manager__org"]
    assessment = assessment_at(world, "in", assessor=manager)
    high = ready_rating(assessment, threat(assessment), world["s1"], manager, decision="accept",
                        likelihood=5, consequences={"legal": 5})
    until = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(PermissionDenied, match="the assessor cannot accept their own "
                                               "assessment's risk"):
        services.accept_risk(manager, high, justification="x", valid_until=until)
    with pytest.raises(PermissionDenied, match="accept permission"):
        services.accept_risk(world["users"]["site_security_officer__org"], high,
                             justification="x", valid_until=until)
    with pytest.raises(PermissionDenied, match="Top management"):
        services.accept_risk(world["users"]["administrator__org"], high,
                             justification="x", valid_until=until)
    accepted = services.accept_risk(world["users"]["top_management__org"], high,
                                    justification="Board decision", valid_until=until)
    assert accepted.accepted_by == world["users"]["top_management__org"]
    assert RiskAcceptance.objects.count() == 1


def test_acceptance_ui_and_expiry(client, world, catalogues):
    manager = world["users"]["security_manager__org"]
    top = world["users"]["top_management__org"]
    assessment = assessment_at(world, "in", assessor=manager)
    high = ready_rating(assessment, threat(assessment), world["s1"], manager, decision="accept",
                        likelihood=5, consequences={"legal": 5})
    data = {"rating": high.pk, "justification": "Needed", "valid_until":
            (timezone.localdate() + datetime.timedelta(days=10)).isoformat()}
    client.force_login(manager)
    response = client.post("/risk/acceptances/add/", data)
    assert response.status_code == 403
    assert "the assessor cannot accept their own assessment&#x27;s risk" in \
        response.content.decode()
    assert not RiskAcceptance.objects.exists()
    client.force_login(world["users"]["contributor__org"])
    assert client.post("/risk/acceptances/add/", data).status_code == 403
    client.force_login(top)
    response = client.post("/risk/acceptances/add/", {**data, "justification": ""})
    assert response.status_code == 400  # justification required
    response = client.post("/risk/acceptances/add/", data)
    assert response.status_code == 302
    acceptance = RiskAcceptance.objects.get()
    assert acceptance.accepted_by == top and not acceptance.is_expired
    # Expired: shows as due in the filter and on the dashboard.
    with fixture_writes(RiskAcceptance):
        RiskAcceptance.objects.filter(pk=acceptance.pk).update(
            valid_until=timezone.localdate() - datetime.timedelta(days=1))
    listed = client.get("/risk/acceptances/", {"expired": "true"}).content.decode()
    assert acceptance.reference in listed
    home = client.get("/").content.decode()
    assert "Risk acceptances expired" in home
    # Without a valid acceptance the rating is back on the "above appetite" card and filter.
    unaccepted = client.get("/risk/register/", {"unaccepted": "true"}).content.decode()
    assert high.reference in unaccepted


def test_acceptance_refused_within_appetite(client, world, catalogues):
    manager = world["users"]["security_manager__org"]
    assessment = assessment_at(world, "in", assessor=manager)
    low = ready_rating(assessment, threat(assessment), world["s1"], manager)
    client.force_login(world["users"]["administrator__org"])
    response = client.post("/risk/acceptances/add/", {
        "rating": low.pk, "justification": "x",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=10)).isoformat()})
    assert response.status_code == 400
    assert "within the acceptance criteria" in response.content.decode()


def test_completion_in_ui_and_api(client, world, catalogues):
    manager = world["users"]["security_manager__org"]
    assessment = assessment_at(world, "in")
    consider_all(assessment)
    missing = ready_rating(assessment, threat(assessment), world["s1"], None)
    client.force_login(manager)
    response = client.post(f"/risk/assessments/{assessment.pk}/complete/", follow=True)
    page = response.content.decode()
    assert "cannot be completed yet" in page and missing.reference in page
    response = client.post(f"/api/risk/assessments/{assessment.pk}/complete/")
    assert response.status_code == 400
    assert any(missing.reference in p and "an owner" in p for p in response.json()["problems"])
    with fixture_writes(Rating):
        Rating.objects.filter(pk=missing.pk).update(owner=manager)
    response = client.post(f"/api/risk/assessments/{assessment.pk}/complete/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    # A viewer-like role without change cannot complete (404: not in their change scope).
    client.force_login(world["users"]["internal_auditor__org"])
    assert client.post(f"/risk/assessments/{assessment.pk}/complete/").status_code == 404


def test_start_from_baseline_copies_and_flags(world, catalogues):
    manager = world["users"]["security_manager__org"]
    admin = world["users"]["administrator__org"]
    previous = assessment_at(world, "in")
    previous.partners.set([world["carrier_a"]])
    consider_all(previous)
    applicability = threat(previous, "TS-02")
    with actor_context(None, name="t"):
        from chainward.people.models import Person

        lead = Person.objects.create(organisation=previous.organisation, full_name="Lead",
                                     user=manager)
        AssessmentMember.objects.create(organisation=previous.organisation, assessment=previous,
                                        person=lead, role_in_team="Lead")
    ready_rating(previous, applicability, world["s1"], manager)
    ready_rating(previous, applicability, None, manager, partner=world["carrier_a"])
    services.complete_assessment(manager, previous)
    before = LedgerEntry.objects.count()
    new = services.start_from_baseline(admin, previous)
    assert new.baseline == previous and new.status == "draft" and new.assessor == admin
    assert list(new.sites.all()) == [world["s1"]]
    assert list(new.partners.all()) == [world["carrier_a"]]
    assert new.members.count() == 1 and new.applicability.count() == 2
    assert new.members.get().person == lead  # the team stays linked to the staff record
    copied = list(new.ratings.all())
    assert len(copied) == 2 and all(not r.reviewed for r in copied)
    assert {r.threat.assessment_id for r in copied} == {new.pk}
    assert previous.ratings.count() == 2  # the baseline keeps its own
    assert LedgerEntry.objects.count() > before + 6  # every copied row is ledgered
    # Completing the re-assessment supersedes the baseline.
    with fixture_writes(Rating):
        Rating.objects.filter(assessment=new).update(reviewed=True)
    services.complete_assessment(manager, new)
    previous.refresh_from_db()
    assert previous.status == "archived"


def test_suggested_countermeasure_one_click(client, world, catalogues):
    manager = world["users"]["security_manager__org"]
    assessment = assessment_at(world, "in")
    r = ready_rating(assessment, threat(assessment, "TS-01"), world["s1"], manager)
    client.force_login(manager)
    page = client.get(r.get_absolute_url()).content.decode()
    assert "RC-07" in page and "Create countermeasure" in page
    control = CatalogEntry.objects.get(kind="reference_control", ref_id="RC-01")
    response = client.post(f"/risk/register/{r.pk}/suggestion/", {"control": control.pk})
    assert response.status_code == 302
    measure = r.countermeasures.get()
    assert measure.source_control == control and measure.status == "planned"
    assert list(measure.sites.all()) == [world["s1"]]
    assert measure.requirements.exists()  # RC-01 names C-TPAT criteria
    other = CatalogEntry.objects.get(kind="reference_control", ref_id="RC-02")
    client.post(f"/risk/register/{r.pk}/suggestion/", {"control": other.pk})
    assert r.countermeasures.count() == 1  # RC-02 is not suggested for TS-01
