"""The risk register section of the evidence pack: one restricted PDF per completed, current
security assessment, stamped on every page with the producer, listing exactly the ratings the
producer may see; drafts are listed as "in progress, not evidence yet", without a file."""

import io

import pytest
from pypdf import PdfReader

from chainward.access.models import User
from chainward.core.services import save_record
from chainward.risk.integrations import risk_register
from chainward.risk.models import Rating, RiskAcceptance, SecurityAssessment
from tests.demo.support import pack_section

MANAGER = "m.weber@abc-logistics.example"
OFFICER = "j.petersen@abc-logistics.example"  # site officer of the Hamburg sites only


def build(organisation, user):
    return pack_section(risk_register, organisation, user)


def save_sample(archive, path):
    import os

    target = os.environ.get("RISK_PACK_SAMPLE")
    if target:
        with open(target, "wb") as handle:
            handle.write(archive.read(path))


def pdf_pages(archive, path):
    return [page.extract_text() for page in PdfReader(io.BytesIO(archive.read(path))).pages]


def assessment_entries(entries):
    return [e for e in entries if e.title.startswith("Security assessment")]


@pytest.mark.parametrize("email", [MANAGER, OFFICER])
def test_completed_assessment_has_a_restricted_pdf_with_visible_ratings(demo, email):
    user = User.objects.get(email=email)
    entries, archive = build(demo, user)
    assessment = SecurityAssessment.objects.get(organisation=demo, status="completed")
    [entry] = assessment_entries(entries)
    assert entry.path and entry.restricted and assessment.reference in entry.title
    save_sample(archive, entry.path)
    pages = pdf_pages(archive, entry.path)
    for page in pages:
        assert "RESTRICTED" in page and email in page
    text = " ".join(pages)
    visible = set(Rating.objects.restrict(user, "view").filter(
        assessment=assessment, archived=False).values_list("reference", flat=True))
    everything = set(Rating.objects.filter(assessment=assessment, archived=False)
                     .values_list("reference", flat=True))
    assert visible and all(ref in text for ref in visible)
    hidden = everything - visible
    if email == OFFICER:
        assert hidden, "the Hamburg officer must not see every rating"
    # RAT-0001 is a prefix of RAT-00010: compare whole words.
    words = set(text.replace("\n", " ").split())
    assert not hidden & words
    for section in ("Assessment team", "Threat scenarios considered", "Inherent risk",
                    "Residual risk", "Acceptable without a formal risk acceptance"):
        assert section in text
    # Readable consequences, never the raw dict.
    flat = " ".join(text.split())
    # Accepted risks name their valid acceptance (the ones the producer may see).
    acceptances = RiskAcceptance.objects.restrict(user, "view").filter(
        rating__assessment=assessment, archived=False)
    assert all(a.reference in flat for a in acceptances)
    assert email != MANAGER or acceptances.count() == 3
    assert "{'" not in flat and "'life'" not in flat
    assert "Life and injury: " in flat


def test_a_draft_is_listed_without_a_file(demo):
    manager = User.objects.get(email=MANAGER)
    completed = SecurityAssessment.objects.get(organisation=demo, status="completed")
    draft = save_record(manager, SecurityAssessment(
        organisation=demo, title="Draft re-assessment", matrix=completed.matrix,
        assessor=manager))
    draft.sites.set(completed.sites.all())
    entries, archive = build(demo, manager)
    [listed] = [e for e in assessment_entries(entries) if draft.reference in e.title]
    assert not listed.path and "in progress, not evidence yet" in listed.note
    assert len([e for e in assessment_entries(entries) if e.path]) == 1
    files = [n for n in archive.namelist() if n.startswith("risk/SA-")]
    assert files == [f"risk/{completed.reference}-security-assessment.pdf"]
    assert set(archive.namelist()) == {e.path for e in entries if e.path}
