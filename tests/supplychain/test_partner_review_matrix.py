"""Generated role × scope tests for the partner-review register (see tests/support/matrix.py);
the expectations come from the hand-written rows of tests/support/role_matrix.csv."""

import datetime

from django.test import TestCase

from chainward.supplychain import models, registers
from tests.support.matrix import RegisterCase, matrix_tests


class PartnerReviewCase(RegisterCase):
    register = registers.PartnerReviewRegister
    change_field = ("reviewer", "Changed reviewer")
    marker_field = "reviewer"
    create_has_refs = True

    def make(self, world, placement):
        org, _ = self.where(world, placement)
        partner = world["carrier_b" if placement == "foreign" else "carrier_a"]
        return models.PartnerReview.objects.create(
            organisation=org, partner=partner, reviewed_on=datetime.date(2026, 3, 2),
            method="site_visit", outcome="satisfactory", reviewer=f"Reviewer {placement}")

    def create_data(self, world):
        return {"partner": world["carrier_a"].pk, "reviewed_on": "2026-01-15",
                "method": "questionnaire", "outcome": "actions",
                "reviewer": "Security office", "findings": "Seal log incomplete; CAPA agreed."}


@matrix_tests(PartnerReviewCase)
class TestPartnerReviewMatrix(TestCase):
    pass
