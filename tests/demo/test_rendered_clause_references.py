"""Every ISO 28000 / ISO 28001 clause reference in what the demo hands to an auditor — the
evidence-pack ZIP (every HTML, text and PDF member), the readiness report PDFs, the management
review PDF and the security plan PDF — points at a clause of the catalogue, and at the right
one for the subject named next to it (issue 12 acceptance: "a test walks every clause
reference shown to users and in every PDF/ZIP").

tests/library/test_clause_references.py checks the sources (templates and string literals);
this test checks the rendered output, where catalogue titles, the demo's own text and the
templates meet. The expected clauses come from the shipped catalogue files and the hand-written
subject table of that module, never from the code that renders.
"""

import io
import re
import zipfile

from pypdf import PdfReader

from chainward.access.models import User
from chainward.certification.evidence_pack import build_zip
from chainward.certification.models import EvidencePack, ManagementReview
from chainward.certification.services import scope_label
from chainward.compliance.models import GapAssessment
from chainward.ledger.context import actor_context
from chainward.library.models import Framework
from chainward.plans.models import SecurityPlan
from tests.demo.test_consistency import CLAUSE_RANGE
from tests.library.test_clause_references import (
    FRAMEWORKS,
    catalogue_refs,
    citations,
    misattributed_subjects,
)

MANAGER = "m.weber@abc-logistics.example"
ISO28000 = "urn:chainward:framework:iso28000-2022"
TAG = re.compile(r"<[^>]+>")


def _pdf_text(body):
    # Lines of a PDF page are joined with spaces: a citation broken over two lines still reads
    # as one ("ISO 28000" / "10.2"), and a heading is not glued to the next line's text.
    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(body)).pages)


def _html_text(body):
    return " ".join(TAG.sub(" ", body.decode("utf-8", "replace")).split())


def _archive_texts(archive):
    """(member name, text) for every member of the evidence pack that carries text."""
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".pdf"):
            yield name, _pdf_text(data)
        elif name.endswith((".html", ".htm")):
            yield name, _html_text(data)
        elif name.endswith((".txt", ".csv", ".md", ".json")):
            yield name, data.decode("utf-8", "replace")


def _problems(where, text):
    """Unknown clauses and misattributed subjects in one rendered text, and how many
    citations it holds."""
    refs, problems, found = catalogue_refs(), [], 0
    cited = [(s, y, c, start, end) for s, y, c, start, end in citations(text)]
    cited += [(m["standard"], m["year"], [m["first"], m["last"]], m.start(), m.end())
              for m in CLAUSE_RANGE.finditer(text)]
    for standard, year, clauses, start, end in cited:
        framework = FRAMEWORKS[(standard, year)]
        for clause in clauses:
            found += 1
            if clause not in refs[framework]:
                problems.append(f"{where}: ISO {standard} {clause} is not a clause of "
                                f"{framework} (“…{text[max(0, start - 40):end + 40]}…”)")
    problems.extend(misattributed_subjects(text, where))
    return problems, found


def _rendered(client, demo):
    """(where, text) for everything rendered for the security manager."""
    manager = User.objects.get(email=MANAGER)
    framework = Framework.objects.get(urn=ISO28000)
    with actor_context(None, name="test"):
        pack = EvidencePack.objects.create(organisation=demo, framework=framework,
                                           produced_by=manager,
                                           producer_scope=scope_label(manager, demo))
    body, _index = build_zip(pack, manager)
    archive = zipfile.ZipFile(io.BytesIO(body))
    yield from ((f"pack:{name}", text) for name, text in _archive_texts(archive))

    client.force_login(manager)
    for gap in GapAssessment.objects.filter(organisation=demo, archived=False):
        response = client.get(f"/compliance/assessments/{gap.pk}/report.pdf")
        assert response.status_code == 200, gap
        yield f"readiness:{gap.title}", _pdf_text(b"".join(response))
    for review in ManagementReview.objects.filter(organisation=demo, archived=False):
        response = client.get(f"/certification/reviews/{review.pk}/review.pdf")
        assert response.status_code == 200, review
        yield f"review:{review.title}", _pdf_text(b"".join(response))
    for plan in SecurityPlan.objects.filter(organisation=demo, archived=False):
        version = plan.current_version()
        response = client.get(f"/plans/security-plan-versions/{version.pk}/pdf/")
        assert response.status_code == 200, plan
        yield f"plan:{plan}", _pdf_text(b"".join(response))


def test_every_clause_in_the_rendered_pack_and_pdfs_is_in_the_catalogue(client, demo):
    problems, found, where_found, pdfs = [], {"28000": 0, "28001": 0}, set(), 0
    for where, text in _rendered(client, demo):
        pdfs += where.endswith(".pdf") or not where.startswith("pack:")
        these, count = _problems(where, text)
        problems.extend(these)
        if count:
            where_found.add(where.split(":")[0])
            for standard in found:
                found[standard] += len(re.findall(rf"ISO\s?{standard}\b", text))
    # Not vacuous: the pack, the readiness PDFs, the review and the plan were all read, and
    # they cite both standards (the pack's NC/CA log, the assessment's ISO 28001 5.3 headings).
    # The readiness PDFs list clauses by number in their table, without "ISO 28000" before
    # each; the numbers there are the catalogue's own rows.
    assert pdfs >= 4
    assert where_found >= {"pack", "plan", "review"}
    assert found["28000"] >= 20 and found["28001"] >= 3, found
    assert sorted(problems) == []


def test_the_rendered_walk_catches_a_wrong_reference_in_a_pdf():
    # The same extraction and checks applied to a PDF with the reference the auditor found.
    from weasyprint import HTML

    body = HTML(string="<h2>Nonconformities and corrective-action log (ISO 28000 10.1)</h2>"
                       "<p>See ISO 28000 8.7.</p>").write_pdf()
    problems, found = _problems("sample.pdf", _pdf_text(body))
    assert found == 2
    assert any("8.7 is not a clause" in p and "See ISO 28000 8.7" in p for p in problems)
    assert any("corrective-action" in p and "10.1" in p for p in problems)
