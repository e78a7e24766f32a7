"""Generated role × scope tests of the exercises register (tests/support/matrix.py): the
expected outcome comes from the hand-written role table (exercises are restricted like the
plans they test: Viewers see none, site-limited people only the exercises at their sites)."""

from django.test import TestCase

from chainward.incidents.exercises.registers import ExerciseRegister
from chainward.ledger.context import actor_context
from tests.support.matrix import RegisterCase, matrix_tests

from . import exercise_support as ex
from . import factories as f


class ExerciseCase(RegisterCase):
    register = ExerciseRegister
    change_field = ("title", "Exercise changed")
    marker_field = "title"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        _, site = self.where(world, placement)
        return ex.exercise(ex.plan(world, placement), f"Exercise {placement}", site=site)

    def create_data(self, world):
        plan = ex.plan(world, "in")
        with actor_context(None, name="fixture"):
            incident = f.incident(world["org_a"], "Replayed", site=world["s1"])
        return {"plan": plan.pk, "title": "Tabletop: hijacking on the A2",
                "exercise_type": "tabletop", "incident": incident.pk, "site": world["s1"].pk,
                "due_on": ex.days(20).isoformat()}


@matrix_tests(ExerciseCase)
class TestExerciseMatrix(TestCase):
    pass
