"""Level computation (worst category, grid lookup) and custom-matrix validation."""

import copy

import pytest
from django.core.exceptions import ValidationError

from chainward.ledger.context import actor_context
from chainward.risk import levels, services
from chainward.risk.models import RiskMatrix
from tests.support.bulk import fixture_writes

from .support import assessment_at, load_catalogues, rating, threat


@pytest.fixture
def catalogues(db):
    load_catalogues()


def test_default_matrix_is_copied_once(world, catalogues):
    first = services.default_matrix(world["org_a"])
    again = services.default_matrix(world["org_a"])
    assert first.pk == again.pk
    assert [lv["ref_id"] for lv in first.risk_levels] == ["low", "medium", "high", "critical"]
    assert first.acceptance_level == "medium"  # the highest level marked acceptable
    assert [c["ref_id"] for c in first.consequence_categories] == [
        "life", "economic", "environment", "reputation", "disruption", "legal"]
    assert RiskMatrix.objects.filter(organisation=world["org_a"]).count() == 1


def test_levels_hand_worked(world, catalogues):
    matrix = services.default_matrix(world["org_a"])
    # Worst category wins: economic 4 beats reputation 3.
    assert levels.worst_consequence({"life": 1, "economic": 4, "reputation": 3}) == 4
    assert levels.worst_consequence({}) is None
    # Default grid: L3 × C4 = 12 → high; L2 × C2 → low; L5 × C5 → critical; L1 × C5 → medium.
    assert matrix.level_for(3, 4) == "high"
    assert matrix.level_for(2, 2) == "low"
    assert matrix.level_for(5, 5) == "critical"
    assert matrix.level_for(1, 5) == "medium"
    assert matrix.level_for(None, 3) == ""
    assessment = assessment_at(world, "in")
    r = rating(assessment, threat(assessment), site=world["s1"], likelihood=3,
               consequences={"life": 1, "economic": 4, "reputation": 3})
    r.refresh_from_db()
    assert (r.consequence, r.inherent_level, r.inherent_rank) == (4, "high", 3)
    # No residual rating yet: residual = inherent; high is above the appetite (medium).
    assert (r.residual_level, r.residual_rank, r.above_appetite) == ("high", 3, True)
    r.residual_likelihood, r.residual_consequence = 2, 3
    with actor_context(None, name="t"):
        r.save()
    r.refresh_from_db()
    assert (r.residual_level, r.residual_rank, r.above_appetite) == ("medium", 2, False)


def test_custom_matrix_validation_errors(world, catalogues):
    base = services.default_matrix(world["org_a"])
    data = {f: copy.deepcopy(getattr(base, f)) for f in (
        "likelihood_levels", "consequence_levels", "consequence_categories", "risk_levels",
        "grid", "acceptance_level")}
    assert levels.validate(data) == {}
    data["grid"][0][0] = "extreme"
    data["acceptance_level"] = "nope"
    errors = levels.validate(data)
    assert "likelihood 1 × consequence 1: 'extreme'" in errors["grid"]
    assert "low, medium, high, critical" in errors["acceptance_level"]
    data["grid"] = data["grid"][:3]
    assert "needs 5 rows" in levels.validate(data)["grid"]
    bad = RiskMatrix(organisation=world["org_a"], name="Broken", likelihood_levels=[{"x": 1}],
                     consequence_levels=data["consequence_levels"],
                     consequence_categories=[], risk_levels=data["risk_levels"], grid=[],
                     acceptance_level="low")
    with pytest.raises(ValidationError) as failure:
        bad.full_clean()
    assert set(failure.value.message_dict) >= {"likelihood_levels", "consequence_categories"}


def test_frozen_matrix_refuses_changes(world, catalogues):
    matrix = services.default_matrix(world["org_a"])
    matrix.frozen = True
    with fixture_writes(RiskMatrix):
        RiskMatrix.objects.filter(pk=matrix.pk).update(frozen=True)
    matrix.acceptance_level = "high"
    with pytest.raises(ValidationError) as failure:
        matrix.full_clean()
    assert "frozen" in failure.value.message_dict["acceptance_level"][0]
    matrix.acceptance_level = "medium"
    matrix.threat_level_note = "Alert raised"
    matrix.full_clean()  # other fields stay editable


def test_matrix_change_recomputes_stored_levels_via_api(client, world, catalogues):
    assessment = assessment_at(world, "in")
    r = rating(assessment, threat(assessment), site=world["s1"], likelihood=3,
               consequences={"economic": 4})
    assert r.residual_level == "high" and r.above_appetite
    matrix = assessment.matrix
    client.force_login(world["users"]["security_manager__org"])
    response = client.patch(f"/api/risk/matrices/{matrix.pk}/", data={
        "acceptance_level": "high", "version": matrix.version},
        content_type="application/json")
    assert response.status_code == 200, response.content
    r.refresh_from_db()
    assert not r.above_appetite
    grid = [row[:] for row in matrix.grid]
    grid[2][3] = "critical"
    response = client.patch(f"/api/risk/matrices/{matrix.pk}/", data={
        "grid": grid, "version": matrix.version + 1}, content_type="application/json")
    assert response.status_code == 200, response.content
    r.refresh_from_db()
    assert (r.inherent_level, r.residual_level, r.above_appetite) == ("critical", "critical",
                                                                      True)
    response = client.patch(f"/api/risk/matrices/{matrix.pk}/", data={
        "grid": [["nope"]], "version": matrix.version + 2}, content_type="application/json")
    assert response.status_code == 400 and "grid" in response.json()["errors"]
