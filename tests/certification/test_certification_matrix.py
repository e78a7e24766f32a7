"""Generated role × scope tests for every certification register (tests/support/matrix.py)."""

from django.test import TestCase

from chainward.certification import registers
from tests.support.matrix import RegisterCase, matrix_tests

from . import factories as f


class ManagementReviewCase(RegisterCase):
    register = registers.ManagementReviewRegister
    change_field = ("title", "Review changed")
    marker_field = "title"
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.review(world, org, f"Review {placement}")

    def create_data(self, world):
        return {"title": "Review 2027", "date": "2026-11-01",
                "chair": world["users"]["security_manager__org"].pk}


class ReviewActionCase(RegisterCase):
    register = registers.ReviewActionRegister
    change_field = ("description", "Action changed")
    marker_field = "description"
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        review = f.review(world, org, f"Review of action {placement}")
        if placement == "in":
            world["review_a"] = review
        return f.action(world, org, review, f"Action {placement}")

    def create_data(self, world):
        return {"review": world["review_a"].pk, "description": "Fix the fence",
                "owner": world["users"]["security_manager__org"].pk, "due_date": "2026-12-01",
                "status": "open"}


class CertificationBodyCase(RegisterCase):
    register = registers.CertificationBodyRegister

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.body(world, org, f"Body {placement}")

    def create_data(self, world):
        return {"name": "Nordcert GmbH", "accreditation_body": "DAkkS"}


class CertificateCase(RegisterCase):
    register = registers.CertificateRegister
    change_field = ("scope", "Scope changed")
    marker_field = "number"
    create_has_refs = True
    # Site paths cross a many-to-many: site-limited people cannot create (as documents).
    create_placement = "new_none"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        cert = f.certificate(world, org, site, f"CERT-{placement}")
        if placement == "in":
            world["cert_a"] = cert
        return cert

    def create_data(self, world):
        return {"body": world["cert_a"].body_id, "number": "NEW-1",
                "framework": f.framework(world).pk, "scope": "Warehousing",
                "sites": [world["s1"].pk], "status": "planned"}


class CycleMilestoneCase(RegisterCase):
    register = registers.CycleMilestoneRegister
    change_field = ("notes", "Notes changed")
    marker_field = "notes"
    create_has_refs = True
    # Site paths cross a many-to-many: site-limited people cannot create (as documents).
    create_placement = "new_none"

    def make(self, world, placement):
        org, site = self.where(world, placement)
        cert = f.certificate(world, org, site, f"CYC-{placement}")
        if placement == "in":
            world["cert_a"] = cert
        return f.milestone(world, cert, "stage1", f"Milestone {placement}")

    def create_data(self, world):
        return {"certificate": world["cert_a"].pk, "kind": "stage2", "due_date": "2026-12-01",
                "notes": "planned"}


class EvidencePackCase(RegisterCase):
    register = registers.EvidencePackRegister
    change_field = ("error", "changed")
    marker_field = "producer_scope"
    search_field = "reference"

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        return f.pack(world, org, f"scope {placement}")


@matrix_tests(ManagementReviewCase)
class TestManagementReviewMatrix(TestCase):
    pass


@matrix_tests(ReviewActionCase)
class TestReviewActionMatrix(TestCase):
    pass


@matrix_tests(CertificationBodyCase)
class TestCertificationBodyMatrix(TestCase):
    pass


@matrix_tests(CertificateCase)
class TestCertificateMatrix(TestCase):
    pass


@matrix_tests(CycleMilestoneCase)
class TestCycleMilestoneMatrix(TestCase):
    pass


@matrix_tests(EvidencePackCase)
class TestEvidencePackMatrix(TestCase):
    pass
