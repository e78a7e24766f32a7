"""Generated role × scope tests for every field checks register (tests/support/matrix.py): the
expected outcome comes from the hand-written role table (templates are the organisation's
procedures; runs, answers, schedules, the seal register and the gatehouse logs are records of
the site where they are)."""

from django.test import TestCase

from chainward.fieldchecks import registers
from chainward.ledger.context import actor_context
from tests.support.matrix import RegisterCase, matrix_tests

from . import factories as f

WHEN = f.ago(2).strftime("%Y-%m-%d %H:%M")


def _template(world, placement, name=None):
    org, _ = RegisterCase.where(world, placement)
    return f.template(org, name or f"Template {placement}")


def _fixture_template(world, name):
    with actor_context(None, name="fixture"):
        return f.template(world["org_a"], name)


def _run(world, placement, **extra):
    org, site = RegisterCase.where(world, placement)
    return f.run(_template(world, placement, f"Run template {placement}"), site, **extra)


class CheckTemplateCase(RegisterCase):
    register = registers.CheckTemplateRegister
    change_field = ("name", "Template changed")

    def make(self, world, placement):
        return _template(world, placement)

    def create_data(self, world):
        return {"name": "Weekly CCTV test", "kind": "site", "on_critical_failure":
                "corrective_action", "incident_type": "other", "active": "on"}


class CheckItemCase(RegisterCase):
    register = registers.CheckItemRegister
    change_field = ("text", "Item changed")
    marker_field = "text"
    create_has_refs = True

    def make(self, world, placement):
        return f.item(_template(world, placement, f"Item template {placement}"),
                      f"Item {placement}")

    def create_data(self, world):
        return {"template": _fixture_template(world, "With items").pk, "section": "Trailer",
                "order": 10, "text": "Floor", "answer_type": "pass_fail", "critical": "on"}


class CheckRunCase(RegisterCase):
    register = registers.CheckRunRegister
    change_field = ("container_number", "Container changed")
    marker_field = "container_number"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        return _run(world, placement, container_number=f"Container {placement}")

    def create_data(self, world):
        return {"template": _fixture_template(world, "Run me").pk, "site": world["s1"].pk,
                "container_number": "MSKU 123456-7", "performed_at": WHEN}


class CheckAnswerCase(RegisterCase):
    register = registers.CheckAnswerRegister
    change_field = ("note", "Note changed")
    marker_field = "note"

    def make(self, world, placement):
        run = _run(world, placement)
        return f.answer(run, f.item(run.template, "Doors"), outcome="pass",
                        note=f"Note {placement}")


class SealBatchCase(RegisterCase):
    register = registers.SealBatchRegister
    change_field = ("manufacturer", "Maker changed")
    marker_field = "manufacturer"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.batch(org, site, manufacturer=f"Maker {placement}")

    def create_data(self, world):
        return {"site": world["s1"].pk, "prefix": "ABC", "first_number": 100,
                "last_number": 102, "digits": 7, "seal_class": "H", "seal_type": "bolt",
                "received_on": f.ago(1).date().isoformat()}


class SealCase(RegisterCase):
    register = registers.SealRegister
    change_field = ("notes", "Notes changed")
    marker_field = "number"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.seal(f.batch(org, site), f"SEAL-{placement.upper()}")


class SealEventCase(RegisterCase):
    register = registers.SealEventRegister
    change_field = ("reason", "Reason changed")
    marker_field = "reason"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.event(f.seal(f.batch(org, site), f"EV-{placement.upper()}"),
                       reason=f"Event {placement}")


class CheckScheduleCase(RegisterCase):
    register = registers.CheckScheduleRegister
    change_field = ("notes", "Notes changed")
    marker_field = "notes"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.schedule(_template(world, placement, f"Schedule template {placement}"), site,
                          notes=f"Schedule {placement}")

    def create_data(self, world):
        return {"template": _fixture_template(world, "Weekly CCTV").pk, "site": world["s1"].pk,
                "unit": "weeks", "every": 1, "starts_on": f.ago(0).date().isoformat(),
                "active": "on"}


class VisitorLogCase(RegisterCase):
    register = registers.VisitorLogRegister
    change_field = ("purpose", "Purpose changed")
    marker_field = "name"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.visitor(org, site, name=f"Visitor {placement}", company="Trans-Pol")

    def create_data(self, world):
        return {"site": world["s1"].pk, "kind": "driver", "name": "Tomasz Zielinski",
                "company": "Trans-Pol", "vehicle_registration": "EL 7K204", "id_checked": "on",
                "id_type": "driving_licence", "time_in": WHEN}


class KeyIssueCase(RegisterCase):
    register = registers.KeyIssueRegister
    change_field = ("notes", "Notes changed")
    marker_field = "key_id"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.key_issue(org, site, key_id=f"KEY-{placement.upper()}")

    def create_data(self, world):
        return {"site": world["s1"].pk, "kind": "badge", "key_id": "V-0231",
                "issued_to": "Anna Becker (visitor)", "issued_at": WHEN}


@matrix_tests(CheckTemplateCase)
class TestCheckTemplateMatrix(TestCase):
    pass


@matrix_tests(CheckItemCase)
class TestCheckItemMatrix(TestCase):
    pass


@matrix_tests(CheckRunCase)
class TestCheckRunMatrix(TestCase):
    pass


@matrix_tests(CheckAnswerCase)
class TestCheckAnswerMatrix(TestCase):
    pass


@matrix_tests(SealBatchCase)
class TestSealBatchMatrix(TestCase):
    pass


@matrix_tests(SealCase)
class TestSealMatrix(TestCase):
    pass


@matrix_tests(SealEventCase)
class TestSealEventMatrix(TestCase):
    pass


@matrix_tests(CheckScheduleCase)
class TestCheckScheduleMatrix(TestCase):
    pass


@matrix_tests(VisitorLogCase)
class TestVisitorLogMatrix(TestCase):
    pass


@matrix_tests(KeyIssueCase)
class TestKeyIssueMatrix(TestCase):
    pass
