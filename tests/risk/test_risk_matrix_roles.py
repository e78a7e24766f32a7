"""Generated role × scope tests (tests/support/matrix.py) for every register of the risk app."""

import datetime

from django.test import TestCase

from chainward.risk import registers, services
from chainward.risk.models import RiskMatrix, SecurityAssessment, ThreatApplicability
from tests.support.matrix import RegisterCase, matrix_tests

from . import support


class Catalogued(RegisterCase):
    """Loads the catalogues once per class, before the records are made."""

    def make(self, world, placement):
        if placement == "in":
            support.load_catalogues()
        return self.build(world, placement)


class RiskMatrixCase(Catalogued):
    register = registers.RiskMatrixRegister

    def build(self, world, placement):
        org, _ = self.where(world, placement)
        default = services.default_matrix(org)
        fields = {f: getattr(default, f) for f in (
            "likelihood_levels", "consequence_levels", "consequence_categories",
            "risk_levels", "grid", "acceptance_level")}
        return RiskMatrix.objects.create(organisation=org, name=f"Matrix {placement}", **fields)

    def create_data(self, world):
        return {"name": "New matrix", "acceptance_level": "medium"}

    def api_payload(self, data):
        default = RiskMatrix.objects.get(organisation__name="ABC Logistics",
                                         name=services.DEFAULT_NAME)
        return {**super().api_payload(data), **{f: getattr(default, f) for f in (
            "likelihood_levels", "consequence_levels", "consequence_categories", "risk_levels",
            "grid")}}


class SecurityAssessmentCase(Catalogued):
    register = registers.SecurityAssessmentRegister
    change_field = ("title", "Assessment changed")
    marker_field = "title"
    create_has_refs = True

    def build(self, world, placement):
        return support.assessment_at(world, placement)

    def create_data(self, world):
        matrix = RiskMatrix.objects.get(organisation=world["org_a"], name=services.DEFAULT_NAME)
        return {"title": "New assessment", "matrix": matrix.pk,
                "assessor": world["users"]["security_manager__org"].pk,
                "classification": "restricted"}


class AssessmentMemberCase(Catalogued):
    register = registers.AssessmentMemberRegister
    change_field = ("role_in_team", "Role changed")
    marker_field = "role_in_team"
    create_has_refs = True

    def build(self, world, placement):
        return support.member_at(world, placement)

    def create_data(self, world):
        # Touches S1 through its assessment, which `allows` cannot follow: org-wide grants only.
        from chainward.ledger.context import actor_context
        from chainward.people.models import Person

        with actor_context(None, name="fixture"):
            analyst = Person.objects.create(organisation=world["org_a"], full_name="Analyst",
                                            user=world["users"]["contributor__org"])
        return {"assessment": SecurityAssessment.objects.get(title="Team in").pk,
                "person": analyst.pk, "role_in_team": "Analyst"}


class ExistingMeasureCase(Catalogued):
    register = registers.ExistingMeasureRegister
    change_field = ("description", "Fence changed")
    marker_field = "description"
    create_has_refs = True
    create_placement = "new_in"

    def build(self, world, placement):
        return support.measure_at(world, placement)

    def create_data(self, world):
        return {"assessment": SecurityAssessment.objects.get(title="Measures in").pk,
                "site": world["s1"].pk, "measure_type": "access_control",
                "description": "Badge readers"}


class ThreatApplicabilityCase(Catalogued):
    register = registers.ThreatApplicabilityRegister
    change_field = ("justification", "Reason changed")
    marker_field = "justification"
    create_has_refs = True

    def build(self, world, placement):
        return support.applicability_at(world, placement)

    def create_data(self, world):
        return {"assessment": SecurityAssessment.objects.get(title="Threats in").pk,
                "custom_scenario": "Drone over the yard", "custom_categories": ["UA"],
                "applicable": "on"}

    def api_payload(self, data):
        payload = super().api_payload(data)
        payload["custom_categories"] = ["UA"]
        return payload


class RatingCase(Catalogued):
    register = registers.RatingRegister
    change_field = ("notes", "Notes changed")
    marker_field = "assessment.title"
    search_field = "notes"
    create_has_refs = True
    create_placement = "new_in"

    def build(self, world, placement):
        return support.rating_at(world, placement)

    def create_data(self, world):
        assessment = SecurityAssessment.objects.get(title="Rated in")
        return {"assessment": assessment.pk, "threat": assessment.applicability.get().pk,
                "site": world["s1"].pk, "likelihood": 2, "consequence_economic": "3",
                "decision": "acceptable", "notes": "New rating"}

    def api_payload(self, data):
        payload = super().api_payload(data)
        payload["consequences"] = {"economic": int(payload.pop("consequence_economic"))}
        return payload


class ProcessCase(Catalogued):
    register = registers.ProcessRegister
    change_field = ("description", "Flow changed")
    marker_field = "name"
    create_has_refs = True  # the owner is a person of organisation A

    def build(self, world, placement):
        return support.process_at(world, placement)

    def create_data(self, world):
        # Organisation-wide (no sites): added by organisation-wide grants only.
        return {"name": "Customs declarations", "kind": "information_flow",
                "owner": world["users"]["security_manager__org"].pk,
                "description": "Declarations and excise documents sent to customs"}


class NotCredibleCase(Catalogued):
    register = registers.NotCredibleRegister
    change_field = ("reason", "Reason changed")
    marker_field = "reason"
    create_has_refs = True
    create_placement = "new_in"

    def build(self, world, placement):
        record = support.not_credible_at(world, placement)
        if placement == "in":
            support.threat(record.assessment, "TS-13")  # a second scenario, not yet judged
        return record

    def create_data(self, world):
        threat = ThreatApplicability.objects.get(assessment__title="Dismissed in",
                                                 scenario__ref_id="TS-13")
        return {"assessment": threat.assessment_id, "threat": threat.pk,
                "site": world["s1"].pk, "reason": "S1 is an unmanned container yard"}


class CountermeasureCase(Catalogued):
    register = registers.CountermeasureRegister
    change_field = ("title", "CCTV changed")
    marker_field = "title"
    create_has_refs = True

    def build(self, world, placement):
        return support.countermeasure_at(world, placement)

    def create_data(self, world):
        return {"title": "Perimeter lighting", "measure_type": "physical", "status": "planned",
                "owner": world["users"]["security_manager__org"].pk,
                "due_date": (datetime.date.today() + datetime.timedelta(days=30)).isoformat()}


class RiskAcceptanceCase(Catalogued):
    register = registers.RiskAcceptanceRegister
    # Anyone who may change an acceptance may bring its expiry forward; its justification is
    # the acceptor's own words, which only they may amend (a rule of the acceptance service).
    change_field = ("valid_until", None)
    marker_field = "rating"
    search_field = "justification"

    def change_value(self, placement):
        days = {"in": 30, "out": 31, "foreign": 32}[placement]
        return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()

    def build(self, world, placement):
        return support.acceptance_at(world, placement)


@matrix_tests(RiskMatrixCase)
class TestRiskMatrixMatrix(TestCase):
    pass


@matrix_tests(SecurityAssessmentCase)
class TestSecurityAssessmentMatrix(TestCase):
    pass


@matrix_tests(AssessmentMemberCase)
class TestAssessmentMemberMatrix(TestCase):
    pass


@matrix_tests(ExistingMeasureCase)
class TestExistingMeasureMatrix(TestCase):
    pass


@matrix_tests(ThreatApplicabilityCase)
class TestThreatApplicabilityMatrix(TestCase):
    pass


@matrix_tests(RatingCase)
class TestRatingMatrix(TestCase):
    pass


@matrix_tests(ProcessCase)
class TestProcessMatrix(TestCase):
    pass


@matrix_tests(NotCredibleCase)
class TestNotCredibleMatrix(TestCase):
    pass


@matrix_tests(CountermeasureCase)
class TestCountermeasureMatrix(TestCase):
    pass


@matrix_tests(RiskAcceptanceCase)
class TestRiskAcceptanceMatrix(TestCase):
    pass
