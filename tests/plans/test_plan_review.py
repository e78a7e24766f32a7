"""Review of security plan versions (ISO 28001 5.4, ISO 28000 8.6): the same workflow as
controlled documents — draft → in review → approved, or returned to the author with a comment —
through every path that can write (service, UI, API, import).

Who reviews is written here by hand from the role descriptions (tests/support/role_matrix.csv,
"approve" on plans.securityplanversion): Administrator, Top management and Security manager;
nobody reviews their own version.
"""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from chainward.core import services as records
from chainward.ledger.models import LedgerEntry
from chainward.plans import security_plan
from chainward.plans.models import FrozenPlan, SecurityPlanVersion
from tests.plans.test_security_plan import completed_assessment
from tests.risk import support
from tests.support.world import build_world

COMMENT = "The recovery section does not say who decides when operations resume at S2."
PROBLEM = "application/problem+json"
REVIEWERS = ("administrator__org", "top_management__org")  # the author is the manager
NOT_REVIEWERS = ("contributor__org", "internal_auditor__org", "viewer__org",
                 "site_security_officer__site", "external_auditor__org")


def fresh(version):
    return SecurityPlanVersion.objects.get(pk=version.pk)


class PlanReviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        support.load_catalogues()
        cls.world = build_world()
        cls.users = cls.world["users"]
        cls.manager = cls.users["security_manager__org"]
        cls.admin = cls.users["administrator__org"]
        cls.assessment = completed_assessment(cls.world)

    def draft(self, author=None):
        return security_plan.generate_version(author or self.manager, self.assessment)

    def in_review(self, author=None):
        version = self.draft(author)
        return security_plan.submit_version(author or self.manager, version)

    def approved(self):
        return security_plan.approve_version(self.admin, self.in_review())

    def api(self, version, step, body=None):
        return self.client.post(
            f"/api/plans/security-plan-versions/{version.pk}/{step}/",
            json.dumps(body or {}), content_type="application/json")

    # --- service --------------------------------------------------------------------------------
    def test_a_returned_version_goes_back_to_its_author_with_the_comment(self):
        version = self.in_review()
        security_plan.return_version(self.admin, version, comment=COMMENT)
        stored = fresh(version)
        self.assertEqual((stored.status, stored.return_comment, stored.returned_by,
                          stored.author), ("returned", COMMENT, self.admin, self.manager))
        self.assertIsNotNone(stored.returned_at)
        entries = LedgerEntry.objects.filter(object_type="plans.securityplanversion",
                                             object_id=str(version.pk))
        update = entries.filter(action="update").order_by("seq").last()
        self.assertEqual((update.actor_id, update.before["status"], update.after["status"]),
                         (self.admin.pk, "in_review", "returned"))
        self.assertEqual(entries.get(action="return").after["comment"], COMMENT)

    def test_the_author_revises_a_returned_version_and_submits_it_again(self):
        version = self.in_review()
        security_plan.return_version(self.admin, version, comment=COMMENT)
        version = fresh(version)
        version.recovery = "The site security officer of S2 decides when operations resume."
        records.save_record(self.manager, version)
        security_plan.submit_version(self.manager, version)
        security_plan.approve_version(self.admin, fresh(version))
        stored = fresh(version)
        self.assertEqual(stored.status, "approved")
        self.assertIn("officer of S2 decides", stored.recovery)

    def test_a_version_in_review_cannot_be_edited(self):
        version = self.in_review()
        version.recovery = "slipped in during review"
        with pytest.raises(FrozenPlan, match="in review"):
            records.save_record(self.manager, version)
        self.assertNotEqual(fresh(version).recovery, "slipped in during review")

    def test_returning_needs_a_comment_for_the_author(self):
        version = self.in_review()
        for comment in ("", "  \n"):
            with pytest.raises(ValidationError) as refused:
                security_plan.return_version(self.admin, version, comment=comment)
            self.assertIn("comment", refused.value.message_dict)
        self.assertEqual(fresh(version).status, "in_review")

    def test_reviewers_and_only_reviewers_may_return(self):
        version = self.in_review()
        for key in NOT_REVIEWERS:
            with self.subTest(key), pytest.raises(PermissionDenied):
                security_plan.return_version(self.users[key], version, comment=COMMENT)
        self.assertEqual(fresh(version).status, "in_review")
        for key in REVIEWERS:
            with self.subTest(key):
                security_plan.return_version(self.users[key], fresh(version), comment=COMMENT)
                self.assertEqual(fresh(version).status, "returned")
                security_plan.submit_version(self.manager, fresh(version))

    def test_the_security_manager_reviews_a_version_written_by_someone_else(self):
        version = self.in_review(author=self.admin)
        security_plan.return_version(self.manager, version, comment=COMMENT)
        self.assertEqual(fresh(version).status, "returned")

    def test_the_author_cannot_return_their_own_version(self):
        version = self.in_review()
        with pytest.raises(PermissionDenied, match="author"):
            security_plan.return_version(self.manager, version, comment=COMMENT)
        self.assertEqual(fresh(version).status, "in_review")

    def test_a_draft_is_submitted_before_it_is_approved_or_returned(self):
        version = self.draft()
        with pytest.raises(PermissionDenied, match="in review"):
            security_plan.approve_version(self.admin, version)
        with pytest.raises(PermissionDenied, match="in review"):
            security_plan.return_version(self.admin, version, comment=COMMENT)
        self.assertEqual(fresh(version).status, "draft")

    def test_an_approved_version_cannot_be_returned_or_changed(self):
        version = self.approved()
        with pytest.raises(PermissionDenied):
            security_plan.return_version(self.users["top_management__org"], version,
                                         comment=COMMENT)
        version = fresh(version)
        version.status, version.return_comment = "returned", COMMENT
        with pytest.raises(FrozenPlan):
            records.save_record(self.admin, version)
        version = fresh(version)
        version.approved_at = None
        with pytest.raises(FrozenPlan):
            records.save_record(self.admin, version)
        stored = fresh(version)
        self.assertEqual((stored.status, stored.return_comment, stored.approver),
                         ("approved", "", self.admin))

    def test_approval_rules_are_unchanged(self):
        version = self.in_review()
        with pytest.raises(PermissionDenied, match="author cannot approve"):
            security_plan.approve_version(self.manager, version)
        for key in NOT_REVIEWERS:
            with self.subTest(key), pytest.raises(PermissionDenied):
                security_plan.approve_version(self.users[key], version)
        security_plan.approve_version(self.users["top_management__org"], version)
        self.assertEqual((fresh(version).status, fresh(version).approver),
                         ("approved", self.users["top_management__org"]))

    def test_no_new_version_while_one_is_in_review_or_returned(self):
        version = self.in_review()
        with pytest.raises(security_plan.PlanRefused, match="in review"):
            self.draft()
        security_plan.return_version(self.admin, version, comment=COMMENT)
        with pytest.raises(security_plan.PlanRefused, match="returned"):
            self.draft()

    # --- UI -------------------------------------------------------------------------------------
    def test_the_page_offers_submit_then_return_with_a_labelled_comment_box(self):
        version = self.draft()
        submit = f'action="{reverse("plans:securityplanversion_submit", args=[version.pk])}"'
        back = f'action="{reverse("plans:securityplanversion_return", args=[version.pk])}"'
        self.client.force_login(self.manager)
        self.assertIn(submit, self.client.get(version.get_absolute_url()).content.decode())
        self.client.post(reverse("plans:securityplanversion_submit", args=[version.pk]))
        self.assertEqual(fresh(version).status, "in_review")
        page = self.client.get(version.get_absolute_url()).content.decode()
        self.assertNotIn(back, page)  # not for the author
        self.client.force_login(self.admin)
        page = self.client.get(version.get_absolute_url()).content.decode()
        self.assertIn(back, page)
        self.assertIn('<label class="form-label" for="return-comment">', page)
        self.assertIn('id="return-comment"', page)

    def test_returning_through_the_page_shows_the_comment_to_the_author(self):
        version = self.in_review()
        self.client.force_login(self.admin)
        url = reverse("plans:securityplanversion_return", args=[version.pk])
        response = self.client.post(url, {"comment": ""}, follow=True)
        self.assertContains(response, "A returned version needs a comment")
        self.assertEqual(fresh(version).status, "in_review")
        self.client.post(url, {"comment": COMMENT})
        self.assertEqual(fresh(version).status, "returned")
        self.client.force_login(self.manager)
        page = self.client.get(version.get_absolute_url()).content.decode()
        self.assertIn(COMMENT, page)
        self.assertIn(self.admin.email, page)

    def test_an_approved_version_cannot_be_returned_through_the_page(self):
        version = self.approved()
        self.client.force_login(self.users["top_management__org"])
        url = reverse("plans:securityplanversion_return", args=[version.pk])
        self.assertNotIn(url, self.client.get(version.get_absolute_url()).content.decode())
        response = self.client.post(url, {"comment": COMMENT}, follow=True)
        self.assertContains(response, "Only a version in review can be returned")
        self.assertEqual(fresh(version).status, "approved")

    def test_the_page_approves_a_version_in_review(self):
        version = self.in_review()
        self.client.force_login(self.manager)
        self.client.post(reverse("plans:securityplanversion_approve", args=[version.pk]))
        self.assertEqual(fresh(version).status, "in_review")
        self.client.force_login(self.admin)
        self.client.post(reverse("plans:securityplanversion_approve", args=[version.pk]))
        self.assertEqual(fresh(version).status, "approved")

    # --- API ------------------------------------------------------------------------------------
    def test_the_api_returns_a_version_with_the_comment(self):
        version = self.in_review()
        self.client.force_login(self.admin)
        response = self.api(version, "return", {"comment": COMMENT,
                                                "version": fresh(version).version})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["status"], body["return_comment"], body["returned_by"]),
                         ("returned", COMMENT, self.admin.pk))

    def test_the_api_refuses_bad_returns_as_problems(self):
        version = self.in_review()
        self.client.force_login(self.admin)
        response = self.api(version, "return", {})
        self.assertEqual((response.status_code, response["Content-Type"]), (400, PROBLEM))
        self.assertIn("comment", response.json()["errors"])
        self.client.force_login(self.manager)  # the author
        response = self.api(version, "return", {"comment": COMMENT})
        self.assertEqual((response.status_code, response["Content-Type"]), (403, PROBLEM))
        self.client.force_login(self.users["viewer__org"])  # may not see plans at all
        self.assertEqual(self.api(version, "return", {"comment": COMMENT}).status_code, 404)
        self.assertEqual(fresh(version).status, "in_review")

    def test_the_api_refuses_to_return_an_approved_version(self):
        version = self.approved()
        self.client.force_login(self.users["top_management__org"])
        response = self.api(version, "return", {"comment": COMMENT})
        self.assertEqual((response.status_code, response["Content-Type"]), (403, PROBLEM))
        self.assertEqual(fresh(version).status, "approved")
        self.client.force_login(self.admin)  # may change plan versions, not approved ones
        response = self.client.patch(
            f"/api/plans/security-plan-versions/{version.pk}/",
            json.dumps({"recovery": "rewritten", "version": fresh(version).version}),
            content_type="application/json")
        self.assertEqual((response.status_code, response["Content-Type"]), (403, PROBLEM))
        self.assertNotEqual(fresh(version).recovery, "rewritten")

    def test_the_api_submits_and_approves_with_the_same_rules(self):
        version = self.draft()
        self.client.force_login(self.manager)
        response = self.api(version, "submit")
        self.assertEqual((response.status_code, response.json()["status"]), (200, "in_review"))
        response = self.api(version, "approve")
        self.assertEqual(response.status_code, 403)
        self.assertIn("author cannot approve", response.json()["detail"])
        self.client.force_login(self.users["internal_auditor__org"])
        self.assertEqual(self.api(version, "approve").status_code, 403)
        self.client.force_login(self.admin)
        response = self.api(version, "approve")
        self.assertEqual((response.status_code, response.json()["status"]), (200, "approved"))

    # --- import ---------------------------------------------------------------------------------
    def test_plan_versions_cannot_be_imported(self):
        version = self.approved()
        self.client.force_login(self.admin)
        upload = SimpleUploadedFile(
            "plans.csv", f"reference,recovery\n{version.reference},rewritten\n".encode(),
            content_type="text/csv")
        response = self.client.post(reverse("plans:securityplanversion_import"),
                                    {"file": upload})
        self.assertEqual(response.status_code, 403)
        self.assertNotEqual(fresh(version).recovery, "rewritten")
