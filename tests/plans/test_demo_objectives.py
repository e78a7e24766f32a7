"""The objectives demo: three realistic objectives, one per status, written once."""

from django.db import transaction

from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.plans.demo import build_objectives_demo
from chainward.plans.models import Measurement, SecurityObjective


def run(world):
    admin = world["users"]["administrator__org"]
    with actor_context(admin, reason="objectives demo"), transaction.atomic():
        return build_objectives_demo(world["org_a"], admin)


def test_demo_objectives_cover_each_status_and_a_second_run_writes_nothing(world):
    objectives = run(world)
    assert {o.title: o.status for o in objectives} == {
        "Reduce cargo-theft incidents per 1,000 shipments": "on_track",
        "Seal-verification compliance at hand-offs ≥ 99 %": "at_risk",
        "Security-awareness training completion 100 % by Q4": "off_track",
    }
    assert [o.direction for o in objectives] == ["lower_is_better", "higher_is_better",
                                                 "higher_is_better"]
    for objective in objectives:
        measured = list(objective.measurements.order_by("measured_on"))
        assert len(measured) == 12
        months = {(m.measured_on.year, m.measured_on.month) for m in measured}
        assert len(months) == 12  # one a month for a year
        assert objective.owner == world["users"]["security_manager__org"]
        assert objective.planned_actions and objective.resources
    written = LedgerEntry.objects.filter(object_type__startswith="plans.")
    assert written.count() == 3 + 36
    assert set(written.values_list("actor_name", flat=True)) == {
        world["users"]["administrator__org"].email}

    entries = LedgerEntry.objects.count()
    again = run(world)
    assert [o.pk for o in again] == [o.pk for o in objectives]
    assert LedgerEntry.objects.count() == entries
    assert SecurityObjective.objects.count() == 3 and Measurement.objects.count() == 36
