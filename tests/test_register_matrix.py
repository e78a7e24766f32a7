"""Generated role × scope tests for every supply-chain register (see tests/support/matrix.py)."""

from django.test import TestCase

from chainward.access.registers import RoleAssignmentRegister
from chainward.compliance.models import GapAssessment, RequirementStatus
from chainward.compliance.registers import GapAssessmentRegister, RequirementStatusRegister
from chainward.documents.models import Evidence
from chainward.documents.registers import EvidenceRegister
from chainward.supplychain import models, registers
from tests.support.library import tiny_framework
from tests.support.matrix import RegisterCase, form_data, matrix_tests


class OrganisationCase(RegisterCase):
    register = registers.OrganisationRegister

    def make(self, world, placement):
        return {"in": world["org_a"], "out": None, "foreign": world["org_b"]}[placement]


class SiteCase(RegisterCase):
    register = registers.SiteRegister

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return models.Site.objects.create(organisation=org, name=f"Site {placement}",
                                          code=f"X-{placement}", kind="cross_dock",
                                          country="DE")

    def create_data(self, world):
        return form_data(models.Site(kind="warehouse", country="PL"),
                         registers.SiteRegister.form_fields, name="New site Poznan",
                         security_level="high", version="")


class SiteAtS1Case(SiteCase):
    """Sites themselves: the in-scope record is S1, the out-of-scope one S2."""

    def make(self, world, placement):
        return {"in": world["s1"], "out": world["s2"], "foreign": world["s3"]}[placement]


class PartnerCase(RegisterCase):
    register = registers.PartnerRegister

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return models.Partner.objects.create(organisation=org, name=f"Partner {placement}",
                                             kind="forwarder", country="NL")

    def create_data(self, world):
        return form_data(models.Partner(kind="customs_broker", country="DE"),
                         registers.PartnerRegister.form_fields, name="Broker Zoll GmbH",
                         version="")


class PartnerContactCase(RegisterCase):
    register = registers.PartnerContactRegister
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        partner = world["carrier_b" if placement == "foreign" else "carrier_a"]
        return models.PartnerContact.objects.create(organisation=org, partner=partner,
                                                    name=f"Contact {placement}")

    def create_data(self, world):
        return {"partner": world["carrier_a"].pk, "name": "Jana Novak", "title": "Security",
                "email": "jana@example.com", "security_contact": "on"}


class ProgrammeStatusCase(RegisterCase):
    register = registers.ProgrammeStatusRegister
    change_field = ("identifier", "DEAEOF0000001")
    marker_field = "identifier"
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        partner = world["carrier_b" if placement == "foreign" else "carrier_a"]
        return models.ProgrammeStatus.objects.create(
            organisation=org, partner=partner, programme="aeo_s", identifier=f"AEO-{placement}")

    def create_data(self, world):
        return {"partner": world["carrier_a"].pk, "programme": "ctpat", "identifier": "SVI-1",
                "level": "Validated", "valid_until": "2030-01-31"}


class GoodsCategoryCase(RegisterCase):
    register = registers.GoodsCategoryRegister

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return models.GoodsCategory.objects.create(organisation=org, name=f"Goods {placement}")

    def create_data(self, world):
        return {"name": "Pharmaceuticals", "value_class": "high", "theft_attractiveness": 4}


class LegCase(RegisterCase):
    register = registers.LegRegister
    change_field = ("frequency", "weekly (changed)")
    marker_field = "frequency"
    search_field = "to_site.name"
    create_placement = "new_in_out"
    create_has_refs = True

    def make(self, world, placement):
        org, site = self.where(world, placement)
        other = models.Site.objects.create(organisation=org, name=f"Leg end {placement}",
                                           kind="port", country="BE")
        return models.Leg.objects.create(organisation=org, from_site=site, to_site=other,
                                         mode="road", frequency=f"freq-{placement}")

    def create_data(self, world):
        return {"from_site": world["s1"].pk, "to_site": world["s2"].pk, "mode": "rail",
                "carrier": world["carrier_a"].pk, "goods_categories": [world["goods_a"].pk],
                "transit_hours": "14.5"}


class StatementCase(RegisterCase):
    register = registers.StatementOfApplicationRegister
    change_field = ("title", "Statement (changed)")
    marker_field = "title"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return models.StatementOfApplication.objects.create(
            organisation=org, title=f"Statement {placement}", coverage="Inbound road legs")

    def create_data(self, world):
        return {"title": "SoA 2027", "status": "draft", "coverage": "All EU road legs"}


class ExemptionCase(RegisterCase):
    register = registers.ExemptionRegister
    change_field = ("certificate", "CERT-CHANGED")
    marker_field = "certificate"
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        statement = models.StatementOfApplication.objects.create(
            organisation=org, title=f"SoA for exemption {placement}", coverage="x")
        partner = world["carrier_b" if placement == "foreign" else "carrier_a"]
        return models.Exemption.objects.create(organisation=org, statement=statement,
                                               partner=partner, basis="aeo",
                                               certificate=f"CERT-{placement}")

    def create_data(self, world):
        statement = models.StatementOfApplication.objects.filter(
            organisation=world["org_a"]).first()
        partner = models.Partner.objects.create(organisation=world["org_a"], name="Exempt Co",
                                                kind="supplier", country="US")
        # An exemption rests on a valid programme status of its partner (ISO 28001 4.4).
        status = models.ProgrammeStatus.objects.create(
            organisation=world["org_a"], partner=partner, programme="ctpat", identifier="SVI-99")
        return {"statement": statement.pk, "partner": partner.pk, "basis": "ctpat",
                "programme_status": status.pk, "certificate": "SVI-99"}


@matrix_tests(OrganisationCase)
class TestOrganisationMatrix(TestCase):
    pass


@matrix_tests(SiteAtS1Case)
class TestSiteMatrix(TestCase):
    pass


@matrix_tests(PartnerCase)
class TestPartnerMatrix(TestCase):
    pass


@matrix_tests(PartnerContactCase)
class TestPartnerContactMatrix(TestCase):
    pass


@matrix_tests(ProgrammeStatusCase)
class TestProgrammeStatusMatrix(TestCase):
    pass


@matrix_tests(GoodsCategoryCase)
class TestGoodsCategoryMatrix(TestCase):
    pass


@matrix_tests(LegCase)
class TestLegMatrix(TestCase):
    pass


@matrix_tests(StatementCase)
class TestStatementMatrix(TestCase):
    pass


@matrix_tests(ExemptionCase)
class TestExemptionMatrix(TestCase):
    pass


class RoleAssignmentCase(RegisterCase):
    register = RoleAssignmentRegister
    change_field = ("valid_until", None)
    marker_field = "user.email"

    def change_value(self, placement):
        return {"in": "2031-12-01", "out": "2031-12-02", "foreign": "2031-12-03"}[placement]

    def make(self, world, placement):
        from chainward.access.models import Role, RoleAssignment, User

        org, _ = self.where(world, placement)
        user = User.objects.create_user(f"{placement}@people.example", None)
        return RoleAssignment.objects.create(organisation=org, user=user, all_sites=True,
                                             role=Role.objects.get(name="Viewer"))

    def create_data(self, world):
        # People join by invitation, not by a form that creates the assignment: who may invite
        # is tested in tests/access/test_invitations.py.
        return None


@matrix_tests(RoleAssignmentCase)
class TestRoleAssignmentMatrix(TestCase):
    pass


class EvidenceCase(RegisterCase):
    register = EvidenceRegister
    change_field = ("title", "Evidence changed")
    marker_field = "title"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return Evidence.objects.create(organisation=org, title=f"Evidence {placement}",
                                       kind="note", description="In the safe")

    def create_data(self, world):
        return {"title": "Seal log 2026", "kind": "link", "link": "https://dms.example/seal"}


class GapAssessmentCase(RegisterCase):
    register = GapAssessmentRegister
    change_field = ("title", "Assessment changed")
    marker_field = "title"

    def framework(self):
        from chainward.library.models import Framework

        return Framework.objects.filter(urn="urn:test:framework:tiny").first() or \
            tiny_framework()

    def make(self, world, placement):
        org, site = self.where(world, placement)
        assessment = GapAssessment.objects.create(organisation=org, title=f"Gap {placement}",
                                                  framework=self.framework(), all_sites=False)
        assessment.sites.set([site])
        return assessment

    def create_data(self, world):
        return {"title": "ISO 28000 gap 2027", "framework": self.framework().pk,
                "all_sites": "on", "status": "draft"}


class RequirementStatusCase(RegisterCase):
    register = RequirementStatusRegister
    change_field = ("notes", "")
    marker_field = "assessment.title"
    search_field = "notes"

    def change_value(self, placement):
        return f"checked {placement}"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        framework = GapAssessmentCase().framework()
        assessment = GapAssessment.objects.create(organisation=org, title=f"For {placement}",
                                                  framework=framework, all_sites=False)
        assessment.sites.set([site])
        return RequirementStatus.objects.create(
            organisation=org, assessment=assessment, notes=f"status {placement}",
            requirement=framework.requirements.get(ref_id="4.1"))


@matrix_tests(EvidenceCase)
class TestEvidenceMatrix(TestCase):
    pass


@matrix_tests(GapAssessmentCase)
class TestGapAssessmentMatrix(TestCase):
    pass


@matrix_tests(RequirementStatusCase)
class TestRequirementStatusMatrix(TestCase):
    pass


# --- Objectives and plans (ISO 28000 6.2) -----------------------------------------------------
class SecurityObjectiveCase(RegisterCase):
    change_field = ("title", "Objective changed")
    marker_field = "title"
    create_has_refs = True  # the owner is one of A's people

    @staticmethod
    def register():
        from chainward.core.registry import get_register
        from chainward.plans.models import SecurityObjective

        return get_register(SecurityObjective)

    @staticmethod
    def objective(world, placement, title):
        import datetime

        from chainward.plans.models import SecurityObjective

        org, _ = RegisterCase.where(world, placement)
        owner = world["foreign"] if placement == "foreign" else \
            world["users"]["security_manager__org"]
        return SecurityObjective.objects.create(
            organisation=org, title=title, owner=owner, kpi_name="Seal checks recorded",
            unit="%", target="99", due_date=datetime.date(2030, 12, 31),
            planned_actions="Yard app blocks unverified hand-offs.")

    def make(self, world, placement):
        return self.objective(world, placement, f"Objective {placement}")

    def create_data(self, world):
        return {"title": "Theft incidents 2027",
                "owner": world["users"]["security_manager__org"].pk,
                "kpi_name": "Thefts per 1,000 shipments", "unit": "per 1,000",
                "direction": "lower_is_better", "baseline": "0.62", "target": "0.40",
                "due_date": "2030-06-30", "planned_actions": "Secure parking for high-value loads.",
                "review_frequency": "monthly"}


class MeasurementCase(RegisterCase):
    change_field = ("note", "Checked")
    marker_field = "note"
    create_has_refs = True  # the objective is A's

    @staticmethod
    def register():
        from chainward.core.registry import get_register
        from chainward.plans.models import Measurement

        return get_register(Measurement)

    def make(self, world, placement):
        import datetime

        from chainward.plans.models import Measurement

        org, _ = self.where(world, placement)
        objective = SecurityObjectiveCase.objective(world, placement,
                                                    f"Measured objective {placement}")
        return Measurement.objects.create(organisation=org, objective=objective,
                                          measured_on=datetime.date(2025, 12, 31), value="97.5",
                                          note=f"Reading {placement}")

    def create_data(self, world):
        from chainward.plans.models import SecurityObjective

        objective = SecurityObjective.objects.filter(organisation=world["org_a"]).first()
        return {"objective": objective.pk, "measured_on": "2026-01-31", "value": "98.1",
                "note": "January figure"}


@matrix_tests(SecurityObjectiveCase)
class TestSecurityObjectiveMatrix(TestCase):
    pass


@matrix_tests(MeasurementCase)
class TestMeasurementMatrix(TestCase):
    pass
