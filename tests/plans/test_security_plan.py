"""Security plans (ISO 28001 5.4, ISO 28000 8.6): generated from a completed assessment,
approved by someone else, frozen, shown per reader's sites, PDF with the classification on
every page and a watermark, large plans rendered by a job."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.plans import security_plan
from chainward.plans.models import FrozenPlan, SecurityPlan, SecurityPlanVersion
from chainward.plans.registers import SecurityPlanRegister, SecurityPlanVersionRegister
from chainward.risk.models import Countermeasure, Rating, SecurityAssessment
from chainward.supplychain.models import Leg
from tests.risk import support
from tests.support.bulk import fixture_writes
from tests.support.matrix import RegisterCase, matrix_tests
from tests.support.world import build_world

DUE = datetime.date(2027, 3, 31)


def completed_assessment(world, *, sites=("s1", "s2"), extra_ratings=0):
    """An assessment of org A over S1 and S2: one rating per site, one on the S1→S2 leg, one on
    a partner; a countermeasure with owner and due date on the S1 rating; then completed."""
    org = world["org_a"]
    manager = world["users"]["security_manager__org"]
    assessment = support.assessment_at(world, "in", "Supply-chain assessment 2027")
    assessment.sites.set([world[s] for s in sites])
    applicability = support.threat(assessment, "TS-01")
    with actor_context(None, name="plan tests"):
        leg = Leg.objects.create(organisation=org, from_site=world["s1"], to_site=world["s2"],
                                 mode="road")
        assessment.legs.set([leg])
        cctv = Countermeasure.objects.create(
            organisation=org, title="CCTV on the loading docks", measure_type="physical",
            owner=manager, due_date=DUE)
        cctv.sites.set([world["s1"]])
    s1 = support.rating(assessment, applicability, site=world["s1"], decision="treat",
                        owner=manager, residual_likelihood=1, residual_consequence=2)
    s1.countermeasures.add(cctv)
    support.rating(assessment, applicability, site=world["s2"], decision="acceptable",
                   owner=manager, likelihood=1, consequences={"economic": 1})
    support.rating(assessment, applicability, leg=leg, decision="acceptable", owner=manager,
                   likelihood=1, consequences={"economic": 2})
    support.rating(assessment, applicability, partner=world["carrier_a"], decision="acceptable",
                   owner=manager, likelihood=1, consequences={"legal": 1})
    if extra_ratings:
        with actor_context(None, name="plan tests"):
            rows = [Rating(organisation=org, assessment=assessment, threat=applicability,
                           site=world["s1"], likelihood=2, consequences={"economic": 2},
                           decision="acceptable", owner=manager, reference=f"BULK-{i:04d}")
                    for i in range(extra_ratings)]
            for row in rows:
                row.compute_levels(assessment.matrix)
            with fixture_writes(Rating):
                Rating.objects.bulk_create(rows)
    with fixture_writes(SecurityAssessment):
        SecurityAssessment.objects.filter(pk=assessment.pk).update(
            status="completed", completed_on=datetime.date(2026, 11, 1))
    assessment.refresh_from_db()
    return assessment


def pdf_pages(body):
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


class SecurityPlanTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        support.load_catalogues()
        cls.world = build_world()
        cls.manager = cls.world["users"]["security_manager__org"]
        cls.admin = cls.world["users"]["administrator__org"]
        cls.assessment = completed_assessment(cls.world)

    def generate(self, user=None):
        return security_plan.generate_version(user or self.manager, self.assessment)

    def submitted(self, user=None):
        """A generated version its author has submitted for review (core.versioning)."""
        return security_plan.submit_version(user or self.manager, self.generate(user))

    def test_generation_needs_a_completed_assessment(self):
        with fixture_writes(SecurityAssessment):
            SecurityAssessment.objects.filter(pk=self.assessment.pk).update(status="in_progress")
        self.assessment.refresh_from_db()
        with pytest.raises(security_plan.PlanRefused, match="complete"):
            self.generate()
        self.assertFalse(SecurityPlan.objects.exists())

    def test_generated_version_snapshots_scope_ratings_and_countermeasures(self):
        version = self.generate()
        content = version.content
        self.assertEqual(version.status, "draft")
        self.assertEqual(version.number, 1)
        self.assertEqual({s["name"] for s in content["scope"]["sites"]},
                         {"Hamburg warehouse", "Rotterdam terminal"})
        self.assertEqual(len(content["ratings"]), 4)
        [cm] = content["countermeasures"]
        self.assertEqual((cm["title"], cm["due_date"]), ("CCTV on the loading docks",
                                                          DUE.isoformat()))
        self.assertIn(self.manager.email, cm["owner"])
        # Levels in the plan are the ratings' own stored levels.
        stored = {r.reference: (r.inherent_level, r.residual_level)
                  for r in Rating.objects.filter(assessment=self.assessment)}
        self.assertEqual({r["reference"]: (r["inherent"]["ref_id"], r["residual"]["ref_id"])
                          for r in content["ratings"]}, stored)
        self.assertEqual(version.plan.classification, "restricted")
        self.assertEqual(set(version.plan.sites.all()), {self.world["s1"], self.world["s2"]})

    def test_author_cannot_approve_and_approval_freezes_and_supersedes(self):
        first = self.submitted()
        with pytest.raises(PermissionDenied, match="author cannot approve"):
            security_plan.approve_version(self.manager, first)
        with pytest.raises(PermissionDenied, match="may not approve"):
            security_plan.approve_version(self.world["users"]["internal_auditor__org"], first)
        security_plan.approve_version(self.admin, first)
        first.refresh_from_db()
        self.assertEqual((first.status, first.approver), ("approved", self.admin))
        first.recovery = "Changed after approval"
        with pytest.raises(FrozenPlan, match="cannot be changed"):
            first.save()
        second = self.submitted()
        self.assertEqual(second.number, 2)
        self.assertEqual(second.recovery, SecurityPlanVersion.objects.get(pk=first.pk).recovery)
        security_plan.approve_version(self.admin, second)
        first.refresh_from_db()
        self.assertEqual(first.status, "superseded")
        self.assertEqual(second.plan.current_version(), second)

    def test_a_second_draft_is_refused_while_one_is_open(self):
        self.generate()
        with pytest.raises(security_plan.PlanRefused, match="still a draft"):
            self.generate()

    def test_approved_version_cannot_be_edited_through_the_ui(self):
        version = self.submitted()
        security_plan.approve_version(self.admin, version)
        self.client.force_login(self.admin)
        url = reverse("plans:securityplanversion_edit", args=[version.pk])
        response = self.client.post(url, {"response_structure": "x", "recovery": "x",
                                          "warning_and_communication": "x",
                                          "monitoring_and_review": "x",
                                          "information_protection": "x",
                                          "version": version.version + 1})
        self.assertIn(response.status_code, {403, 409})
        version.refresh_from_db()
        self.assertNotEqual(version.recovery, "x")

    def test_site_limited_reader_sees_only_their_sites(self):
        version = self.generate()
        officer = self.world["users"]["site_security_officer__site"]  # S1 only
        content = security_plan.content_for(officer, version)
        self.assertTrue(content["partial"])
        targets = {r["target"] for r in content["ratings"]}
        self.assertEqual(len(content["ratings"]), 2, targets)  # S1 site + the S1→S2 leg
        self.assertFalse(any(t.startswith("partner") for t in targets))
        self.assertEqual([s["name"] for s in content["scope"]["sites"]], ["Hamburg warehouse"])
        self.client.force_login(officer)
        page = self.client.get(version.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "concerns your sites")
        s2_rating = Rating.objects.get(assessment=self.assessment, site=self.world["s2"])
        self.assertNotContains(page, s2_rating.reference)
        api = self.client.get(f"/api/plans/security-plan-versions/{version.pk}/")
        self.assertEqual(len(api.json()["content"]["ratings"]), 2)
        # A viewer (no plan rights) and a person of another organisation see nothing.
        self.client.force_login(self.world["users"]["viewer__org"])
        self.assertEqual(self.client.get(version.get_absolute_url()).status_code, 404)
        self.client.force_login(self.world["foreign"])
        self.assertEqual(self.client.get(version.get_absolute_url()).status_code, 404)

    def test_pdf_has_classification_on_every_page_and_every_countermeasure(self):
        version = self.submitted()
        security_plan.approve_version(self.admin, version)
        self.client.force_login(self.world["users"]["internal_auditor__org"])
        before = LedgerEntry.objects.filter(action="export").count()
        response = self.client.get(reverse("plans:plan_pdf", args=[version.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        pages = pdf_pages(response.content)
        for number, text in enumerate(pages, start=1):
            self.assertIn("RESTRICTED", text, f"page {number}")
            self.assertIn("internal_auditor__org@a.example", text, f"page {number} watermark")
        text = "\n".join(pages)
        for cm in version.content["countermeasures"]:
            for value in (cm["reference"], cm["due_date"], self.manager.email):
                self.assertIn(value, text)
        self.assertEqual(LedgerEntry.objects.filter(action="export").count(), before + 1)
        version.refresh_from_db()
        self.assertTrue(version.pdf_file)  # kept for the next reader, stamped per download

    def test_site_limited_pdf_leaves_other_sites_out(self):
        version = self.generate()
        officer = self.world["users"]["site_security_officer__site"]
        self.client.force_login(officer)
        response = self.client.get(reverse("plans:plan_pdf", args=[version.pk]))
        self.assertEqual(response.status_code, 200)
        text = "\n".join(pdf_pages(response.content))
        s2_rating = Rating.objects.get(assessment=self.assessment, site=self.world["s2"])
        s1_rating = Rating.objects.get(assessment=self.assessment, site=self.world["s1"])
        self.assertIn(s1_rating.reference, text)
        self.assertNotIn(s2_rating.reference, text)

    def test_evidence_pack_section_holds_the_approved_plan_watermarked(self):
        from chainward.certification.evidence_pack import PackWriter
        from chainward.plans.pack_sections import security_plans

        draft = self.submitted()
        security_plan.approve_version(self.admin, draft)
        auditor = self.world["users"]["internal_auditor__org"]
        pack = PackWriter(auditor, "EP-TEST")
        [entry] = security_plans(self.world["org_a"], auditor, pack)
        body = pack.close()
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            pages = pdf_pages(archive.read(entry.path))
        self.assertTrue(entry.restricted)
        self.assertIn("approved", entry.note)
        self.assertTrue(all("RESTRICTED" in text and auditor.email in text for text in pages))
        # Someone who may not read plans gets no plan in their pack.
        viewer = self.world["users"]["viewer__org"]
        self.assertEqual(security_plans(self.world["org_a"], viewer,
                                        PackWriter(viewer, "EP-2")), [])

    def test_generate_view_reports_refusals(self):
        with fixture_writes(SecurityAssessment):
            SecurityAssessment.objects.filter(pk=self.assessment.pk).update(status="in_progress")
        self.client.force_login(self.manager)
        response = self.client.post(reverse("plans:generate_plan", args=[self.assessment.pk]),
                                    follow=True)
        self.assertContains(response, "complete")
        self.assertFalse(SecurityPlan.objects.exists())


class LargePlanTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        support.load_catalogues()
        cls.world = build_world()
        cls.assessment = completed_assessment(cls.world,
                                              extra_ratings=security_plan.JOB_THRESHOLD + 10)

    def test_large_plan_renders_as_a_job_then_downloads(self):
        manager = self.world["users"]["security_manager__org"]
        version = security_plan.generate_version(manager, self.assessment)
        self.client.force_login(manager)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.get(reverse("plans:plan_pdf", args=[version.pk]))
        job = Job.objects.get(kind="plan_pdf")
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        job.refresh_from_db()
        self.assertEqual(job.status, "succeeded", job.result)
        self.assertEqual(job.result["url"], reverse("plans:plan_pdf", args=[version.pk]))
        page = self.client.get(job.get_absolute_url())
        self.assertContains(page, "Download the PDF")
        response = self.client.get(job.result["url"])
        self.assertEqual(response.status_code, 200)
        pages = pdf_pages(response.content)
        self.assertTrue(all("RESTRICTED" in text for text in pages))
        self.assertIn("BULK-0159", "\n".join(pages))


# --- role × scope ------------------------------------------------------------------------------
def matrix_catalogue():
    """Only the default risk matrix (the matrix tests need an assessment, not its scenarios)."""
    from chainward.library import loader
    from chainward.library.models import CatalogEntry

    if not CatalogEntry.objects.filter(kind="risk_matrix").exists():
        with actor_context(None, name="plan tests"):
            loader.load(loader.CATALOG_DIR / "risk-matrix-default.yaml")


def plan_at(world, placement):
    matrix_catalogue()
    org, site = RegisterCase.where(world, placement)
    assessment = support.assessment_at(world, placement, f"Planned {placement}")
    owner = world["foreign"] if placement == "foreign" else \
        world["users"]["security_manager__org"]
    with actor_context(None, name="plan tests"):
        plan = SecurityPlan.objects.create(organisation=org, title=f"Plan {placement}",
                                           assessment=assessment, owner=owner)
        plan.sites.set([site])
    return plan


class SecurityPlanCase(RegisterCase):
    register = SecurityPlanRegister
    change_field = ("title", "Plan changed")
    marker_field = "title"

    def make(self, world, placement):
        return plan_at(world, placement)


class SecurityPlanVersionCase(RegisterCase):
    register = SecurityPlanVersionRegister
    change_field = ("change_summary", "")
    marker_field = "plan.title"

    def change_value(self, placement):
        return f"summary {placement}"

    def make(self, world, placement):
        plan = plan_at(world, placement)
        with actor_context(None, name="plan tests"):
            return SecurityPlanVersion.objects.create(
                organisation=plan.organisation, plan=plan, author=plan.owner,
                **security_plan.DEFAULT_TEXT)


@matrix_tests(SecurityPlanCase)
class TestSecurityPlanMatrix(TestCase):
    pass


@matrix_tests(SecurityPlanVersionCase)
class TestSecurityPlanVersionMatrix(TestCase):
    pass


class AssessmentPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        support.load_catalogues()
        cls.world = build_world()
        cls.assessment = completed_assessment(cls.world)

    def test_completed_assessment_offers_the_plan_and_the_button_makes_one(self):
        manager = self.world["users"]["security_manager__org"]
        self.client.force_login(manager)
        page = self.client.get(self.assessment.get_absolute_url()).content.decode()
        assert "Write the security plan" in page
        response = self.client.post(reverse("plans:generate_plan", args=[self.assessment.pk]))
        version = SecurityPlanVersion.objects.get()
        self.assertRedirects(response, version.get_absolute_url())
        page = self.client.get(self.assessment.get_absolute_url()).content.decode()
        assert f"Security plan {version.plan.reference}" in page
        # A site officer reads the assessment but may not write plans: no button.
        self.client.force_login(self.world["users"]["site_security_officer__site"])
        page = self.client.get(self.assessment.get_absolute_url()).content.decode()
        assert "Write the security plan" not in page and "New security plan version" not in page
