"""Builders of security plans and their exercises for the exercise tests (saved directly
inside an actor context; the rules under test go through the services)."""

import datetime
import itertools

from django.utils import timezone

from chainward.incidents.models import Exercise
from chainward.ledger.context import actor_context
from chainward.plans.models import SecurityPlan
from tests.plans.test_security_plan import matrix_catalogue
from tests.risk import support
from tests.support.matrix import RegisterCase

from . import factories as f

_numbers = itertools.count(1)


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def plan(world, placement="in", sites=None):
    """A security plan of org A at S1 ("in"), at S2 ("out") or of org B; `sites` widens it."""
    matrix_catalogue()
    org, site = RegisterCase.where(world, placement)
    number = next(_numbers)
    assessment = support.assessment_at(world, placement, f"Assessed {placement} {number}")
    owner = world["foreign"] if placement == "foreign" else \
        world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        made = SecurityPlan.objects.create(organisation=org, title=f"Plan {placement} {number}",
                                           assessment=assessment, owner=owner)
        made.sites.set([world[s] for s in sites] if sites else [site])
    return made


def exercise(plan, title="Gate lockdown drill", *, site=None, incident=None, **extra):
    """A planned exercise of `plan` replaying an incident at `site` (one is made if needed)."""
    extra.setdefault("exercise_type", "drill")
    extra.setdefault("due_on", days(30))
    with actor_context(None, name="fixture"):
        if incident is None:
            incident = f.incident(plan.organisation, f"Replayed {title}", site=site)
        return Exercise.objects.create(organisation=plan.organisation, plan=plan, title=title,
                                       site=site, incident=incident, **extra)
