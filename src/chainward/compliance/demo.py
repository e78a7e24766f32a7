"""The ABC Logistics compliance demo, loaded from `demo.yaml`: evidence, the ISO 28000
readiness review before surveillance audit 1 and last year's CTPAT self-assessment against the
third-party logistics provider criteria.

`build_compliance_demo()` runs after the supply-chain and documents demos (document evidence
points at the approved versions of controlled documents). It works through the ordinary
services (`save_record`, `populate_statuses`, `set_status`, `attach_evidence`) as the security
manager, so every write lands in the ledger under that person. Evidence and assessments are
found by title: what exists already is left alone (the assessor may have moved on since), so a
second run writes nothing. Dates relative to today are set when a record is created.
"""

import datetime
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from chainward.access.models import User
from chainward.core import roles, yamlfiles
from chainward.core import services as records
from chainward.documents.models import Document, Evidence, EvidenceKind
from chainward.library.models import Framework
from chainward.supplychain import demo as supplychain_demo
from chainward.supplychain.models import Site, StatementOfApplication

from .choices import ComplianceStatus
from .models import GapAssessment
from .services import attach_evidence, populate_statuses, set_status

DATA = Path(__file__).with_name("demo.yaml")
STATUSES = {"F": ComplianceStatus.FULLY, "L": ComplianceStatus.LARGELY,
            "P": ComplianceStatus.PARTIALLY, "NI": ComplianceStatus.NOT_IMPLEMENTED,
            "NA": ComplianceStatus.NOT_APPLICABLE}


def load(today=None):
    """The data file with its year placeholders filled in for `today`."""
    today = today or timezone.localdate()
    text = DATA.read_text(encoding="utf-8")
    for name, year in (("year", today.year), ("last_year", today.year - 1),
                       ("year_before", today.year - 2)):
        text = text.replace(f"{{{name}}}", str(year))
    return yamlfiles.safe_load(text)


def _days(offset):
    return None if offset is None else timezone.localdate() + datetime.timedelta(days=offset)


def acting_user(admin_user):
    """The demo's security manager (the assessor), or the administrator without one."""
    email = next(f"{local}@abc-logistics.example" for local, _, role, _ in supplychain_demo.PEOPLE
                 if role == roles.SECURITY_MANAGER)
    return User.objects.filter(email=email, is_active=True).first() or admin_user


def _new_evidence(org, spec):
    """An unsaved evidence record for `spec`, or None when what it points at is missing."""
    kind = spec["kind"]
    evidence = Evidence(organisation=org, title=spec["title"], kind=kind,
                        link=spec.get("link", ""), description=spec.get("description", ""),
                        valid_until=_days(spec.get("valid_days")))
    if kind == EvidenceKind.RECORD:
        statement = StatementOfApplication._base_manager.filter(
            organisation=org, title=supplychain_demo.SOA["title"]).first()
        if statement is None:
            return None
        evidence.record_type = ContentType.objects.get_for_model(statement)
        evidence.record_id = statement.pk
    elif kind == EvidenceKind.DOCUMENT:
        document = Document.objects.filter(organisation=org, title=spec["document"]).first()
        version = document.current_version() if document else None
        if version is None:  # only an approved version is evidence
            return None
        evidence.document_version = version
    return evidence


def _evidence(org, user, data, tally):
    found = {}
    for key, spec in data["evidence"].items():
        evidence = Evidence._base_manager.filter(organisation=org, title=spec["title"]).first()
        if evidence is None:
            evidence = _new_evidence(org, spec)
            if evidence is None:
                continue
            evidence.full_clean(exclude=["reference"])
            records.save_record(user, evidence)
            tally.count("created")
        found[key] = evidence
    return found


def _dates(spec, today):
    if "start" in spec:
        years, month, day = spec["start"]
        start = datetime.date(today.year + years, month, day)
    else:
        start = today + datetime.timedelta(days=spec["start_days"])
    end = None
    if "end" in spec:
        years, month, day = spec["end"]
        end = datetime.date(today.year + years, month, day)
    return start, end


def _assessment(org, user, spec, evidence, tally):
    """Create the assessment with its statuses, or leave an existing one untouched."""
    if GapAssessment._base_manager.filter(organisation=org, title=spec["title"]).exists():
        return
    framework = Framework.objects.get(urn=spec["framework"])
    start, end = _dates(spec, timezone.localdate())
    sites = list(Site.objects.filter(organisation=org, code__in=spec["sites"]))
    assessment = GapAssessment(
        organisation=org, title=spec["title"], framework=framework, all_sites=not sites,
        assessor=user, start_date=start, end_date=end, status=spec["status"],
        notes=" ".join(spec["notes"].split()))
    assessment.full_clean(exclude=["reference"])

    def prepare(user, assessment, created):
        assessment.sites.set(sites)
        populate_statuses(user, assessment)

    records.save_record(user, assessment, after_save=prepare)
    tally.count("created")
    rows = {row.requirement.ref_id: row
            for row in assessment.statuses.select_related("requirement")}
    tally.created += len(rows)
    plan = spec["statuses"]
    unknown = sorted(set(plan) - set(rows))
    if unknown:
        raise ValueError(f"{spec['title']}: no assessable requirement {', '.join(unknown)} in "
                         f"{spec['framework']}; update compliance/demo.yaml.")
    for ref_id, row in rows.items():
        code, text, keys = plan.get(ref_id, (spec["default"], "", ()))
        status = STATUSES[code]
        justification, notes = (text, "") if status == ComplianceStatus.NOT_APPLICABLE \
            else ("", text)
        set_status(user, row, status=status, justification=justification, notes=notes)
        for key in keys:
            if key in evidence:
                attach_evidence(user, row, evidence[key])


def build_compliance_demo(organisation, admin_user):
    """Evidence, the ISO 28000 readiness review and the CTPAT self-assessment of the demo.

    Returns `(counts, tally)` like `chainward.supplychain.demo.build_demo`.
    """
    data = load()
    tally = supplychain_demo.Tally()
    user = acting_user(admin_user)
    evidence = _evidence(organisation, user, data, tally)
    for spec in data["assessments"]:
        _assessment(organisation, user, spec, evidence, tally)
    titles = [spec["title"] for spec in data["assessments"]]
    counts = {
        "gap assessments": GapAssessment.objects.filter(organisation=organisation,
                                                        title__in=titles).count(),
        "evidence": len(evidence),
    }
    return counts, tally
