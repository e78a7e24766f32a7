"""Generated role × scope tests for the training course, session and attendance registers
(tests/support/matrix.py); the expected outcome comes from the hand-written role table:
courses are the security manager's training plan, sessions are site records, attendance is
personal data kept like the training records it writes (Viewers see none)."""

from django.test import TestCase

from chainward.ledger.context import actor_context
from chainward.people import registers
from tests.support.matrix import RegisterCase, matrix_tests

from . import factories as f


def _fixture(world, build):
    with actor_context(None, name="fixture"):
        return build(world)


class TrainingCourseCase(RegisterCase):
    register = registers.TrainingCourseRegister
    change_field = ("title", "Course changed")
    marker_field = "title"
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.course(org, f"Course {placement}",
                        [f.requirement(org, f"Competence of course {placement}")])

    def create_data(self, world):
        need = _fixture(world, lambda w: f.requirement(w["org_a"], "C-TPAT awareness"))
        return {"title": "C-TPAT awareness (yearly)", "provider": "in-house",
                "requirements": [need.pk], "duration_hours": "2", "validity_months": 12}


class TrainingSessionCase(RegisterCase):
    register = registers.TrainingSessionRegister
    change_field = ("trainer", "Trainer changed")
    marker_field = "trainer"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.session(f.course(org, f"Sessioned course {placement}"), site=site,
                         trainer=f"Trainer {placement}")

    def create_data(self, world):
        course = _fixture(world, lambda w: f.course(w["org_a"], "Seal briefing"))
        return {"course": course.pk, "held_on": "2026-01-05", "trainer": "Jan Petersen",
                "site": world["s1"].pk}


class SessionAttendanceCase(RegisterCase):
    register = registers.SessionAttendanceRegister
    change_field = ("notes", "Notes changed")
    marker_field = "notes"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.attendance(f.session(f.course(org, f"Attended course {placement}")),
                            f.person(org, f"Attendee {placement}", site=site),
                            notes=f"Attendance {placement}")

    def create_data(self, world):
        def build(w):
            need = f.requirement(w["org_a"], "Seal procedure", validity_months=24)
            return (f.session(f.course(w["org_a"], "Seal procedure briefing", [need])),
                    f.person(w["org_a"], "Learner", site=w["s1"]))
        session, person = _fixture(world, build)
        return {"session": session.pk, "person": person.pk, "result": "passed",
                "notes": "Signed the attendance list."}


@matrix_tests(TrainingCourseCase)
class TestTrainingCourseMatrix(TestCase):
    pass


@matrix_tests(TrainingSessionCase)
class TestTrainingSessionMatrix(TestCase):
    pass


@matrix_tests(SessionAttendanceCase)
class TestSessionAttendanceMatrix(TestCase):
    pass
