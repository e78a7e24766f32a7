"""The audits app's evidence-pack sections and management-review inputs, on the demo data:
every corrective action is in the log, every completed audit has its report, the review figures
equal the register counts, and a site-limited producer gets only their sites' actions."""

import datetime
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from chainward.access.models import User
from chainward.audits import pack_sections, review_inputs
from chainward.audits.choices import COMPLETED, CapaStatus, Grade
from chainward.audits.models import Audit, CorrectiveAction, Finding
from tests.demo.support import pack_section

AUDITOR = "s.devries@abc-logistics.example"
OFFICER = "j.petersen@abc-logistics.example"  # site officer of the Hamburg sites only


def test_capa_log_lists_every_corrective_action(demo):
    user = User.objects.get(email=AUDITOR)
    entries, archive = pack_section(pack_sections.corrective_actions, demo, user)
    pdf, xlsx = entries
    sheet = load_workbook(io.BytesIO(archive.read(xlsx.path))).active
    listed = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = sorted(CorrectiveAction.objects.filter(organisation=demo, archived=False)
                      .values_list("reference", flat=True))
    # 7 from audits/demo.yaml, 6 from incidents/demo.yaml (five investigations and an
    # exercise), 1 opened by the failed weekly CCTV test (fieldchecks/demo.py).
    assert sorted(listed) == expected and len(expected) == 14
    text = " ".join(page.extract_text() for page in PdfReader(
        io.BytesIO(archive.read(pdf.path))).pages)
    assert all(reference in text for reference in expected)
    closed = CorrectiveAction.objects.filter(organisation=demo, status=CapaStatus.CLOSED).count()
    assert f"{closed} closed after verification" in pdf.note


def test_every_completed_audit_has_a_report(demo):
    user = User.objects.get(email=AUDITOR)
    entries, archive = pack_section(pack_sections.audit_programme, demo, user)
    completed = Audit.objects.filter(organisation=demo, status__in=COMPLETED)
    assert completed.count() == 2
    reports = [e for e in entries if "audit report" in e.title]
    assert sorted(e.title.split()[0] for e in reports) == sorted(
        completed.values_list("reference", flat=True))
    for entry in reports:
        audit = completed.get(reference=entry.title.split()[0])
        text = " ".join(p.extract_text() for p in PdfReader(
            io.BytesIO(archive.read(entry.path))).pages)
        for finding in audit.findings.filter(archived=False):
            assert finding.reference in text
    assert set(archive.namelist()) == {e.path for e in entries if e.path}


def test_review_figures_equal_the_registers(demo, monkeypatch):
    user = User.objects.get(email=AUDITOR)
    # Counted since the last management review; the demo's review was held after its audits,
    # so count over the year instead (a review that follows the audits sees them).
    since = datetime.date.today() - datetime.timedelta(days=365)
    monkeypatch.setattr(review_inputs, "changes_since", lambda organisation, user: since)
    figures = {f["key"]: f["value"] for f in review_inputs.nonconformities(demo, user)["figures"]}
    actions = CorrectiveAction.objects.filter(organisation=demo, archived=False)
    assert figures["open"] == actions.exclude(status=CapaStatus.CLOSED).count() > 0
    assert figures["reopened"] == actions.filter(reopen_count__gt=0).count() == 1
    results = {f["key"]: f["value"] for f in review_inputs.audit_results(demo, user)["figures"]}
    findings = Finding.objects.filter(organisation=demo, archived=False,
                                      audit__status__in=COMPLETED)
    assert results["completed"] == 2
    assert results["major"] == findings.filter(grade=Grade.MAJOR).count() == 1
    assert results["minor"] == findings.filter(grade=Grade.MINOR).count() == 2


def test_site_limited_producer_gets_only_their_sites(demo):
    officer = User.objects.get(email=OFFICER)
    entries, archive = pack_section(pack_sections.corrective_actions, demo, officer)
    sheet = load_workbook(io.BytesIO(archive.read(entries[1].path))).active
    listed = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    visible = set(CorrectiveAction.objects.restrict(officer, "view").filter(
        organisation=demo).values_list("reference", flat=True))
    everything = set(CorrectiveAction.objects.filter(organisation=demo).values_list(
        "reference", flat=True))
    assert listed == visible and visible < everything
