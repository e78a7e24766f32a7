"""Generated role × scope tests for every incidents register (tests/support/matrix.py): the
expected outcome comes from the hand-written role table (incidents are restricted: Viewers see
none, site-limited people only their sites' incidents and their records)."""

from django.test import TestCase

from chainward.incidents import registers
from chainward.ledger.context import actor_context
from tests.support.matrix import RegisterCase, matrix_tests

from . import factories as f

WHEN = f.ago(3).strftime("%Y-%m-%d %H:%M")


def _incident(world, placement, title=None):
    org, site = RegisterCase.where(world, placement)
    return f.incident(org, title or f"Incident {placement}", site=site)


def _fixture_incident(world, title):
    with actor_context(None, name="fixture"):
        return f.incident(world["org_a"], title, site=world["s1"])


class IncidentCase(RegisterCase):
    register = registers.IncidentRegister
    change_field = ("title", "Incident changed")
    marker_field = "title"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        return _incident(world, placement)

    def create_data(self, world):
        return {"title": "Seal mismatch at the gate", "incident_type": "seal_tampering",
                "modus_operandi": "seal_mismatch", "occurred_at": WHEN,
                "site": world["s1"].pk, "location_type": "own_facility", "currency": "EUR",
                "people_involved": "unknown", "severity": 2, "classification": "restricted"}


class NotificationCase(RegisterCase):
    register = registers.NotificationRegister
    change_field = ("reference_number", "Case changed")
    marker_field = "reference_number"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        return f.notification(_incident(world, placement, f"Notified {placement}"),
                              reference_number=f"Case {placement}")

    def create_data(self, world):
        return {"incident": _fixture_incident(world, "To notify").pk, "recipient": "customs",
                "reference_number": "ZA-2026-17"}


class InvestigationCase(RegisterCase):
    register = registers.InvestigationRegister
    change_field = ("summary", "Summary changed")
    marker_field = "summary"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        return f.investigation(_incident(world, placement, f"Investigated {placement}"),
                               summary=f"Summary {placement}")

    def create_data(self, world):
        return {"incident": _fixture_incident(world, "To investigate").pk,
                "summary": "The driver left the trailer unattended.",
                "started_on": "2026-01-05"}

    def api_payload(self, data):
        return {**super().api_payload(data), "root_cause": {}}


class TimelineEntryCase(RegisterCase):
    register = registers.TimelineEntryRegister
    change_field = ("description", "Event changed")
    marker_field = "description"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        return f.event(_incident(world, placement, f"Timed {placement}"),
                       f"Event {placement}")

    def create_data(self, world):
        return {"incident": _fixture_incident(world, "Timed").pk, "at": WHEN,
                "description": "Gate guard reports the broken seal"}


class ContactCase(RegisterCase):
    register = registers.ContactRegister
    change_field = ("name", "Contact changed")
    marker_field = "name"
    create_placement = "new_in"
    create_has_refs = True

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.contact(org, f"Contact {placement}", site=site)

    def create_data(self, world):
        return {"kind": "customs", "name": "Zollamt Hamburg-Hafen", "phone": "+49 40 000",
                "site": world["s1"].pk}


class NotificationRuleCase(RegisterCase):
    register = registers.NotificationRuleRegister
    change_field = ("basis", "Basis changed")
    marker_field = "basis"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        recipient = {"in": "police", "out": "insurer", "foreign": "police"}[placement]
        return f.rule(org, recipient, basis=f"Deadline {placement}")

    def create_data(self, world):
        return {"recipient": "customs", "within_hours": 48, "basis": "AEO duty to inform"}


@matrix_tests(IncidentCase)
class TestIncidentMatrix(TestCase):
    pass


@matrix_tests(NotificationCase)
class TestNotificationMatrix(TestCase):
    pass


@matrix_tests(InvestigationCase)
class TestInvestigationMatrix(TestCase):
    pass


@matrix_tests(TimelineEntryCase)
class TestTimelineEntryMatrix(TestCase):
    pass


@matrix_tests(ContactCase)
class TestContactMatrix(TestCase):
    pass


@matrix_tests(NotificationRuleCase)
class TestNotificationRuleMatrix(TestCase):
    pass
