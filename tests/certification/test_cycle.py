"""The three-year certification cycle (standards.md §3), due dates worked out by hand."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chainward.certification import services
from chainward.certification.models import CycleMilestone
from chainward.ledger.context import actor_context
from tests.support.world import build_world

from . import factories as f

D = datetime.date


def test_cycle_from_a_stage1_date():
    dates = services.cycle_dates(stage1=D(2026, 1, 12))
    assert dates == {
        "stage1": D(2026, 1, 12),
        "stage2": D(2026, 2, 23),  # + 42 days
        "decision": D(2026, 3, 23),  # + 28 days
        "surveillance1": D(2027, 3, 23),  # decision + 12 months
        "surveillance2": D(2028, 3, 23),  # decision + 24 months
        # valid until 2029-03-22 (3 years less a day); recertification 3 months earlier
        "recertification": D(2028, 12, 22),
    }


def test_cycle_from_an_issued_certificate_and_month_ends():
    # Decision on 31 January: the same day number, clipped to shorter months; expiry
    # 2029-01-30 (three years less a day); recertification three months before: 2028-10-30.
    dates = services.cycle_dates(decision=D(2026, 1, 31))
    assert dates["stage2"] == D(2026, 1, 3)
    assert dates["stage1"] == D(2025, 11, 22)
    assert dates["surveillance1"] == D(2027, 1, 31)
    assert dates["surveillance2"] == D(2028, 1, 31)
    assert dates["recertification"] == D(2028, 10, 30)
    # An explicit expiry wins; clipped to 30 November.
    assert services.cycle_dates(decision=D(2026, 2, 28), expires=D(2029, 2, 28))[
        "recertification"] == D(2028, 11, 28)
    assert services.add_months(D(2028, 2, 29), 12) == D(2029, 2, 28)
    assert services.add_months(D(2026, 5, 31), -3) == D(2026, 2, 28)


@pytest.mark.django_db
def test_plan_cycle_creates_missing_milestones_only_for_people_who_may_change():
    world = build_world()
    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        cert = f.certificate(world, world["org_a"], world["s1"], "C-1")
        f.milestone(world, cert, "stage1", "done already", due_date=D(2026, 1, 5),
                    done_on=D(2026, 1, 5))
    with pytest.raises(ValidationError):
        services.plan_cycle(manager, cert)  # not issued and no stage 1 date
    with pytest.raises(PermissionDenied):
        services.plan_cycle(world["users"]["viewer__org"], cert, start=D(2026, 1, 12))
    milestones = services.plan_cycle(manager, cert, start=D(2026, 1, 12))
    assert [m.kind for m in milestones] == ["stage1", "stage2", "decision", "surveillance1",
                                            "surveillance2", "recertification"]
    assert milestones[0].due_date == D(2026, 1, 5)  # kept as it was
    assert milestones[1].due_date == D(2026, 2, 23)
    assert milestones[5].due_date == D(2028, 12, 22)
    assert milestones[1].created_by == manager
    services.plan_cycle(manager, cert, start=D(2026, 1, 12))
    assert CycleMilestone.objects.filter(certificate=cert).count() == 6
