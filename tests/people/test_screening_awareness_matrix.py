"""Generated role × scope tests for personnel screening, code-of-conduct acknowledgements and
awareness campaigns (issue 16 items 3 and 4); the expected outcome comes from the hand-written
role table: screening records are visible to nobody but the security manager and top
management, code-of-conduct acknowledgements are personal records like training records,
awareness campaigns are site records."""

from django.test import TestCase

from chainward.ledger.context import actor_context
from chainward.people import registers
from tests.support.matrix import RegisterCase, matrix_tests

from . import factories as f


def _fixture(world, build):
    with actor_context(None, name="fixture"):
        return build(world)


class ScreeningRecordCase(RegisterCase):
    register = registers.ScreeningRecordRegister
    change_field = ("checked_by", "Checked by")
    marker_field = "checked_by"
    search_field = "person.full_name"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.screening(f.person(org, f"Screened {placement}", site=site),
                           checked_by=f"Screening provider {placement}")

    def create_data(self, world):
        person = _fixture(world, lambda w: f.person(w["org_a"], "Applicant", site=w["s1"]))
        return {"person": person.pk, "checked_on": "2026-01-05",
                "checked_by": "Accredited provider", "result": "pass",
                "next_due": "2029-01-05", "retention_months": 12,
                "lawful_basis": "National regulated-agent law, background check of staff."}


class AwarenessCampaignCase(RegisterCase):
    register = registers.AwarenessCampaignRegister
    change_field = ("topic", "Topic changed")
    marker_field = "topic"
    create_has_refs = True  # the material is a document of organisation A
    # A new campaign is organisation-wide: its sites are many-to-many, set with the save
    # (site-limited people cannot pre-check them, as for documents and audits).

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.campaign(org, f"Campaign {placement}",
                          material=f.document(org, f"Material {placement}"), sites=[site])

    def create_data(self, world):
        material = _fixture(world, lambda w: f.document(w["org_a"], "Seal briefing"))
        return {"topic": "Seal tampering signs", "material": material.pk,
                "starts_on": "2026-01-05", "due_on": "2026-02-05"}


class ConductAcknowledgementCase(RegisterCase):
    register = registers.ConductAcknowledgementRegister
    change_field = ("notes", "Notes changed")
    marker_field = "notes"
    create_has_refs = True
    create_placement = "new_in"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        return f.conduct(f.person(org, f"Signatory {placement}", site=site),
                         f.document(org, f"Code of conduct {placement}"),
                         notes=f"Signed form {placement}")

    def create_data(self, world):
        def build(w):
            return (f.person(w["org_a"], "New starter", site=w["s1"]),
                    f.document(w["org_a"], "Code of conduct"))
        person, document = _fixture(world, build)
        return {"person": person.pk, "document": document.pk,
                "acknowledged_on": f.days(0).isoformat(),
                "notes": "Signed on the first day."}


@matrix_tests(ScreeningRecordCase)
class TestScreeningRecordMatrix(TestCase):
    pass


@matrix_tests(AwarenessCampaignCase)
class TestAwarenessCampaignMatrix(TestCase):
    pass


@matrix_tests(ConductAcknowledgementCase)
class TestConductAcknowledgementMatrix(TestCase):
    pass
