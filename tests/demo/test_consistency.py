"""The demo tells one story (issue 12): ABC Logistics was certified last year and its first
surveillance audit is due, and every register agrees with that moment.

Checked on the demo `chainward demo` builds (once for tests/demo, `demo_build`):

* no certificate without a completed stage 2 audit before it was issued;
* no "fully implemented" requirement whose evidence is a document version that is not approved,
  or that names a controlled document without an approved version;
* every accepted risk is accepted by the authority its residual level requires — top
  management for High and Critical (the default matrix, risk-matrix-default.yaml);
* every exemption meant to be in force rests on a valid security programme status of its own
  partner, and no partner holds a legacy AEO-F status (AEOC and AEOS under the UCC);
* every ISO 28000 / ISO 28001 clause cited in the demo's text exists in the catalogue.

Each check is a function returning the problems it finds, so a test asserts an empty list and
the message names every offending record. The expected values are written here by hand (the
authority per level, the security programmes, the stage order), not read from the code under
test.
"""

import json
import re

from django.apps import apps
from django.db import models
from django.utils import timezone

from tests.library.test_clause_references import FRAMEWORKS, catalogue_refs, citations

ORGANISATION = "ABC Logistics"
# Who may accept a residual risk of each level of the default matrix (risk-matrix-default.yaml,
# "acceptance_authority"; written out by hand): High and Critical only top management.
TOP_MANAGEMENT_LEVELS = {"high", "critical"}
TOP_MANAGEMENT = "Top management"
# Programme statuses that validate a partner's security (ISO 28001 4.4): AEOS, C-TPAT, the MRA
# programmes, TAPA, ISO 28000. AEOC is customs simplifications only; AEO-F is pre-UCC.
SECURITY_PROGRAMMES = {"aeo_s", "ctpat", "other_mra", "pip", "tapa_fsr", "tapa_tsr",
                       "tapa_psr", "iso_28000", "iso_28001", "iso_20858"}
# "ISO 28000 clauses 4 to 8" (audit titles): the citation pattern of the clause-reference test
# reads single clauses and lists; this one reads a range written out in words.
CLAUSE_RANGE = re.compile(r"ISO\s?(?P<standard>2800[01])(?::(?P<year>\d{4}))?\s+clauses\s+"
                          r"(?P<first>\d+(?:\.\d+)*)\s+to\s+(?P<last>\d+(?:\.\d+)*)")


# --- the checks ----------------------------------------------------------------------------------
def certificate_problems(organisation):
    """Certificates issued (or active) without a stage 2 audit done on or before the decision."""
    from chainward.certification.models import Certificate

    problems = []
    certificates = Certificate.objects.filter(organisation=organisation, archived=False)
    for certificate in certificates:
        if certificate.status not in {"active", "suspended"} and not certificate.issued_on:
            continue
        done = {m.kind: m.done_on for m in certificate.milestones.filter(archived=False)}
        stage1, stage2 = done.get("stage1"), done.get("stage2")
        if stage2 is None:
            problems.append(f"{certificate.number}: issued without a completed stage 2 audit")
        elif stage1 is None or stage1 > stage2:
            problems.append(f"{certificate.number}: stage 2 done without stage 1 before it")
        elif certificate.issued_on is None or stage2 > certificate.issued_on:
            problems.append(f"{certificate.number}: issued on {certificate.issued_on} before "
                            f"its stage 2 audit ({stage2})")
    return problems


def evidence_problems(organisation):
    """Fully implemented requirements resting on a document version that is not approved."""
    from chainward.compliance.models import RequirementStatus
    from chainward.documents.models import Document

    documents = {d.title: d for d in Document.objects.filter(organisation=organisation,
                                                             archived=False)}
    problems, checked = [], 0
    rows = RequirementStatus.objects.filter(
        assessment__organisation=organisation, assessment__archived=False,
        status="fully").select_related("assessment", "requirement").prefetch_related(
        "evidence__document_version__document")
    for row in rows:
        where = f"{row.assessment.title} {row.requirement.ref_id}"
        for evidence in row.evidence.all():
            version = evidence.document_version
            if version is not None:
                checked += 1
                if version.status != "approved":
                    problems.append(f"{where}: evidence “{evidence.title}” is "
                                    f"{version.document.title} v{version.number}, "
                                    f"{version.status}")
            named = [d for title, d in documents.items() if evidence.title.startswith(title)]
            for document in named:
                checked += 1
                if not document.versions.filter(status="approved").exists():
                    problems.append(f"{where}: evidence “{evidence.title}” names "
                                    f"{document.title}, which has no approved version")
    return problems, checked


def acceptance_problems(organisation):
    """Accepted risks whose acceptor lacks the authority the residual level requires."""
    from chainward.access.models import RoleAssignment
    from chainward.risk.models import RiskAcceptance

    today = timezone.localdate()
    problems = []
    acceptances = RiskAcceptance.objects.filter(organisation=organisation, archived=False)
    for acceptance in acceptances.select_related("rating__assessment", "accepted_by"):
        rating, person = acceptance.rating, acceptance.accepted_by
        label = f"{acceptance.reference} of {rating.reference} ({rating.residual_level})"
        if person is None:
            problems.append(f"{label}: no acceptor")
            continue
        if person.pk == rating.assessment.assessor_id:
            problems.append(f"{label}: accepted by the assessor {person.email}")
        if rating.residual_level in TOP_MANAGEMENT_LEVELS:
            holds = RoleAssignment.objects.filter(
                organisation=organisation, user=person, archived=False,
                role__name=TOP_MANAGEMENT).filter(
                models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=today))
            if not holds.exists():
                problems.append(f"{label}: accepted by {person.email}, who is not top "
                                "management")
    return problems, acceptances.count()


def exemption_problems(organisation):
    """Exemptions meant to be in force without a valid security programme status of their own
    partner, and legacy AEO-F statuses."""
    from chainward.supplychain.models import Exemption, ProgrammeStatus

    today = timezone.localdate()
    problems = [f"{s.partner}: legacy AEO-F status {s.identifier}; record AEOC and/or AEOS"
                for s in ProgrammeStatus.objects.filter(organisation=organisation,
                                                        programme="aeo_f", archived=False)]
    meant = Exemption.objects.filter(organisation=organisation, archived=False).filter(
        models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=today))
    for exemption in meant.select_related("partner", "programme_status"):
        status = exemption.programme_status
        label = f"{exemption.reference} ({exemption.partner})"
        if status is None:
            problems.append(f"{label}: rests on no programme status")
        elif status.partner_id != exemption.partner_id:
            problems.append(f"{label}: rests on {status.partner}'s status")
        elif status.programme not in SECURITY_PROGRAMMES:
            problems.append(f"{label}: {status.programme} does not validate security")
        elif status.archived or (status.valid_from and status.valid_from > today) or (
                status.valid_until and status.valid_until < today):
            problems.append(f"{label}: programme status {status.identifier} is not valid "
                            "today")
    return problems, meant.count()


def _texts(organisation):
    """(record, text) for every text and JSON field of the organisation's records."""
    for model in apps.get_models():
        if not model.__module__.startswith("chainward.") or model._meta.app_label in {
                "library", "ledger"}:
            continue
        names = {f.name for f in model._meta.get_fields()}
        if "organisation" not in names:
            continue
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not fields:
            continue
        for row in model._base_manager.filter(organisation=organisation).values("pk", *fields):
            for name in fields:
                value = row[name]
                if value and not isinstance(value, str):
                    value = json.dumps(value, ensure_ascii=False)
                if value:
                    yield f"{model._meta.label} {row['pk']} {name}", value


def clause_problems(organisation):
    """Clause citations in the demo's text that the catalogue does not have."""
    refs = catalogue_refs()
    problems, found = [], 0
    for where, text in _texts(organisation):
        cited = [(standard, year, clauses) for standard, year, clauses, _s, _e in
                 citations(text)]
        cited += [(m["standard"], m["year"], [m["first"], m["last"]])
                  for m in CLAUSE_RANGE.finditer(text)]
        for standard, year, clauses in cited:
            framework = FRAMEWORKS[(standard, year)]
            for clause in clauses:
                found += 1
                if clause not in refs[framework]:
                    problems.append(f"{where}: ISO {standard} {clause} is not a clause of "
                                    f"{framework}")
    return problems, found


# --- the tests -----------------------------------------------------------------------------------
def test_no_certificate_without_a_completed_stage_2(demo):
    from chainward.certification.models import Certificate

    assert Certificate.objects.filter(organisation=demo, status="active").exists()
    assert certificate_problems(demo) == []


def test_no_fully_implemented_requirement_rests_on_an_unapproved_document(demo):
    problems, checked = evidence_problems(demo)
    assert checked >= 10  # the demo's evidence names controlled documents: not vacuous
    assert problems == []


def test_every_accepted_risk_is_accepted_by_the_authority_its_level_requires(demo):
    from chainward.risk.models import RiskMatrix

    # The matrix the demo uses says what this test assumes (written by hand above).
    matrix = RiskMatrix.objects.get(organisation=demo, name="Default 5x5 security risk matrix")
    assert {lv["ref_id"] for lv in matrix.risk_levels
            if lv["acceptance_authority"] == "top_management"} == TOP_MANAGEMENT_LEVELS
    problems, count = acceptance_problems(demo)
    assert count >= 1
    assert problems == []


def test_every_exemption_in_force_rests_on_a_valid_programme_status(demo):
    problems, count = exemption_problems(demo)
    assert count >= 1
    assert problems == []


def test_every_clause_cited_in_the_demo_exists_in_the_catalogue(demo):
    problems, found = clause_problems(demo)
    assert found >= 5  # the demo cites clauses (audits, programme, notes): not vacuous
    assert problems == []
