"""The risk demo: a completed assessment over the supply-chain demo, written once, in which every
applicable scenario is rated by hand against every in-scope target it can affect or judged not
credible there (ISO 28001 5.3, issue 12)."""

from django.db import transaction

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.risk import services
from chainward.risk.choices import Decision
from chainward.risk.demo import build_risk_demo
from chainward.risk.models import (
    Countermeasure,
    NotCredible,
    Rating,
    RiskAcceptance,
    SecurityAssessment,
)
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
    # ISO 28001 5.3: the team are staff records (made by the risk demo from the people demo's
    # file when it runs first), their accounts copied from them.
    assert {(m.person.full_name, m.user.email) for m in assessment.members.all()} == {
        ("Markus Weber", "m.weber@abc-logistics.example"),
        ("Jan Petersen", "j.petersen@abc-logistics.example"),
        ("Agnieszka Nowak", "a.nowak@abc-logistics.example")}
    assert all(m.undertaking_signed_on for m in assessment.members.all())
    assert assessment.existing_measures.exists()
    assert assessment.applicability.filter(applicable=False).exclude(justification="").exists()
    # The scope, worked out by hand from demo.yaml: sites DEHAM-WH1, PLPOZ-WH1, PLSTR-XD1; legs
    # port→Hamburg warehouse, Hamburg→Poznań, Terespol→Stryków; partners Wisła Transport and
    # Zollagentur Nord; processes TMS (organisation-wide) and customs/excise declarations.
    # 27 applicable scenarios (TS-12, TS-21, TS-26 not applicable) against the targets of the
    # kinds threats.yaml gives them make 140 pairs: 129 rated, 11 judged not credible.
    assert sorted(assessment.sites.values_list("code", flat=True)) == [
        "DEHAM-WH1", "PLPOZ-WH1", "PLSTR-XD1"]
    assert assessment.legs.count() == 3 and assessment.partners.count() == 2
    assert [p.name for p in services.processes_in_scope(assessment)] == [
        "Customs and excise declarations (ATLAS, EMCS)", "Transport management system (TMS)"]
    assert assessment.applicability.filter(applicable=True).count() == 27
    ratings = Rating.objects.filter(assessment=assessment)
    judged = NotCredible.objects.filter(assessment=assessment)
    assert (ratings.count(), judged.count()) == (129, 11)
    assert services.uncovered_pairs(assessment) == []
    assert all(len(n.reason) > 40 for n in judged)
    assert counts["pairs judged not credible"] == 11
    # Ransomware against the transport management system is rated (a process target).
    assert ratings.filter(threat__scenario__ref_id="TS-17", process__kind="it_system").exists()
    # Ratings rely on measures of this assessment, written per target (not rotated).
    assert ratings.filter(existing_measures__isnull=True).count() < 10
    assert not ratings.exclude(existing_measures__isnull=True).exclude(
        existing_measures__assessment=assessment).exists()
    assert assessment.existing_measures.values("description").distinct().count() == \
        assessment.existing_measures.count()
    assert counts["risk ratings"] == ratings.count()
    decisions = set(ratings.values_list("decision", flat=True))
    assert decisions == {Decision.ACCEPTABLE, Decision.TREAT, Decision.ACCEPT}
    assert ratings.filter(site__isnull=False).exists() and ratings.filter(
        leg__isnull=False).exists() and ratings.filter(partner__isnull=False).exists() and \
        ratings.filter(process__isnull=False).exists()
    accepted = RiskAcceptance.objects.filter(rating__assessment=assessment)
    assert accepted.count() == 3
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


def test_the_demo_cannot_complete_with_a_pair_left_out(db, monkeypatch, tmp_path):
    """The demo completes through the service: a pair neither rated nor judged stops it."""
    import pytest
    import yaml

    from chainward.risk import demo as risk_demo
    from chainward.supplychain.models import Leg

    data = yaml.safe_load(risk_demo.DATA.read_text(encoding="utf-8"))
    del data["not_credible"]["TS-25"]["leg DEHAM-WH1>PLPOZ-WH1"]
    changed = tmp_path / "demo.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(risk_demo, "DATA", changed)
    organisation, admin = build(db)
    with pytest.raises(services.CompletionRefused) as refused:
        run(organisation, admin)
    road = Leg.objects.get(from_site__code="DEHAM-WH1", to_site__code="PLPOZ-WH1")
    assert refused.value.problems == [
        "TS-25 Piracy / armed robbery at sea, or attacks on inland waterway vessels @ leg "
        f"{road.reference}: neither rated nor marked not credible."]
    assert not SecurityAssessment.objects.filter(organisation=organisation).exists()
