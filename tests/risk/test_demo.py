"""The risk demo: a completed assessment over the supply-chain demo, written once."""

from django.db import transaction

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.risk.choices import Decision
from chainward.risk.demo import build_risk_demo
from chainward.risk.models import Countermeasure, Rating, RiskAcceptance, SecurityAssessment
from chainward.supplychain import demo

from .support import load_catalogues


def build(db):
    load_catalogues()
    with actor_context(None, name="chainward demo"), transaction.atomic():
        organisation = demo.ensure_organisation(demo.Tally())
        admin, _ = demo.ensure_admin()
        demo.build_demo(organisation, admin)
    return organisation, admin


def run(organisation, admin):
    with actor_context(None, name="chainward demo"), transaction.atomic():
        return build_risk_demo(organisation, admin)


def test_risk_demo_is_complete_and_idempotent(db):
    organisation, admin = build(db)
    counts = run(organisation, admin)
    assessment = SecurityAssessment.objects.get(organisation=organisation)
    assert assessment.status == "completed" and assessment.matrix.frozen
    assert assessment.title.startswith("ABC Logistics supply-chain security assessment ")
    assert assessment.members.count() == 3
    assert all(m.undertaking_signed_on for m in assessment.members.all())
    assert assessment.existing_measures.exists()
    assert assessment.applicability.filter(applicable=False).exclude(justification="").exists()
    ratings = Rating.objects.filter(assessment=assessment)
    assert 30 <= ratings.count() <= 40
    assert counts["risk ratings"] == ratings.count()
    decisions = set(ratings.values_list("decision", flat=True))
    assert decisions == {Decision.ACCEPTABLE, Decision.TREAT, Decision.ACCEPT}
    assert ratings.filter(site__isnull=False).exists() and ratings.filter(
        leg__isnull=False).exists() and ratings.filter(partner__isnull=False).exists()
    accepted = RiskAcceptance.objects.filter(rating__assessment=assessment)
    assert 2 <= accepted.count() <= 3
    assert {a.accepted_by.email for a in accepted} == {"h.brandt@abc-logistics.example"}
    assert assessment.assessor != accepted.first().accepted_by
    # High and Critical residual risks: accepted by the demo's Top management person.
    assert {a.rating.residual_level for a in accepted} <= {"high", "critical"}
    assert accepted.first().accepted_by.role_assignments.filter(
        role__name="Top management", organisation=organisation).exists()
    statuses = set(Countermeasure.objects.filter(organisation=organisation)
                   .values_list("status", flat=True))
    assert statuses == {"planned", "in_progress", "implemented", "verified"}
    assert sum(m.is_overdue for m in Countermeasure.objects.all()) == 1
    assert ratings.filter(decision="treat", countermeasures__isnull=False).exists()

    entries = LedgerEntry.objects.count()
    again = run(organisation, admin)
    assert again["risk ratings"] == 0
    assert LedgerEntry.objects.count() == entries
