"""Generated role × scope tests for every people register (tests/support/matrix.py); the
expected outcome comes from the hand-written role table (people and training records are
personal data kept at their sites, Viewers see none; competence requirements and roles are the
security manager's; top management appoints)."""

from django.test import TestCase

from chainward.ledger.context import actor_context
from chainward.people import registers
from tests.support.matrix import RegisterCase, matrix_tests

from . import factories as f


def _fixture(world, build):
    with actor_context(None, name="fixture"):
        return build(world)


class PersonCase(RegisterCase):
    register = registers.PersonRegister
    change_field = ("full_name", "Person changed")
    marker_field = "full_name"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.person(org, f"Person {placement}", site=site)

    def create_data(self, world):
        return {"full_name": "Jana Nowak", "job_title": "Gate guard", "site": world["s1"].pk}


class CompetenceRequirementCase(RegisterCase):
    register = registers.CompetenceRequirementRegister
    change_field = ("name", "Competence changed")
    marker_field = "name"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.requirement(org, f"Competence {placement}")

    def create_data(self, world):
        return {"name": "C-TPAT awareness", "validity_months": 12, "basis": "CTPAT 12.1"}


class SecurityRoleCase(RegisterCase):
    register = registers.SecurityRoleRegister
    change_field = ("name", "Role changed")
    marker_field = "name"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.role(org, f"Role {placement}", site=site)

    def create_data(self, world):
        return {"name": "Site security officer Hamburg", "kind": "site_officer",
                "site": world["s1"].pk, "responsibilities": "Keeps the records of the site.",
                "positions": 1}


class AppointmentCase(RegisterCase):
    register = registers.AppointmentRegister
    change_field = ("notes", "Notes changed")
    marker_field = "notes"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.appoint(f.role(org, f"Appointed role {placement}", site=site),
                         f.person(org, f"Appointee {placement}", site=site),
                         notes=f"Appointment {placement}")

    def create_data(self, world):
        def build(w):
            return (f.role(w["org_a"], "Role to fill", site=w["s1"]),
                    f.person(w["org_a"], "Candidate", site=w["s1"]))
        role, person = _fixture(world, build)
        return {"role": role.pk, "person": person.pk, "since": "2026-01-05",
                "notes": "Letter of appointment signed by the managing director."}


class TrainingRecordCase(RegisterCase):
    register = registers.TrainingRecordRegister
    change_field = ("course", "Course changed")
    marker_field = "course"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.training(f.person(org, f"Trainee {placement}", site=site),
                          f.requirement(org, f"Trained {placement}"),
                          course=f"Course {placement}")

    def create_data(self, world):
        def build(w):
            return (f.person(w["org_a"], "Learner", site=w["s1"]),
                    f.requirement(w["org_a"], "Seal procedure", validity_months=24))
        person, requirement = _fixture(world, build)
        return {"person": person.pk, "requirement": requirement.pk,
                "course": "Seal procedure briefing", "completed_on": "2026-01-05",
                "result": "passed"}


@matrix_tests(PersonCase)
class TestPersonMatrix(TestCase):
    pass


@matrix_tests(CompetenceRequirementCase)
class TestCompetenceRequirementMatrix(TestCase):
    pass


@matrix_tests(SecurityRoleCase)
class TestSecurityRoleMatrix(TestCase):
    pass


@matrix_tests(AppointmentCase)
class TestAppointmentMatrix(TestCase):
    pass


@matrix_tests(TrainingRecordCase)
class TestTrainingRecordMatrix(TestCase):
    pass
