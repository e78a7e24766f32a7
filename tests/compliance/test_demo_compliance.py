"""`chainward demo` gives ABC Logistics an ISO 28000 gap analysis under way and a finished
CTPAT self-assessment, with evidence; running it again writes nothing."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from chainward.compliance.models import GapAssessment
from chainward.compliance.readiness import readiness
from chainward.documents.models import Evidence
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import verify_ledger
from chainward.library.models import Requirement
from chainward.supplychain.models import Organisation

MANAGER = "m.weber@abc-logistics.example"


def test_demo_compliance_is_realistic_attributed_and_idempotent(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "2 gap assessments, 15 evidence" in out.getvalue()
    org = Organisation.objects.get(name="ABC Logistics")
    today = timezone.localdate()

    evidence = Evidence.objects.filter(organisation=org)
    assert evidence.count() == 15
    assert {e.kind for e in evidence} == {"link", "note", "record"}
    assert [e.title for e in evidence if e.is_expired] == ["External penetration test report 2024"]
    assert sum(1 for e in evidence if e.valid_until and not e.is_expired) >= 4

    iso = GapAssessment.objects.get(organisation=org, title="ISO 28000:2022 gap analysis 2026")
    assert (iso.status, iso.assessor.email, iso.all_sites) == ("in_progress", MANAGER, True)
    assert iso.start_date == today - datetime.timedelta(weeks=6) and iso.end_date is None
    assessable = Requirement.objects.filter(framework=iso.framework, assessable=True,
                                            retired=False)
    assert sorted(iso.statuses.values_list("requirement_id", flat=True)) == sorted(
        assessable.values_list("pk", flat=True))
    result = readiness(iso)
    assert result["counts"] == {"not_assessed": 3, "not_applicable": 1, "not_implemented": 8,
                                "partially": 15, "largely": 8, "fully": 7}
    assert 45 <= result["percent"] <= 65
    sections = {s["ref_id"]: s["percent"] for s in result["sections"]}
    assert sections["4"] > sections["6"] > sections["8"] > sections["9"]
    assert all(row.justification for row in iso.statuses.filter(status="not_applicable"))
    implemented = iso.statuses.filter(status__in=["fully", "largely", "partially"])
    evidenced = implemented.filter(evidence__isnull=False).distinct().count()
    assert implemented.count() * 0.4 <= evidenced <= implemented.count() * 0.7
    assert iso.statuses.exclude(notes="").count() >= 10

    ctpat = GapAssessment.objects.get(organisation=org, title="C-TPAT MSC self-assessment 2025")
    assert ctpat.status == "done" and ctpat.end_date.year == today.year - 1
    assert list(ctpat.sites.order_by("code").values_list("code", flat=True)) == [
        "DEFRA-AIR", "DEHAM-WH1", "NLVEN-DC1"]
    result = readiness(ctpat)
    assert result["counts"]["not_assessed"] == 0 and result["counts"]["not_implemented"] == 0
    assert result["counts"]["not_applicable"] == 2
    assert 80 <= result["percent"] <= 90
    weak_musts = ctpat.statuses.filter(requirement__flag="must",
                                       status__in=["partially", "not_implemented"])
    assert [row.requirement.ref_id for row in weak_musts] == ["4.3"]
    assert ctpat.statuses.filter(evidence__isnull=False).distinct().count() >= 30
    # The same evidence backs both frameworks (reuse across standards).
    seals = evidence.get(title="Seal control procedure SOP-SEC-04")
    assert {row.assessment_id for row in seals.requirement_statuses.all()} == {iso.pk, ctpat.pk}

    compliance_entries = LedgerEntry.objects.filter(
        object_type__in=["compliance.gapassessment", "compliance.requirementstatus",
                         "documents.evidence"])
    assert set(compliance_entries.values_list("actor_name", "reason")) == {
        (MANAGER, "demo data")}

    entries = LedgerEntry.objects.count()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "2 gap assessments, 15 evidence" in out.getvalue()
    assert "0 records created, 0 updated" in out.getvalue()
    assert LedgerEntry.objects.count() == entries
    assert verify_ledger()[0]
