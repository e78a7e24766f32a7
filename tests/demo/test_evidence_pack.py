"""The auditor's evidence pack, built on the demo data: a ZIP whose index walks every ISO
28000:2022 requirement with its status and evidence, links only to files inside the ZIP, marks
and watermarks restricted material, is ledgered, and holds only what the producer may see."""

import io
import re
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from chainward.access.models import Role, RoleAssignment, User
from chainward.certification import pack as pack_registry
from chainward.certification.evidence_pack import build_zip
from chainward.certification.models import EvidencePack
from chainward.certification.services import scope_label
from chainward.compliance.models import GapAssessment
from chainward.documents.models import Document, DocumentVersion, Evidence
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.library.models import Framework
from chainward.supplychain.models import Organisation, Site

ISO = "urn:chainward:framework:iso28000-2022"
MANAGER = "m.weber@abc-logistics.example"
HREF = re.compile(r'(?:href|src)="([^"]+)"')


def _pdf(text):
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()


def _restricted_pdf_document(org, manager, admin, sites):
    """A restricted document with an approved PDF version at the given sites."""
    document = Document.objects.create(organisation=org, title="Hamburg alarm codes matrix",
                                       doc_type="record", owner=manager,
                                       classification="restricted")
    document.sites.set(sites)
    stored = default_storage.save("documents/test/alarm.pdf", ContentFile(_pdf("alarm codes")))
    return DocumentVersion.objects.create(
        organisation=org, document=document, author=manager, status="approved",
        approver=admin, approved_at=timezone.now(), file=stored, filename="alarm.pdf",
        content_type="application/pdf", size=1)


def _build(client, user, framework, run_on_commit):
    client.force_login(user)
    with run_on_commit():
        response = client.post("/certification/evidence-packs/new/",
                               {"framework": framework.pk})
    assert response.status_code == 302, response.content[:500]
    pack = EvidencePack.objects.filter(produced_by=user).latest("pk")
    assert pack.status == "ready", pack.error
    assert Job.objects.get(pk=pack.job_id).status == "succeeded"
    download = client.get(f"/certification/evidence-packs/{pack.pk}/download/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    return pack, zipfile.ZipFile(io.BytesIO(body))


def test_evidence_pack_on_the_demo(client, demo_output, run_on_commit):
    org = Organisation.objects.get(name="ABC Logistics")
    manager = User.objects.get(email=MANAGER)
    admin = User.objects.get(email="admin@abc-logistics.example")
    framework = Framework.objects.get(urn=ISO)
    hamburg = list(Site.objects.filter(organisation=org, code__startswith="DEHAM"))
    poznan = Site.objects.get(organisation=org, code="PLPOZ-WH1")
    gap = GapAssessment.objects.get(organisation=org, framework=framework)
    plan = Document.objects.get(organisation=org, title="Hamburg DC site security plan")
    with actor_context(None, name="test"):
        alarm = _restricted_pdf_document(org, manager, admin, hamburg)
        file_evidence = Evidence.objects.create(
            organisation=org, title="Gate log March", kind="file",
            file=default_storage.save("evidence/test/gate.txt", ContentFile(b"gate log")),
            filename="gate-log.txt", content_type="text/plain")
        row = gap.statuses.filter(requirement__ref_id__startswith="8").order_by(
            "requirement__order").first()
        for title, version in (("Plan of Hamburg guard tours", plan.current_version()),
                               ("Codes of Hamburg alarms", alarm)):
            row.evidence.add(Evidence.objects.create(organisation=org, title=title,
                                                     kind="document", document_version=version))
        row.evidence.add(file_evidence)
        # A person limited to the Poznań site with the right to produce packs.
        poznan_manager = User.objects.create_user("pl.manager@abc-logistics.example", "x")
        assignment = RoleAssignment.objects.create(
            organisation=org, user=poznan_manager, role=Role.objects.get(name="Security manager"),
            all_sites=False)
        assignment.sites.set([poznan])

    pack, archive = _build(client, manager, framework, run_on_commit)
    names = set(archive.namelist())
    assert {"index.html", "index.pdf"} <= names
    index = archive.read("index.html").decode()
    # Every relative link of the index is a member of the ZIP; nothing points into the app.
    links = HREF.findall(index)
    assert links
    for link in links:
        assert not link.startswith("/"), link
        if not re.match(r"^[a-z]+:", link):
            assert link in names, link
    # Every assessable requirement of ISO 28000:2022 appears with its status.
    rows = gap.statuses.filter(archived=False).select_related("requirement")
    assert rows.count() > 20
    for status_row in rows:
        ref = re.escape(status_row.requirement.ref_id)
        match = re.search(rf'<tr class="requirement" id="req-{ref}">'
                          r'.*?<td class="status">([^<]*)</td>', index, re.S)
        assert match, status_row.requirement.ref_id
        assert match.group(1) == status_row.get_status_display()
    # Evidence files are in the pack; restricted material is marked and its PDF watermarked.
    assert any(n.startswith("evidence/") and n.endswith("gate-log.txt") for n in names)
    alarm_member = next(n for n in names if n.endswith("alarm.pdf"))
    text = "".join(page.extract_text() for page in PdfReader(
        io.BytesIO(archive.read(alarm_member))).pages)
    assert f"RESTRICTED — evidence pack {pack.reference} produced by {MANAGER}" in text
    alarm_line = next(line for line in index.splitlines() if alarm_member in line)
    assert "RESTRICTED" in alarm_line
    assert any(n.startswith("documents/") and "Hamburg" not in n and plan.reference in n
               for n in names)
    # Scope, policy, objectives, master list and management review are there; sections other
    # apps have not contributed yet say so honestly.
    for folder in ("scope/", "policy/", "objectives/", "documents/master-list",
                   "management-review/"):
        assert any(n.startswith(folder) for n in names), folder
    registered = {s.key for s in pack_registry.registered_sections()}
    for key in pack_registry.EXPECTED:
        section = index.split(f'id="section-{key}"')[1].split("<h2")[0]
        assert ("Not yet available in this installation" in section) == (key not in registered)
    # Producing (and downloading) the pack is in the ledger.
    entry = LedgerEntry.objects.get(action="evidence_pack", object_id=pack.pk)
    assert entry.after["framework"] == framework.ref_id and entry.after["restricted"] >= 2
    assert LedgerEntry.objects.filter(action="download", object_id=pack.pk).exists()

    # Limited to Poznań: producing packs needs an organisation-wide grant (packs are
    # organisation records), but the builder itself only ever uses the producer's scope:
    client.force_login(poznan_manager)
    assert client.post("/certification/evidence-packs/new/",
                       {"framework": framework.pk}).status_code == 403
    with actor_context(None, name="test"):
        limited = EvidencePack.objects.create(organisation=org, framework=framework,
                                              produced_by=poznan_manager,
                                              producer_scope=scope_label(poznan_manager, org))
    body, _ = build_zip(limited, poznan_manager)
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = set(archive.namelist())
    index = archive.read("index.html").decode()
    assert limited.producer_scope == "sites PLPOZ-WH1"
    assert not any("alarm" in n or plan.reference in n for n in names)
    for secret in ("Hamburg alarm codes", "Codes of Hamburg alarms", "Plan of Hamburg guard",
                   "Hamburg DC site security plan", alarm.document.reference):
        assert secret not in index
        for name in names:
            if name.endswith(".pdf"):
                assert secret not in "".join(p.extract_text() for p in PdfReader(
                    io.BytesIO(archive.read(name))).pages), (secret, name)
    assert "outside your access" in index
    # The organisation-wide pack is not handed to the site-limited person.
    assert client.get(f"/certification/evidence-packs/{pack.pk}/download/").status_code == 403
