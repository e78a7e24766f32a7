"""Generated role × scope tests for every audits register (tests/support/matrix.py), and the
external auditor's time box."""

import datetime

from django.test import TestCase

from chainward.access.models import RoleAssignment
from chainward.audits import registers
from chainward.ledger.context import actor_context
from tests.support.matrix import RegisterCase, matrix_tests

from . import factories as f


def _owner(world, placement):
    return world["foreign"] if placement == "foreign" else \
        world["users"]["security_manager__org"]


class ProgrammeCase(RegisterCase):
    register = registers.AuditProgrammeRegister
    change_field = ("title", "Programme changed")
    marker_field = "title"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        programme = f.programme(org, f"Programme {placement}")
        programme.sites.set([site])
        return programme

    def create_data(self, world):
        return {"title": "Programme 2028", "period_start": "2028-01-01",
                "period_end": "2028-12-31", "objectives": "All clauses, all sites."}


class AuditCase(RegisterCase):
    register = registers.AuditRegister
    change_field = ("title", "Audit changed")
    marker_field = "title"
    create_has_refs = True

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.audit(org, f"Audit {placement}", sites=[site])

    def create_data(self, world):
        return {"title": "Audit of gate control", "audit_type": "internal",
                "planned_start": f.days(5).isoformat(), "planned_end": f.days(6).isoformat(),
                "lead_auditor": world["users"]["internal_auditor__org"].pk}


class ChecklistItemCase(RegisterCase):
    register = registers.ChecklistItemRegister
    change_field = ("question", "Question changed")
    marker_field = "question"
    create_has_refs = True

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.item(f.audit(org, f"Checked {placement}", sites=[site]),
                      f"Question {placement}")

    def create_data(self, world):
        with actor_context(None, name="fixture"):
            parent = f.audit(world["org_a"], "Organisation-wide audit")
        return {"audit": parent.pk, "question": "Is the visitor log complete?", "order": 1,
                "result": "not_checked"}


class FindingCase(RegisterCase):
    register = registers.FindingRegister
    change_field = ("statement", "Statement changed")
    marker_field = "statement"
    create_has_refs = True

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.finding(f.audit(org, f"Found {placement}", sites=[site]),
                         f"Statement {placement}", site=site)

    def create_data(self, world):
        with actor_context(None, name="fixture"):
            parent = f.audit(world["org_a"], "Organisation-wide audit")
        return {"audit": parent.pk, "grade": "ofi", "statement": "Badges could expire sooner."}


class CorrectiveActionCase(RegisterCase):
    register = registers.CorrectiveActionRegister
    change_field = ("title", "CAPA changed")
    marker_field = "title"
    create_has_refs = True

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.capa(org, _owner(world, placement), f"CAPA {placement}", site=site)

    def create_data(self, world):
        return {"source": "incident", "title": "Fence breach follow-up",
                "owner": world["users"]["security_manager__org"].pk,
                "due_date": f.days(30).isoformat(), "root_cause": "{}"}

    def api_payload(self, data):
        payload = super().api_payload(data)
        payload["root_cause"] = {}
        return payload


class CorrectiveActionStepCase(RegisterCase):
    register = registers.CorrectiveActionStepRegister
    change_field = ("description", "Step changed")
    marker_field = "description"
    create_has_refs = True

    def make(self, world, placement):
        org, site = self.where(world, placement)
        owner = _owner(world, placement)
        return f.step(f.capa(org, owner, f"Stepped {placement}", site=site), owner,
                      f"Step {placement}")

    def create_data(self, world):
        owner = world["users"]["security_manager__org"]
        with actor_context(None, name="fixture"):
            parent = f.capa(world["org_a"], owner, "Organisation-wide CAPA")
        return {"corrective_action": parent.pk, "description": "Replace the fence sensor",
                "owner": owner.pk, "due_date": f.days(14).isoformat()}


@matrix_tests(ProgrammeCase)
class TestAuditProgrammeMatrix(TestCase):
    pass


@matrix_tests(AuditCase)
class TestAuditMatrix(TestCase):
    pass


@matrix_tests(ChecklistItemCase)
class TestChecklistItemMatrix(TestCase):
    pass


@matrix_tests(FindingCase)
class TestFindingMatrix(TestCase):
    pass


@matrix_tests(CorrectiveActionCase)
class TestCorrectiveActionMatrix(TestCase):
    pass


@matrix_tests(CorrectiveActionStepCase)
class TestCorrectiveActionStepMatrix(TestCase):
    pass


def test_external_auditor_loses_access_at_expiry(client, world):
    with actor_context(None, name="fixture"):
        audit = f.audit(world["org_a"], "Stage 2 audit", sites=[world["s1"]])
        capa = f.capa(world["org_a"], world["users"]["security_manager__org"], "CAPA",
                      site=world["s1"])
    external = world["users"]["external_auditor__org"]
    client.force_login(external)
    for obj, api in ((audit, f"/api/audits/audits/{audit.pk}/"),
                     (capa, f"/api/audits/corrective-actions/{capa.pk}/")):
        assert client.get(obj.get_absolute_url()).status_code == 200
        assert client.get(api).status_code == 200
    assignment = RoleAssignment.objects.get(user=external)
    with actor_context(None, name="fixture"):
        assignment.valid_until = datetime.date.today() - datetime.timedelta(days=1)
        assignment.save()
    for obj, api in ((audit, f"/api/audits/audits/{audit.pk}/"),
                     (capa, f"/api/audits/corrective-actions/{capa.pk}/")):
        assert client.get(obj.get_absolute_url()).status_code in (403, 404)
        assert client.get(api).status_code in (403, 404)
