"""Generated role × scope tests for every context register (tests/support/matrix.py); the
expected outcome comes from the hand-written role table (the legal register, issues and parties
are organisation records the security manager keeps; evaluations and planned changes may sit
at a site, whose officer keeps them)."""

from django.test import TestCase

from chainward.context import registers
from chainward.ledger.context import actor_context
from tests.support.matrix import RegisterCase, matrix_tests

from . import factories as f


def _fixture_obligation(world, title):
    with actor_context(None, name="fixture"):
        return f.obligation(world["org_a"], world["users"]["security_manager__org"], title)


class ObligationCase(RegisterCase):
    register = registers.ObligationRegister
    change_field = ("title", "Obligation changed")
    marker_field = "title"
    create_has_refs = True

    def make(self, world, placement):
        org, site = self.where(world, placement)
        obligation = f.obligation(org, f.owner_of(world, placement), f"Obligation {placement}")
        obligation.sites.add(site)
        return obligation

    def create_data(self, world):
        return {"title": "Dangerous goods security plan", "kind": "law",
                "source": "ADR 2025", "article": "1.10.3.2", "summary": "Keep a security plan.",
                "owner": world["users"]["security_manager__org"].pk,
                "evaluation_interval_months": 12}


class ComplianceEvaluationCase(RegisterCase):
    register = registers.ComplianceEvaluationRegister
    change_field = ("evidence", "Evidence changed")
    marker_field = "evidence"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        parent = f.obligation(org, f.owner_of(world, placement), f"Evaluated {placement}")
        return f.evaluation(parent, f.owner_of(world, placement), site=site,
                            evidence=f"Evidence {placement}")

    def create_data(self, world):
        return {"obligation": _fixture_obligation(world, "To evaluate").pk,
                "site": world["s1"].pk, "evaluated_on": "2026-01-05",
                "evaluated_by": world["users"]["security_manager__org"].pk,
                "result": "compliant", "evidence": "Permit and inspection log seen."}


class ContextIssueCase(RegisterCase):
    register = registers.ContextIssueRegister
    change_field = ("title", "Issue changed")
    marker_field = "title"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.issue(org, f"Issue {placement}")

    def create_data(self, world):
        return {"title": "Cargo theft on the A2", "origin": "external", "category": "political",
                "description": "Organised theft from trucks on the A2 corridor.",
                "effect": "risk", "relevance": "relevant", "decided_on": "2026-01-05",
                "review_date": "2026-07-05"}


class InterestedPartyCase(RegisterCase):
    register = registers.InterestedPartyRegister
    change_field = ("name", "Party changed")
    marker_field = "name"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.party(org, f"Party {placement}")

    def create_data(self, world):
        return {"name": "Hauptzollamt Hamburg", "kind": "authority",
                "needs": "AEO security criteria kept; changes notified.", "relevant": "on",
                "becomes_obligation": "on"}


class PlannedChangeCase(RegisterCase):
    register = registers.PlannedChangeRegister
    change_field = ("title", "Change changed")
    marker_field = "title"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.change(org, f.owner_of(world, placement), f"Change {placement}", site=site)

    def create_data(self, world):
        return {"title": "New warehouse management system", "kind": "it",
                "site": world["s1"].pk, "reason": "End of support of the old one.",
                "security_implications": "Access rights and seal records migrate.",
                "owner": world["users"]["security_manager__org"].pk,
                "planned_for": "2027-03-01"}


@matrix_tests(ObligationCase)
class TestObligationMatrix(TestCase):
    pass


@matrix_tests(ComplianceEvaluationCase)
class TestComplianceEvaluationMatrix(TestCase):
    pass


@matrix_tests(ContextIssueCase)
class TestContextIssueMatrix(TestCase):
    pass


@matrix_tests(InterestedPartyCase)
class TestInterestedPartyMatrix(TestCase):
    pass


@matrix_tests(PlannedChangeCase)
class TestPlannedChangeMatrix(TestCase):
    pass
