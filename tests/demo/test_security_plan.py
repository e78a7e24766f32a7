"""The demo's security plan: approved, its PDF opens, carries the classification on every page
and lists every countermeasure of the assessment with its owner and due date."""

import io

from pypdf import PdfReader

from chainward.access.models import User
from chainward.plans.models import SecurityPlan
from chainward.risk.models import Countermeasure
from chainward.supplychain.models import Organisation


def test_demo_security_plan_pdf(client, demo_output):
    org = Organisation.objects.get(name="ABC Logistics")
    plan = SecurityPlan.objects.get(organisation=org)
    version = plan.current_version()
    assert version is not None and version.status == "approved"
    assert plan.classification == "restricted"
    assert (version.author.email, version.approver.email) == (
        "m.weber@abc-logistics.example", "admin@abc-logistics.example")

    auditor = User.objects.get(email="s.devries@abc-logistics.example")
    client.force_login(auditor)
    response = client.get(f"/plans/security-plan-versions/{version.pk}/pdf/")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "RESTRICTED" in text, f"page {number} lacks the classification"
        assert auditor.email in text, f"page {number} lacks the reader's watermark"
    text = " ".join(" ".join(pages).split())
    treated = Countermeasure.objects.filter(
        ratings__assessment=plan.assessment).distinct().select_related("owner")
    assert treated.count() >= 5
    for measure in treated:
        assert measure.reference in text, measure
        assert measure.owner.email in text, measure
        assert measure.due_date is None or measure.due_date.isoformat() in text, measure
    # The plan's ratings carry the same levels as the register.
    stored = {r.reference: r.residual_level for r in plan.assessment.ratings.all()}
    assert {r["reference"]: r["residual"]["ref_id"] for r in version.content["ratings"]} == \
        stored
