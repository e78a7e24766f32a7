"""`chainward demo` gives ABC Logistics, certified last year, an ISO 28000 readiness review before
its first surveillance audit and last year's CTPAT self-assessment against the third-party
logistics provider table, with evidence; running it again writes nothing."""

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


def test_demo_compliance_is_realistic_attributed_and_idempotent(demo_output):
    assert "2 gap assessments, 22 evidence" in demo_output
    org = Organisation.objects.get(name="ABC Logistics")
    today = timezone.localdate()

    # The 22 of compliance/demo.yaml, and the check run the failed weekly CCTV test attaches to
    # its corrective action (fieldchecks/demo.py).
    evidence = Evidence.objects.filter(organisation=org).exclude(record_type__model="checkrun")
    assert evidence.count() == 22
    assert Evidence.objects.filter(organisation=org, record_type__model="checkrun").count() == 1
    assert {e.kind for e in evidence} == {"document", "link", "note", "record"}
    assert [e.title for e in evidence if e.is_expired] == [
        f"External penetration test report {today.year - 2}"]
    assert sum(1 for e in evidence if e.valid_until and not e.is_expired) >= 3
    # Controlled documents are evidence through their approved versions.
    documents = evidence.filter(kind="document")
    assert documents.count() == 7
    assert {e.document_version.status for e in documents} == {"approved"}

    # Certified about ten months ago: the readiness review before surveillance audit 1 finds
    # the system in place, with the open items the other registers show (issue 12).
    iso = GapAssessment.objects.get(
        organisation=org, title="ISO 28000:2022 readiness review before surveillance audit 1")
    assert (iso.status, iso.assessor.email, iso.all_sites) == ("in_progress", MANAGER, True)
    assert iso.start_date == today - datetime.timedelta(days=21) and iso.end_date is None
    assessable = Requirement.objects.filter(framework=iso.framework, assessable=True,
                                            retired=False)
    assert sorted(iso.statuses.values_list("requirement_id", flat=True)) == sorted(
        assessable.values_list("pk", flat=True))
    result = readiness(iso)
    # ISO 28000 allows no exclusions: the demo marks nothing not applicable (counted by hand
    # from compliance/demo.yaml: 6 largely, 1 partially, the other 35 fully).
    assert result["counts"] == {"not_assessed": 0, "not_applicable": 0, "not_implemented": 0,
                                "partially": 1, "largely": 6, "fully": 35}
    assert result["applicable"] == 42
    assert result["percent"] >= 90
    open_items = {row.requirement.ref_id for row in iso.statuses.exclude(status="fully")}
    assert open_items == {"4.2.1", "6.2.2", "6.3", "7.2", "8.1", "9.1", "10.2"}
    implemented = iso.statuses.filter(status__in=["fully", "largely", "partially"])
    evidenced = implemented.filter(evidence__isnull=False).distinct().count()
    assert evidenced >= implemented.count() * 0.6
    assert iso.statuses.exclude(notes="").count() >= 10
    # The risk text names the sites the risk demo assesses (risk/demo.yaml).
    assert "Hamburg Billbrook, Poznań and Stryków" in iso.statuses.get(
        requirement__ref_id="6.1.2").notes

    # A European 3PL answers its U.S. importer against the 3PL criteria table.
    ctpat = GapAssessment.objects.get(
        organisation=org,
        title=f"C-TPAT MSC self-assessment {today.year - 1} (third-party logistics provider)")
    assert ctpat.framework.urn == "urn:chainward:framework:ctpat-msc-third-party-logistics"
    assert ctpat.status == "done" and ctpat.end_date.year == today.year - 1
    assert list(ctpat.sites.order_by("code").values_list("code", flat=True)) == [
        "DEHAM-WH1", "NLVEN-DC1"]
    result = readiness(ctpat)
    assert result["counts"]["not_assessed"] == 0 and result["counts"]["not_implemented"] == 0
    assert result["counts"]["not_applicable"] == 2
    assert 80 <= result["percent"] <= 90
    weak_musts = ctpat.statuses.filter(requirement__flag="must",
                                       status__in=["partially", "not_implemented"])
    assert [row.requirement.ref_id for row in weak_musts] == ["4.3"]
    assert ctpat.statuses.filter(evidence__isnull=False).distinct().count() >= 30
    # The same evidence backs both frameworks (reuse across standards).
    seals = evidence.get(title="Seal control procedure SOP-SEC-04 (approved version)")
    assert {row.assessment_id for row in seals.requirement_statuses.all()} == {iso.pk, ctpat.pk}

    compliance_entries = LedgerEntry.objects.filter(
        object_type__in=["compliance.gapassessment", "compliance.requirementstatus",
                         "documents.evidence"])
    assert set(compliance_entries.values_list("actor_name", "reason")) == {
        (MANAGER, "demo data")}

    entries = LedgerEntry.objects.count()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "2 gap assessments, 22 evidence" in out.getvalue()
    assert "0 records created, 0 updated" in out.getvalue()
    assert LedgerEntry.objects.count() == entries
    assert verify_ledger()[0]
